"""What every family of indicators shares: the report's scope and periods, and a few helpers.

A family (one module of this package each) declares the indicator `codes` it produces, the
statements that fetch its rows (`fetches`, plus `long_fetches` for the slowest, which the runner
starts first) and `build`, which turns those rows into figures with `put`. Fetches may run side
by side on their own connections (`runner.py`): they only write to their own family's
attributes; `build` runs afterwards, on the request's thread, once the profiles are resolved.

The families whose figures add up over months (acts, applications, sessions, referrals,
outcomes) can also read a range of whole months at once, every row tagged with its month
(`slots`, set by `Computation(…, sliced=True)`), and `take` the rows of a period of whole
months within it from such a reading instead of fetching them: what a masked report reads for
each month of its periods and for their neighbour periods (`comparisons.Readings`).
"""

from collections import Counter
from functools import partial

from django.db.models import Case, IntegerField, Value, When

from ..periods import day_start
from ..report import ReportFilters
from ..scope import NONE
from ..sql import Grouped, added_up, placeholders
from .figures import CURRENT, PREVIOUS, Raw, RawIndicator
from .months import Slots


class Family:
    name = ""  # timings: "build_<name>"
    codes: tuple[str, ...] = ()  # the indicators it puts, every period

    def __init__(self, computation):
        self.scope = computation.scope
        self.cur: ReportFilters = computation.cur
        self.periods: tuple[ReportFilters, ...] = computation.periods
        self.start = computation.start  # the first day of the earliest period
        self.result = computation.result
        self.profiles = computation.profiles
        self.slots = computation.slots  # months.Slots when reading a range by month
        self.rows = {}

    def long_fetches(self) -> list:
        """Statements to start first (the slowest)."""
        return []

    def fetches(self) -> list:
        return []

    def build(self) -> None:
        raise NotImplementedError

    def reuse(self, other: "Family") -> bool:
        """Take the rows this period would fetch from the same family of another computation
        (already run) when they are the same statements' (True), else fetch them (False)."""
        return False

    def take(self, source: "Family") -> None:
        """Take this period's rows from the same family's reading of a range of months by
        month (`source`), as `fetches` would have read them."""
        raise NotImplementedError(f"{type(self).__name__} cannot be read by month.")

    # --- helpers ------------------------------------------------------------------------------

    def put(self, period: int, code: str, total: Raw, breakdowns=None):
        if code not in self.codes:
            raise LookupError(f"{type(self).__name__} does not declare the indicator {code!r}.")
        self.result[period].indicators[code] = RawIndicator(code, total, breakdowns or {})

    def run(self, key: str, grouped: Grouped) -> dict:
        """Run a grouped statement; its rows are kept in `rows[key]` and its postal codes noted
        (reading by month: the rows by month, whose postal codes `take` notes)."""
        self.rows[key] = rows = grouped.run()
        if not grouped.by:
            self.profiles.collect(rows)
        return rows

    def grouped(self, base, field: str, *, moment: bool = False) -> Grouped:
        """A grouped statement over `base`; reading by month, also grouped by the month of each
        row's `field` (a date, or a moment's local day)."""
        if self.slots is None:
            return Grouped(base)
        slot = self.slots.of_moment(field) if moment else self.slots.of_date(field)
        return Grouped(base.annotate(mon=slot), by="mon")

    def months(self) -> range:
        """The month indexes of this (whole-month) period."""
        return Slots.of(self.cur)

    def by_month(self, key: str, rows, month_of_row) -> dict:
        """Rows of a reading by month indexed by their month (once per reading)."""
        found = self.rows.get(f"by_month:{key}")
        if found is None:
            found = self.rows[f"by_month:{key}"] = {}
            for row in rows:
                found.setdefault(month_of_row(row), []).append(row)
        return found

    def taken(self, source: "Family", key: str) -> dict:
        """This period's rows of a grouped statement read by month, its postal codes noted."""
        self.rows[key] = rows = added_up(source.rows[key], self.months())
        self.profiles.collect(rows)
        return rows

    def period_case(self, field: str, *, moment: bool = False):
        """CURRENT for a row dated in the period, PREVIOUS before it."""
        start = day_start(self.cur.date_from) if moment else self.cur.date_from
        return Case(
            When(**{f"{field}__gte": start}, then=Value(CURRENT)),
            default=Value(PREVIOUS),
            output_field=IntegerField(),
        )

    def stages_from_offers(self, offers: Counter) -> Counter:
        """Rows by stage from rows by offer (each row has one offer: exact)."""
        stages = Counter()
        for offer, n in offers.items():
            for stage in self.scope.stages_of_offer(offer if offer != NONE else None):
                stages[stage] += n
        return stages

    def offer_sql(self, column: str) -> tuple[str, list]:
        """The offer and stage filters on a column of offer ids, as SQL."""
        s = self.scope
        parts, params = [], []
        if s.offer_id is not None:
            parts.append(f"{column} = %s")
            params.append(s.offer_id)
        if s.stage_id is not None:
            stage = f"{column} IN ({placeholders(s.stage_offer_ids)})"
            params += s.stage_offer_ids
            if s.stage_id == s.first_stage:
                stage = f"({stage} OR {column} IS NULL)"
            parts.append(stage)
        return (" AND ".join(parts) or "1 = 1"), params


def partial_step(method, period: int):
    """A step bound to one period, named after both (for `timings`)."""
    step = partial(method, period)
    step.__name__ = f"{method.__name__}[{period}]"
    return step
