"""Reading one cell's value: dates, durations, phones, e-mails, numbers, yes/no, text.

Each parser takes what `readers` gives (stripped text, int, float, date, datetime, time, or a
timedelta from a duration cell) and returns the value in the form the models store, or raises
`CellError` whose `reason` says what was expected, in the user's language. Empty cells are the
caller's business: a parser given None raises CellError.

Parsers of text are memoised per distinct value (a year of acts has a few hundred distinct dates
and durations, not 100,000), so a large file costs a dictionary lookup per cell.
"""

import datetime
import re
from functools import lru_cache

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.utils.translation import gettext as _

from maillage.core.text import normalise


class CellError(Exception):
    """A cell that cannot be read; `reason` is a translated sentence saying what was expected."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


_CACHE_SIZE = 65536

# --- Dates --------------------------------------------------------------------------------------

EXCEL_EPOCH = datetime.date(1899, 12, 30)  # serial 1 is 31/12/1899 in this count, 61 is 1/3/1900
# Serial numbers accepted as dates: 1900-01-01 to 2199-12-31 (anything else is a number).
_SERIAL_MIN, _SERIAL_MAX = 2, 109574
_TIME = r"(?:[ T]+\d{1,2}[:h]\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?"
_DAY_FIRST = re.compile(rf"(\d{{1,2}})\s*([/.-])\s*(\d{{1,2}})\s*\2\s*(\d{{4}}|\d{{2}}){_TIME}")
_YEAR_FIRST = re.compile(rf"(\d{{4}})([/.-])(\d{{1,2}})\2(\d{{1,2}}){_TIME}")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")


def _date_error() -> CellError:
    return CellError(_("Expected a date such as 31/01/2026 or 2026-01-31."))


def _calendar_error() -> CellError:
    return CellError(
        _("This day does not exist in the calendar. Expected a date such as 31/01/2026.")
    )


def _from_serial(serial: float) -> datetime.date:
    if not _SERIAL_MIN <= serial <= _SERIAL_MAX:
        raise _date_error()
    return EXCEL_EPOCH + datetime.timedelta(days=int(serial))


def _full_year(year: str) -> int:
    """A two-digit year as spreadsheets read it: 00-29 are 2000-2029, 30-99 are 1930-1999."""
    value = int(year)
    if len(year) == 4:
        return value
    return 2000 + value if value < 30 else 1900 + value


def _make_date(year: int, month: int, day: int) -> datetime.date:
    if not 1 <= month <= 12 or not 1 <= day <= 31:
        raise _date_error()
    try:
        return datetime.date(year, month, day)
    except ValueError:
        raise _calendar_error() from None


@lru_cache(maxsize=_CACHE_SIZE)
def _date_from_text(text: str) -> datetime.date:
    if match := _DAY_FIRST.fullmatch(text):
        day, _separator, month, year = match.groups()
        return _make_date(_full_year(year), int(month), int(day))
    if match := _YEAR_FIRST.fullmatch(text):
        year, _separator, month, day = match.groups()
        return _make_date(int(year), int(month), int(day))
    if _NUMBER.fullmatch(text):
        return _from_serial(float(text.replace(",", ".")))
    raise _date_error()


def parse_date(value) -> datetime.date:
    """A date from a date cell, a spreadsheet serial number (1900 system) or a text such as
    31/01/2026, 31/1/2026, 31/01/26, 31-01-2026, 31.01.2026 or 2026-01-31 (a time after it is
    ignored). An impossible day (31/02) is an error, never moved to the next month."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, bool) or value is None:
        raise _date_error()
    if isinstance(value, int | float):
        return _from_serial(value)
    if isinstance(value, str):
        return _date_from_text(value.strip())
    raise _date_error()


# --- Durations ----------------------------------------------------------------------------------

