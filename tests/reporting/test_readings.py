"""A masked report's months and neighbour periods, read once by month (`comparisons.Readings`),
give the very figures and masking that computing each of those periods alone gives.

The oracle computes every period the masking compares with on its own, as the reports did
before the months were read by one statement per family: a neighbour period with every family,
a month with the families that add up over months. Both must agree on every raw figure (values,
rows, their order) and on every cell's state, for the period and the previous one, under
several filters and periods of 1, 2 and 12 months (one of them across two calendar years, where
age bands are read in another year than the months').
"""

import copy
from datetime import date

import pytest

from maillage.reporting import comparisons
from maillage.reporting.computation import Computation
from maillage.reporting.computation.acts import Acts
from maillage.reporting.computation.applications import Applications
from maillage.reporting.computation.outcomes import Outcomes
from maillage.reporting.computation.referrals import Referrals
from maillage.reporting.masking import MaskedPeriod
from maillage.reporting.refresh import ensure_fresh
from maillage.reporting.report import ReportFilters
from maillage.reporting.scope import Scope
from maillage.reporting.selectors import masked_period

from .shared import module_world

shared_world = module_world(persons=40)

MONTH_FAMILIES = (Acts, Applications, Referrals, Outcomes)
PERIODS = {
    "1 month": (date(2025, 3, 1), date(2025, 3, 31)),
    "2 months": (date(2025, 6, 1), date(2025, 7, 31)),
    "12 months": (date(2025, 1, 1), date(2025, 12, 31)),
    "12 months across two years": (date(2024, 11, 1), date(2025, 10, 31)),
}


@pytest.fixture
def world(shared_world, db):
    return copy.deepcopy(shared_world)


def alone(filters, scope, families=None):
    """A period computed on its own (the oracle)."""
    computation = Computation(filters, scope, compare=False)
    if families is not None:
        computation.families = [f for f in computation.families if type(f) in families]
    return computation.run()[0]


def oracle(raw, scope) -> MaskedPeriod:
    """The masked period, each period it is compared with computed alone (a neighbour that is
    also one of its months, in a period of two months, is read whole, as before)."""
    neighbours = tuple(alone(f, scope) for f in comparisons.neighbours(raw.filters))
    whole = {(n.filters.date_from, n.filters.date_to): n for n in neighbours}
    months = tuple(
        MaskedPeriod(whole.get((f.date_from, f.date_to)) or alone(f, scope, MONTH_FAMILIES), True)
        for f in comparisons.months_of(raw.filters)
    )
    return MaskedPeriod(raw, True, neighbours, months)


def cells(masked: MaskedPeriod) -> list:
    """Every cell as (key, value, n, num, state), in order."""
    found = [
        (key, cell.value, cell.raw.n, cell.raw.num, cell.state)
        for key, cell, _d in masked._figures()
    ]
    found += [(("hours", m), h.value, h.raw.n, h.state) for m, _a, h in masked.months]
    return found


def filters_of(world, name: str, days) -> ReportFilters:
    narrowed = {
        "network": {},
        "one structure": {"structure": world.structures[1]},
        "a stage": {"stage": world.stages[1]},
        "an offer": {"offer": world.offers["piles"]},
        "a territory": {"territory": world.territories["13"]},
    }[name]
    return ReportFilters(network=world.network, date_from=days[0], date_to=days[1], **narrowed)


def report_readings(filters):
    """The report's own computation and its readings, as `selectors.build_report` makes them."""
    scope = Scope(filters)
    computation = Computation(filters, scope)
    raws = computation.run()
    return scope, raws, comparisons.Readings(scope, tuple(r.filters for r in raws), computation)


# The statements read by month differ on SQLite (moments' months, date parts): a few cases
# there too.
ON_SQLITE = pytest.mark.sqlite
CASES = [
    ("network", "1 month"),
    ("network", "2 months"),
    ("network", "12 months"),
    pytest.param("network", "12 months across two years", marks=ON_SQLITE),
    ("one structure", "12 months"),
    pytest.param("a stage", "2 months", marks=ON_SQLITE),
    ("an offer", "12 months across two years"),
    pytest.param("a territory", "12 months", marks=ON_SQLITE),
]


@pytest.mark.parametrize(("narrowed", "period"), CASES)
def test_months_and_neighbours_read_by_month_mask_as_each_period_alone(world, narrowed, period):
    ensure_fresh()
    scope, raws, readings = report_readings(filters_of(world, narrowed, PERIODS[period]))
    for raw in raws:
        new = masked_period(raw, True, readings)
        old = oracle(raw, scope)
        assert new.neighbours == old.neighbours
        assert [m.raw for m in new.months_read] == [m.raw for m in old.months_read]
        assert cells(new) == cells(old)
    if PERIODS[period][0].month != PERIODS[period][1].month:
        # The months and neighbours were built from one reading by month.
        assert readings.by_month is not None


def test_the_months_read_by_month_hold_small_counts_to_mask(world):
    """The comparison above is not vacuous: the months of the network's year have figures
    hidden or shown "<5" that the year's own figures would not hide."""
    ensure_fresh()
    _scope, raws, readings = report_readings(filters_of(world, "network", PERIODS["12 months"]))
    new = masked_period(raws[0], True, readings)
    assert any(cell.masked for month in new.months_read for _k, cell, _d in month._figures())
    assert new.neighbours and all(n.indicators for n in new.neighbours)
    alone_masked = MaskedPeriod(raws[0], True)
    assert cells(new) != cells(alone_masked)
