"""Exact figures: every derived figure of a report is computed from whole numbers and rounded
once, half up, to the places of its unit (`PLACES`).

`round()` on floats follows neither rule a reader expects: `round(56.25, 1)` gives 56.2 (it
rounds half to even) and `round(1.775, 2)` gives 1.77 (1.775 is stored as 1.77499…). Here a
figure is a `Fraction` of integers until it is rounded (`exact`), half away from zero
(56.25 → 56.3, 1.775 → 1.78, -0.25 → -0.3), and its text (`decimal_text`) is written from the
rounded decimal, never from a float, so the page, the JSON, the CSV, the XLSX and the PDF all
print the same digits.
"""

from datetime import timedelta
from decimal import Decimal
from fractions import Fraction

# Decimal places of each unit (counts: none).
PLACES = {"percent": 1, "ratio": 2, "hours": 1, "days": 1}
DAY = timedelta(days=1)
MICROSECOND = timedelta(microseconds=1)
MICROSECONDS_A_DAY = DAY // MICROSECOND


def places_of(unit: str) -> int:
    return PLACES.get(unit, 0)


def exact(value, places: int) -> float | int:
    """`value` (an int, a Fraction, a Decimal or a decimal string) rounded half up (away from
    zero) to `places` decimals; an int when `places` is 0, else the float nearest to the
    rounded decimal (whose shortest text is that decimal)."""
    value = Fraction(value)
    scale = 10**places
    scaled = abs(value) * scale
    whole = int(scaled)  # floor, for a non-negative number
    if scaled - whole >= Fraction(1, 2):
        whole += 1
    if value < 0:
        whole = -whole
    if places == 0:
        return whole
    return float(Fraction(whole, scale))


def ratio(numerator: int, denominator: int, places: int, *, scale: int = 1):
    """`scale * numerator / denominator`, exactly, rounded half up (None over zero)."""
    if not denominator:
        return None
    return exact(Fraction(scale * numerator, denominator), places)


def days(delay: timedelta) -> Fraction:
    """A delay in days, exactly (to the microsecond)."""
    return Fraction(delay // MICROSECOND, MICROSECONDS_A_DAY)


def exact_median(values, places: int = 1, *, unit: int = 1):
    """The median of whole numbers or Fractions (the mean of the two middle ones for an even
    count), divided by `unit`, rounded half up; None without values.

    The values are sorted as they are (whole numbers sort fast: a year of referrals' delays as
    Fractions took a second to sort) and only the middle ones made exact."""
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        value = Fraction(ordered[middle])
    else:
        value = (Fraction(ordered[middle - 1]) + Fraction(ordered[middle])) / 2
    return exact(value / unit, places)


def as_fraction(value) -> Fraction:
    """A shown figure (an int, or a float written with few decimals) as the decimal it reads."""
    return Fraction(Decimal(repr(value)))


def decimal_text(value, places: int) -> str:
    """The digits of a figure rounded half up to `places`, with "," thousands and "." decimal
    separators (the caller puts the language's separators in)."""
    rounded = Decimal(repr(exact(as_fraction(value), places)))
    return f"{rounded:,.{places}f}"