_HOURS_WORD = r"(?:h|hr|hrs|heure|heures|hour|hours)"
_MINUTES_WORD = r"(?:m|mn|min|mins|minute|minutes|'|\u2019)"
_DURATION_PATTERNS = (
    # 1h30, 1 h 30, 3h00, 3h, 1h30min, 2 heures 15 minutes
    (re.compile(rf"(\d+)\s*{_HOURS_WORD}\.?\s*(?:(\d{{1,2}})\s*(?:{_MINUTES_WORD}\.?)?)?"), "hm"),
    # 90 min, 45mn
    (re.compile(rf"(\d+)\s*{_MINUTES_WORD}\.?"), "m"),
    # 1,5 h, 1.5 heures
    (re.compile(rf"(\d+[.,]\d+)\s*{_HOURS_WORD}\.?"), "decimal"),
    # 01:30, 1:30:00
    (re.compile(r"(\d{1,3}):(\d{2})(?::(\d{2}))?"), "clock"),
    # 90 (minutes)
    (re.compile(r"(\d+)"), "m"),
    # 1,5 or 1.5 (hours)
    (re.compile(r"(\d+[.,]\d+)"), "decimal"),
)


def _duration_error() -> CellError:
    return CellError(_("Expected a duration such as 1h30, 90 (minutes), 1,5 (hours) or 01:30."))


def _positive_minutes(minutes: float) -> int:
    rounded = int(minutes + 0.5)
    if rounded <= 0:
        raise CellError(_("A duration must be longer than zero: for instance 1h30 or 90."))
    return rounded


@lru_cache(maxsize=_CACHE_SIZE)
def _duration_from_text(text: str) -> int:
    text = text.lower()
    for pattern, kind in _DURATION_PATTERNS:
        match = pattern.fullmatch(text)
        if match is None:
            continue
        if kind == "m":
            return _positive_minutes(int(match.group(1)))
        if kind == "decimal":
            return _positive_minutes(float(match.group(1).replace(",", ".")) * 60)
        hours, minutes = int(match.group(1)), int(match.group(2) or 0)
        seconds = int(match.group(3) or 0) if kind == "clock" else 0
        if minutes > 59 or seconds > 59:
            raise _duration_error()
        return _positive_minutes(hours * 60 + minutes + seconds / 60)
    raise _duration_error()


def parse_duration(value) -> int:
    """Minutes (more than zero) from 1h30, 1 h 30, 3h00, 3h, 90 min, 90 (a whole number is
    minutes), 1,5 or 1.5 (a decimal number is hours), 01:30, or a time or duration cell."""
    if isinstance(value, datetime.timedelta):
        return _positive_minutes(value.total_seconds() / 60)
    if isinstance(value, datetime.time):
        return _positive_minutes(value.hour * 60 + value.minute + value.second / 60)
    if isinstance(value, bool) or value is None or isinstance(value, datetime.date):
        raise _duration_error()
    if isinstance(value, int):
        return _positive_minutes(value)
    if isinstance(value, float):
        return _positive_minutes(value if value.is_integer() else value * 60)
    if isinstance(value, str):
        return _duration_from_text(" ".join(value.split()))
    raise _duration_error()


# --- Phones -------------------------------------------------------------------------------------

_PHONE_NOISE = re.compile(r"[\s.\-/()\u00a0\u202f]+")
_TRUNK_ZERO = re.compile(r"^(\+|00)(\d{1,3})\s*\(0\)")


def _phone_error() -> CellError:
    return CellError(_("Expected a phone number such as 06 12 34 56 78 or +33 6 12 34 56 78."))


def _french(national_digits: str) -> str:
    """ "0612345678" → "06 12 34 56 78"."""
    return " ".join(national_digits[index : index + 2] for index in range(0, 10, 2))


