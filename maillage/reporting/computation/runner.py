"""Run the families of indicators: their statements side by side, then their figures.

`Computation(filters).run()` asks every family (`FAMILIES`) for its statements, runs them on
`REPORT_PARALLEL_QUERIES` connections at once on PostgreSQL (one at a time on SQLite or inside
a transaction), without JIT compilation, resolves the person profiles' territories, then lets
each family build its figures. The time of every step is kept in `timings` (printed by
`manage.py bench_reports`).

`Computation(range, sliced=True)` reads a range of whole months by month (the families whose
figures add up over months: `SLICEABLE`) without building figures; `Computation(period,
sources=that)` then builds a period of whole months within the range from those rows instead of
fetching them (`Family.take`), and fetches only what its other families need.
`Computation(period, alike=other)` reuses, instead of fetching them, the rows of `other` that
are its own (`Family.reuse`: the 12-month windows of a period ending on the same day).
"""

from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from contextvars import copy_context
from functools import partial
from time import perf_counter

from django.conf import settings
from django.db import connection, connections, transaction

from maillage.core.db_routing import read_alias

from ..report import ReportFilters
from ..scope import Scope
from .acts import Acts
from .applications import Applications
from .crossings import Crossings
from .figures import RawPeriod
from .months import Slots
from .outcomes import Outcomes
from .persons import Persons
from .profiles import Profiles, Territories
from .referrals import Referrals
from .sessions import Sessions
from .wandering import Wandering

# In catalogue order; each produces the indicators of its `codes`.
FAMILIES = (Persons, Acts, Applications, Sessions, Referrals, Outcomes, Wandering, Crossings)
# The order their statements start in when they run side by side: the longest first (the
# 12-month windows of `wandering`, then the period's people, referrals, applications and
# outcomes; docs/benchmarks.md), so that the short ones fill the gaps.
SCHEDULE = (Wandering, Crossings, Persons, Referrals, Applications, Outcomes, Sessions, Acts)
# The families whose rows a range of months can be read for by month (their figures add up).
SLICEABLE = (Acts, Applications, Sessions, Referrals, Outcomes)


class Computation:
    def __init__(
        self,
        filters: ReportFilters,
        scope: Scope | None = None,
        compare=True,
        *,
        sliced: bool = False,
        sources: "Computation | None" = None,
        alike: "Computation | None" = None,
        territories: Territories | None = None,
    ):
        self.cur = filters
        self.scope = scope or Scope(filters)
        self.periods = (filters, filters.previous()) if compare and not sliced else (filters,)
        self.start = min(p.date_from for p in self.periods)
        self.result = tuple(RawPeriod(p) for p in self.periods)
        self.profiles = Profiles(territories)
        self.timings = {}
        self.slots = Slots(filters.date_from, filters.date_to) if sliced else None
        self.sources = sources
        self.alike = alike
        # What the computations of one report share (`alike`): e.g. the referrals the crossings
        # compare arrivals with.
        self.shared = alike.shared if alike is not None else {}
        self.reused = set()  # the families whose rows were reused from `alike`
        families = SLICEABLE if sliced else FAMILIES
        self.families = [family(self) for family in families]

    def source_of(self, family):
        """The same family's reading by month that this one takes its rows from, if any."""
        if self.sources is None:
            return None
        for found in self.sources.families:
            if type(found) is type(family):
                return found
        return None

    def steps(self) -> list:
        """Every family's statements, in `SCHEDULE` order: the long ones, then the others
        (none for the families whose rows are taken from a reading by month)."""
        families = sorted(
            (
                family
                for family in self.families
                if self.source_of(family) is None and family not in self.reused
            ),
            key=lambda family: SCHEDULE.index(type(family)),
        )
        return [
            *(step for family in families for step in family.long_fetches()),
            *(step for family in families for step in family.fetches()),
        ]

    def run(self) -> tuple[RawPeriod, ...]:
        if not self.scope.structure_ids:
            return self.result
        if self.alike is not None:
            for family in self.families:
                other = next((f for f in self.alike.families if type(f) is type(family)), None)
                if other is not None and family.reuse(other):
                    self.reused.add(family)
        self.fetch()
        if self.slots is not None:
            return self.result  # rows by month, for other computations to take
        for family in self.families:
            source = self.source_of(family)
            if source is not None:
                self.timed(partial(family.take, source), f"take_{family.name}")
        self.timed(self.profiles.resolve)
        for family in self.families:
            self.timed(family.build, f"build_{family.name}")
        return self.result

    def fetch(self) -> None:
        """Run the statements (side by side on PostgreSQL)."""
        steps = self.steps()
        workers = parallel_workers()
        if workers > 1:
            with ThreadPoolExecutor(max_workers=workers) as pool:
                # Each thread runs in a copy of this context: it reads where this one reads.
                futures = [pool.submit(copy_context().run, self.in_thread, step) for step in steps]
                for future in futures:
                    future.result()
        else:
            with without_jit():
                for step in steps:
                    self.timed(step)

    def in_thread(self, step) -> None:
        """Run a step on this thread's own connection, closed afterwards."""
        alias = read_alias()
        try:
            with without_jit(side_by_side=True):
                self.timed(step)
        finally:
            connections[alias].close()

    def timed(self, step, name: str | None = None) -> None:
        """Run a step and note its time in `timings` (printed by `manage.py bench_reports`)."""
        started = perf_counter()
        step()
        self.timings[name or step.__name__] = perf_counter() - started


@contextmanager
def without_jit(side_by_side: bool = False):
    """On PostgreSQL, a transaction without JIT compilation: compiling the grouped statements
    took longer (about 60 ms each) than running them. On the connection reads use
    (`core.db_routing`: the replica, when the report reads from one)."""
    alias = read_alias()
    if connections[alias].vendor != "postgresql":
        yield
        return
    with transaction.atomic(using=alias):
        with connections[alias].cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")
            if side_by_side:
                # The statements already run side by side: no parallel workers on top.
                cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")
        yield


def parallel_workers() -> int:
    """How many statements run at once: `REPORT_PARALLEL_QUERIES` (default 3) connections on
    PostgreSQL, one on SQLite or inside a transaction (other connections would not see its
    rows, e.g. in the tests)."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return 1
    return max(1, int(getattr(settings, "REPORT_PARALLEL_QUERIES", 3)))


def compute(
    filters: ReportFilters, scope: Scope | None = None, *, compare: bool = True
) -> tuple[RawPeriod, ...]:
    """The raw figures of the period (and of the previous one, with `compare`)."""
    return Computation(filters, scope, compare).run()
