"""Periods on the `Presence` table: months as one integer, the days of a month as 31 bits.

`active(start, end)` selects the Presence rows with a day in a period cut at any day;
`presences(scope, start, end)` the rows of the persons who count in a report's scope.
"""

import calendar
from datetime import date

from django.db.models import Case, F, IntegerField, Q, Value, When
from django.db.models.lookups import GreaterThan

from ..models import Presence
from ..periods import day_start
from ..refresh import month_of

ALL_DAYS = (1 << 31) - 1


def month_index(day: date) -> int:
    return day.year * 12 + day.month - 1


def day_mask(first: int, last: int) -> int:
    """Bits of the days first…last of a month."""
    return ((1 << last) - 1) ^ ((1 << (first - 1)) - 1)


def days_in_month(day: date) -> int:
    return calendar.monthrange(day.year, day.month)[1]


def any_day(mask: int) -> Q:
    return Q(GreaterThan(F("days").bitand(Value(mask)), 0)) if mask != ALL_DAYS else Q()


def active(start: date, end: date) -> Q:
    """Presence rows with a day between `start` and `end` (both included)."""
    first, last = month_index(start), month_index(end)
    start_mask = day_mask(start.day, 31) if start.day > 1 else ALL_DAYS
    end_mask = day_mask(1, end.day) if end.day < days_in_month(end) else ALL_DAYS
    if first == last:
        return Q(month=first) & any_day(start_mask & end_mask)
    return (
        Q(month__gt=first, month__lt=last)
        | (Q(month=first) & any_day(start_mask))
        | (Q(month=last) & any_day(end_mask))
    )


def full_months(start: date, end: date) -> tuple[int, int, list[tuple[date, date]]]:
    """The whole months of a period (first and last month index, maybe empty) and the day
    ranges left at its edges."""
    first, last = month_index(start), month_index(end)
    edges = []
    if start.day > 1:
        edge_end = min(end, start.replace(day=days_in_month(start)))
        edges.append((start, edge_end))
        first += 1
    if end.day < days_in_month(end) and month_index(end) >= first:
        edges.append((max(start, end.replace(day=1)), end))
        last -= 1
    return first, last, edges


def presences(scope, start: date, end: date, structures=None):
    """Presence rows of persons who count (filters of the scope), active in [start, end]."""
    return (
        Presence.objects.filter(
            structure_id__in=structures or scope.structure_ids,
            month__gte=month_index(start),
            month__lte=month_index(end),
        )
        .filter(active(start, end))
        .filter(merged=False)
        .filter(scope.territory_q(prefix=""))
    )


def days_between(start: date, end: date) -> Case:
    """A Presence row's day bits that fall between `start` and `end`: its first and last months
    cut at those days, the months between whole."""
    first, last = month_index(start), month_index(end)
    return Case(
        When(month=first, then=F("days").bitand(Value(day_mask(start.day, 31)))),
        When(month=last, then=F("days").bitand(Value(day_mask(1, end.day)))),
        default=F("days"),
        output_field=IntegerField(),
    )


class Slots:
    """The whole months of a range read at once (`runner.Computation(…, sliced=True)`): each
    row of a family's statements is tagged with its month index (`month_index`), so that the
    figures of any period of whole months within the range are built from the rows of its
    months (`Family.take`)."""

    def __init__(self, start: date, end: date):
        self.first, self.last = month_index(start), month_index(end)

    def of_date(self, field: str):
        """The month of a date column."""
        return month_of(field)

    def of_moment(self, field: str) -> Case:
        """The month of a moment's local day: the same bounds as a period's filter
        (`periods.day_start` of the first day of the next month)."""
        whens = []
        for index in range(self.first, self.last):
            after = date((index + 1) // 12, (index + 1) % 12 + 1, 1)
            whens.append(When(**{f"{field}__lt": day_start(after)}, then=Value(index)))
        return Case(*whens, default=Value(self.last), output_field=IntegerField())

    @staticmethod
    def of(filters) -> range:
        """The month indexes of a period of whole months."""
        return range(month_index(filters.date_from), month_index(filters.date_to) + 1)
