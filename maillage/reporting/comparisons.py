"""What a masked reader may compare: whole months, filters that single nobody out, the months
of a period and the periods one month shorter at either end that its figures are checked
against (docs/masking.md).

`selectors.build_report` and the filter form ask `problem(filters)` for a masked reader's
request; `months_of(filters)` and `neighbours(filters)` give the periods `masking.MaskedPeriod`
compares figures with, and `Readings` computes each of them once per report.
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


def months_of(filters: ReportFilters) -> tuple[ReportFilters, ...]:
    """Each month of a period of several whole months, as a period of its own."""
    if filters.months < 2:
        return ()
    found, start = [], filters.date_from.replace(day=1)
    while start <= filters.date_to:
        after = (start + timedelta(days=31)).replace(day=1)
        found.append(filters.with_period(start, min(after - timedelta(days=1), filters.date_to)))
        start = after
    return tuple(found)


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


# Counts of rows that stand for people the report shows besides the people accompanied: each
# application, referral or outcome is one person's.
POPULATIONS = ("applications", "referrals_sent", "referrals_received", "outcomes")


def populations_in(filters: ReportFilters) -> dict[str, int]:
    """The applications, referrals sent and received and outcomes of the scope in the period,
    as the report counts them (its own statements: the same filters, one reading)."""
    from .computation import Computation
    from .computation.applications import Applications
    from .computation.outcomes import Outcomes
    from .computation.referrals import Referrals

    computation = Computation(filters, compare=False)
    computation.families = [
        f for f in computation.families if isinstance(f, (Applications, Referrals, Outcomes))
    ]
    raw = computation.run()[0]
    return {
        code: raw.indicators[code].total.value for code in POPULATIONS if code in raw.indicators
    }


def few(kept: int, whole: int) -> bool:
    return 1 <= kept < THRESHOLD or 1 <= whole - kept < THRESHOLD


def isolates_few_people(filters: ReportFilters) -> bool:
    """Whether the filters (structure, offer, stage, territory) keep, or leave out, from 1 to
    4 of the people of the network's report over the same period: two reports would then
    differ by a handful of people, whose profile the breakdowns would give away.

    Judged on every population of people the report breaks down: the people accompanied, and
    the applications, referrals sent, referrals received and outcomes (one person's each)."""
    narrowed = (filters.structure, filters.offer, filters.stage, filters.territory)
    if all(value is None for value in narrowed):
        return False
    network = ReportFilters(filters.network, filters.date_from, filters.date_to)
    if few(people_in(filters), people_in(network)):
        return True
    whole, kept = populations_in(network), populations_in(filters)
    return any(few(kept.get(code, 0), whole.get(code, 0)) for code in POPULATIONS)


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
            "These filters would keep, or leave out, fewer than 5 of the network's people (people "
            "accompanied, applications, referrals or outcomes) over this period: compared with "
            "the network's report they would single people out. "
            "Choose a wider filter or a longer period."
        )
    return None


class Readings:
    """The raw figures of the periods a masked report is compared with, each computed once per
    report (a period of two months has its months for neighbours).

    A month is read for the counts that add up over months only (acts, applications,
    referrals, outcomes): the families of people (and the 12-month windows of wandering) are
    left out. The families whose figures add up over months are read once for the whole range
    of the report's periods, by month (one statement per family grouped by month:
    `Computation(…, sliced=True)`), and each month and each neighbour period built from the
    rows of its months (`Family.take`); a neighbour period fetches only its figures of people
    (people accompanied, wandering, crossings), and a neighbour ending on the same day as a
    period of the report reuses that period's 12-month windows (`Family.reuse`). Every figure is
    what a computation of that period alone gives (`tests/reporting/test_readings.py`).
    """

    def __init__(self, scope: Scope, periods: tuple[ReportFilters, ...] = (), alike=None):
        from .computation.profiles import Territories

        self.scope = scope
        self.alike = alike  # the report's computation: rows a neighbour period may reuse
        self.found = {}
        self.territories = Territories()
        # The range read by month: every month of the report's periods (whole months).
        whole = [p for p in periods if p.whole_months]
        self.range = (
            whole[0].with_period(min(p.date_from for p in whole), max(p.date_to for p in whole))
            if whole and len(whole) == len(periods)
            else None
        )
        self.by_month = None

    def sources(self, filters: ReportFilters):
        """The reading by month of the report's range, when it holds this period of whole
        months (read on first use)."""
        from .computation import Computation

        r = self.range
        if r is None or not filters.whole_months:
            return None
        if not (r.date_from <= filters.date_from and filters.date_to <= r.date_to):
            return None
        if self.by_month is None:
            self.by_month = Computation(r, self.scope, compare=False, sliced=True)
            self.by_month.run()
        return self.by_month

    def _compute(self, filters: ReportFilters, families=None):
        from .computation import Computation

        computation = Computation(
            filters,
            self.scope,
            compare=False,
            sources=self.sources(filters),
            alike=self.alike,
            territories=self.territories,
        )
        if families is not None:
            computation.families = [f for f in computation.families if type(f) in families]
        return computation.run()[0]

    def period(self, filters: ReportFilters):
        """Every figure of a period."""
        key = (filters.date_from, filters.date_to, True)
        if key not in self.found:
            self.found[key] = self._compute(filters)
        return self.found[key]

    def month(self, filters: ReportFilters):
        """The figures of a month that add up over months (or all of them, if already read)."""
        from .computation.acts import Acts
        from .computation.applications import Applications
        from .computation.outcomes import Outcomes
        from .computation.referrals import Referrals

        whole = self.found.get((filters.date_from, filters.date_to, True))
        if whole is not None:
            return whole
        key = (filters.date_from, filters.date_to, False)
        if key not in self.found:
            self.found[key] = self._compute(filters, (Acts, Applications, Referrals, Outcomes))
        return self.found[key]
