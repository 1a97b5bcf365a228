"""Dates for readers (issue 17, point 11): a machine's ISO date or timestamp, written for the
reader's language (the active one) and in the network's time zone (`TIME_ZONE`).

`readable_dates(data)` turns every ISO date ("2026-03-04") and timestamp
("2026-03-04T09:30:00+01:00") found in a structure of dicts and lists into "4 mars 2026" /
"4 mars 2026 09:30" (English: "March 4, 2026" / "March 4, 2026, 9:30 a.m."); other values are
left as they are. The JSON exports keep ISO (for machines); what people read goes through this.
"""

import re
from datetime import date, datetime

from django.utils import timezone
from django.utils.formats import date_format

ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
ISO_TIMESTAMP = re.compile(
    r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$"
)


def readable_date(value) -> str:
    """One date or timestamp (object or ISO text) for the reader; other values unchanged."""
    if isinstance(value, str):
        try:
            if ISO_DATE.match(value):
                value = date.fromisoformat(value)
            elif ISO_TIMESTAMP.match(value):
                value = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return value
    if isinstance(value, datetime):
        if timezone.is_naive(value):
            value = timezone.make_aware(value)
        return date_format(timezone.localtime(value), "DATETIME_FORMAT")
    if isinstance(value, date):
        return date_format(value, "DATE_FORMAT")
    return value


def readable_dates(data):
    """A copy of `data` (dicts, lists) with every date and timestamp made readable."""
    if isinstance(data, dict):
        return {key: readable_dates(value) for key, value in data.items()}
    if isinstance(data, list | tuple):
        return [readable_dates(value) for value in data]
    return readable_date(data)


def spreadsheet_date(value) -> str:
    """A date or timestamp for a CSV cell a spreadsheet reads in the reader's language
    ("04/03/2026 09:30" in French), in the network's time zone; "" for None."""
    if value is None or value == "":
        return ""
    if isinstance(value, datetime):
        if timezone.is_naive(value):
            value = timezone.make_aware(value)
        return date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")
    return date_format(value, "SHORT_DATE_FORMAT")
