"""What a masked reader may compare: whole months, filters that single nobody out, and the
periods one month shorter at either end that each count is checked against (docs/masking.md).

`selectors.build_report` and the filter form ask `problem(filters)` for a masked reader's
request; `neighbours(filters)` gives the periods `masking.MaskedPeriod` compares counts with.
"""

from datetime import timedelta

from django.utils.translation import gettext

from .masking import THRESHOLD
from .refresh import ensure_fresh
from .report import ReportFilters
from .scope import Scope


def whole_months(filters: ReportFilters) -> ReportFilters:
    """The period widened to whole months (from the first day of its first month to the last
    day of its last), what a masked reader reads."""
    end = filters.date_to.replace(day=1)
    end = end.replace(year=end.year + end.month // 12, month=end.month % 12 + 1)
    return filters.with_period(filters.date_from.replace(day=1), end - timedelta(days=1))


def neighbours(filters: ReportFilters) -> tuple[ReportFilters, ...]:
    """The periods one month shorter at either end, for a period of several whole months."""
    if filters.months < 2:
        return ()
    second = filters.date_from.replace(day=1) + timedelta(days=31)
    second = second.replace(day=1)
    before_last = filters.date_to.replace(day=1) - timedelta(days=1)
    return (
        filters.with_period(second, filters.date_to),
        filters.with_period(filters.date_from, before_last),
    )


def people_in(filters: ReportFilters) -> int:
    """How many people were present at an act of the scope in the period (one query)."""
    from .computation.months import presences

    ensure_fresh()
    scope = Scope(filters)
    if not scope.structure_ids:
        return 0
    return (
        presences(scope, filters.date_from, filters.date_to)
        .filter(scope.offer_q())
        .values("person_id")
        .distinct()
        .count()
    )


def isolates_few_people(filters: ReportFilters) -> bool:
    """Whether the filters (structure, offer, stage, territory) keep, or leave out, from 1 to
    4 of the people of the network's report over the same period: two reports would then
    differ by a handful of people, whose profile the breakdowns would give away."""
    narrowed = (filters.structure, filters.offer, filters.stage, filters.territory)
    if all(value is None for value in narrowed):
        return False
    whole = people_in(ReportFilters(filters.network, filters.date_from, filters.date_to))
    kept = people_in(filters)
    return 1 <= kept < THRESHOLD or 1 <= whole - kept < THRESHOLD


def problem(filters: ReportFilters) -> str | None:
    """Why a masked reader may not read this report as asked (None when they may)."""
    if not filters.whole_months:
        return gettext(
            "Small counts are masked in this report: choose whole months, from the first day of "
            "a month to the last day of a month, so that two reports cannot be told apart by a "
            "few days."
        )
    if isolates_few_people(filters):
        return gettext(
            "These filters would keep, or leave out, fewer than 5 of the network's people over "
            "this period: compared with the network's report they would single people out. "
            "Choose a wider filter or a longer period."
        )
    return None
