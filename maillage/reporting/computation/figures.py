"""What the families of indicators produce: raw figures (before masking) and their categories.

A family `put`s one `RawIndicator` per code and period: a total and its breakdowns, each a list
of (category key, `Raw`) in display order (`ordered`). Fixed categories (genders, age bands,
statuses, answers…) are listed whole, zeros included; the others as met.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction

from maillage.pathways.models import ApplicationStatus, OutcomeFamily

from ..numbers import PLACES, exact, exact_median, ratio
from ..report import ReportFilters
from ..scope import NONE
from ..sql import as_int

CURRENT, PREVIOUS = 0, 1


@dataclass
class Raw:
    """A figure before masking. `n`: how many people or rows it stands on (a count: itself;
    hours: the acts summed; a rate: its denominator; a median: its values). `num`: a rate's
    numerator."""

    value: int | float | None
    n: int
    num: int | None = None


def count(n: int) -> Raw:
    return Raw(n, n)


def rate(num: int, den: int) -> Raw:
    """A percentage, exactly, rounded half up to one decimal (`numbers.exact`)."""
    return Raw(ratio(num, den, PLACES["percent"], scale=100), den, num)


def median_of(values: list, unit: int = 1) -> Raw:
    """The median of whole numbers or exact Fractions of days (or of whole numbers of
    1/`unit` days), rounded half up."""
    return Raw(exact_median(values, PLACES["days"], unit=unit), len(values))


def hours(minutes: int, acts: int) -> Raw:
    return Raw(exact(Fraction(minutes, 60), PLACES["hours"]), acts)


@dataclass
class RawIndicator:
    code: str
    total: Raw
    # dimension → [(category key, raw figure)] in display order
    breakdowns: dict[str, list[tuple[object, Raw]]] = field(default_factory=dict)


@dataclass
class RawPeriod:
    filters: ReportFilters
    indicators: dict[str, RawIndicator] = field(default_factory=dict)
    # (source key, target key, referrals): the source key is a structure id or "public"
    flows: list[tuple[object, int, int]] = field(default_factory=list)
    months: list[tuple[date, int, int]] = field(default_factory=list)  # (month, acts, minutes)


# --- Categories -----------------------------------------------------------------------------

PERSON_DIMENSIONS = ("gender", "age_band", "situation", "priority_neighbourhood", "territory")
GENDERS = ("female", "male", "other", "unknown")
AGE_BANDS = ("under_26", "26_35", "36_45", "46_55", "over_55", "unknown")
ANSWERS = ("waiting", "accepted", "declined", "redirected", "expired", "cancelled")
FIXED = {
    "gender": GENDERS,
    "age_band": AGE_BANDS,
    "priority_neighbourhood": ("yes", "no"),
    "accompaniment": ("new", "ongoing"),
    "application_status": tuple(ApplicationStatus.values),
    "referral_answer": ANSWERS,
    "next_step": ("referral", "no_next_step"),
    "outcome_family": tuple(OutcomeFamily.values),
}


def ordered(dimension: str, counter: Counter, order=None) -> list[tuple[object, int]]:
    """Categories of a breakdown in display order: fixed lists whole (zeros included), the
    others as met, in `order` when given."""
    keys = FIXED.get(dimension)
    if keys is not None:
        extra = [k for k in counter if k not in keys]
        return [(k, counter.get(k, 0)) for k in (*keys, *extra)]
    rank = {k: i for i, k in enumerate(order or ())}
    return sorted(
        ((k, n) for k, n in counter.items() if n),
        key=lambda item: (rank.get(item[0], len(rank)), str(item[0])),
    )


def as_counts(breakdowns: dict) -> dict:
    return {d: [(k, count(n)) for k, n in rows] for d, rows in breakdowns.items()}


# --- Reading the rows of `sql.Grouped` ------------------------------------------------------


def first_value(rows: dict, tag: str) -> int:
    """The first aggregate of a branch without keys (0 when it has no row)."""
    found = rows.get(tag)
    return (found[0][2] or 0) if found else 0


def keyed(rows: dict, tag: str) -> Counter:
    """The first aggregate of a one-key branch, by key (NULL: "none")."""
    return Counter(
        {(as_int(k) if k is not None else NONE): n or 0 for k, _k2, n, *_ in rows.get(tag, ())}
    )
