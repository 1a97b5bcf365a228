"""Calendar helpers of the reports: default period, month arithmetic, age bands."""

import calendar
from datetime import date, datetime, time, timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def add_months(day: date, months: int) -> date:
    """The same day `months` months later (or earlier), clamped to the month's last day."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def default_period(today: date | None = None) -> tuple[date, date]:
    """The last 12 full months before today's month."""
    today = today or timezone.localdate()
    end = today.replace(day=1) - timedelta(days=1)
    start = add_months(end.replace(day=1), -11)
    return start, end


def window_start(end: date, months: int) -> date:
    """First day of the `months` months ending on `end` (both included)."""
    return add_months(end, -months) + timedelta(days=1)


def day_start(day: date) -> datetime:
    """Local midnight at the start of `day`, as an aware datetime."""
    return timezone.make_aware(datetime.combine(day, time.min))


def months_between(start: date, end: date) -> list[date]:
    """First days of the months from `start`'s to `end`'s, in order."""
    months = []
    current = start.replace(day=1)
    while current <= end:
        months.append(current)
        current = add_months(current, 1)
    return months


AGE_BANDS = (
    ("under_26", _("Under 26")),
    ("26_35", _("26 to 35")),
    ("36_45", _("36 to 45")),
    ("46_55", _("46 to 55")),
    ("over_55", _("56 and over")),
    ("unknown", _("Not given")),
)


def age_band(birth_year: int | None, at: date) -> str:
    """The age band of someone born in `birth_year`, by the age they reach in `at`'s year."""
    if not birth_year:
        return "unknown"
    age = at.year - birth_year
    if age < 26:
        return "under_26"
    if age <= 35:
        return "26_35"
    if age <= 45:
        return "36_45"
    if age <= 55:
        return "46_55"
    return "over_55"