@lru_cache(maxsize=_CACHE_SIZE)
def _phone_from_text(text: str) -> str:
    text = _TRUNK_ZERO.sub(r"\1\2", text.strip())  # "+33 (0)6 12…": the 0 is not dialled
    for prefix in ("tel:", "tél:", "tel", "tél"):
        if text.lower().startswith(prefix):
            text = text[len(prefix) :]
            break
    digits = _PHONE_NOISE.sub("", text)
    international = digits.startswith("+") or digits.startswith("00")
    digits = digits.lstrip("+")
    if digits.startswith("00"):
        digits = digits[2:]
    if not digits.isdigit():
        raise _phone_error()
    if international:
        if digits.startswith("33") and len(digits) == 11 and digits[2] != "0":
            return _french("0" + digits[2:])
        if digits.startswith("330") and len(digits) == 12:
            return _french(digits[2:])
        if 8 <= len(digits) <= 15:
            return "+" + digits
        raise _phone_error()
    if len(digits) == 10 and digits[0] == "0" and digits[1] != "0":
        return _french(digits)
    if len(digits) == 9 and digits[0] != "0":  # a spreadsheet dropped the leading zero
        return _french("0" + digits)
    raise _phone_error()


def parse_phone(value) -> str:
    """A French number written "06 12 34 56 78" (from +33 6…, 0033 6…, +33 (0)6…, 0612345678,
    06.12.34.56.78, or the 9 digits a spreadsheet keeps of 0612345678); any other as
    "+<digits>" when written with its country code."""
    if isinstance(value, bool) or value is None:
        raise _phone_error()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int):
        value = str(value)
    if not isinstance(value, str):
        raise _phone_error()
    return _phone_from_text(value)


# --- E-mail addresses ---------------------------------------------------------------------------

_validate_email = EmailValidator()


def parse_email(value) -> str:
    """An e-mail address, lower-cased, checked as Django's forms check it."""
    if not isinstance(value, str):
        raise CellError(_("Expected an e-mail address such as camille@example.org."))
    address = value.strip()
    if address.lower().startswith("mailto:"):
        address = address[7:]
    address = address.strip().strip("<>").strip().lower()
    try:
        _validate_email(address)
    except ValidationError:
        raise CellError(_("Expected an e-mail address such as camille@example.org.")) from None
    return address


# --- Numbers, yes/no, text ----------------------------------------------------------------------

_INTEGER = re.compile(r"[+-]?\d+")
_INTEGER_FLOAT = re.compile(r"[+-]?\d+[.,]0+")


def parse_int(value) -> int:
    """A whole number: 12, "12", "1 234", "12,0"."""
    if isinstance(value, bool) or value is None:
        raise CellError(_("Expected a whole number such as 12."))
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        text = "".join(value.split()).replace("\u202f", "")
        if _INTEGER.fullmatch(text):
            return int(text)
        if _INTEGER_FLOAT.fullmatch(text):
            return int(text.replace(",", ".").split(".")[0])
    raise CellError(_("Expected a whole number such as 12."))


_TRUE = frozenset({"oui", "o", "yes", "y", "x", "1", "vrai", "true", "v", "ok"})
_FALSE = frozenset({"non", "n", "no", "0", "faux", "false", "f"})


def parse_bool(value) -> bool:
    """Yes or no: oui/non, yes/no, o/n, x (a ticked box), 1/0, vrai/faux, true/false."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        word = normalise(value)
        if word in _TRUE:
            return True
        if word in _FALSE:
            return False
    raise CellError(_("Expected oui or non (also accepted: yes/no, x for yes, 1/0)."))


def parse_text(value, max_length: int | None = None) -> str:
    """Text as written (numbers without a trailing ".0", dates as dd/mm/yyyy), stripped;
    "" for an empty cell; CellError when longer than `max_length`."""
    if value is None:
        return ""
    if isinstance(value, bool):
        text = _("yes") if value else _("no")
    elif isinstance(value, float) and value.is_integer():
        text = str(int(value))
    elif isinstance(value, datetime.datetime):
        text = value.strftime("%d/%m/%Y %H:%M")
    elif isinstance(value, datetime.date):
        text = value.strftime("%d/%m/%Y")
    elif isinstance(value, datetime.time):
        text = value.strftime("%H:%M")
    else:
        text = str(value).strip()
    if max_length is not None and len(text) > max_length:
        raise CellError(
            _("Expected at most %(limit)s characters; this cell has %(length)s. Shorten it.")
            % {"limit": max_length, "length": len(text)}
        )
    return text
