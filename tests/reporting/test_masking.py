"""Acceptance 2: a funder sees no count from 1 to 4, and cannot work one out from the totals."""

import copy
import json
import random
from datetime import date

import pytest
from django.core.exceptions import ValidationError

from maillage.reporting.catalogue import COUNT_UNITS, INDICATORS
from maillage.reporting.computation import Raw
from maillage.reporting.masking import HIDDEN, SHOWN, SMALL, Cell, protect
from maillage.reporting.report import Figure, ReportFilters
from maillage.reporting.selectors import build_report, masking_rule_text

from .privacy import assert_private, pinned_cells, privacy_problems
from .shared import module_world
from .world import PERIOD


def cells(*values):
    result = []
    for value in values:
        cell = Cell(Raw(value, value), "persons")
        cell.state = SMALL if 1 <= value <= 4 else SHOWN
        result.append(cell)
    return result


def total(n):
    return Cell(Raw(n, n), "persons")


def states(row):
    return [c.state for c in row]


class TestSecondaryMasking:
    def test_one_small_cell_hides_the_next_smallest(self):
        row = cells(3, 40, 50)
        assert protect(row, total(93))
        assert states(row) == [SMALL, HIDDEN, SHOWN]

    def test_two_small_cells_that_cannot_be_told_apart_are_enough(self):
        row = cells(2, 3, 40)  # 5 = 1+4 = 2+3 = 3+2 = 4+1
        assert protect(row, total(45))
        assert states(row) == [SMALL, SMALL, SHOWN]

    def test_small_cells_pinned_by_their_sum_hide_another_cell(self):
        row = cells(1, 1, 40)  # 2 can only be 1 + 1
        assert protect(row, total(42))
        assert states(row) == [SMALL, SMALL, HIDDEN]

    def test_a_hidden_cell_of_five_does_not_give_the_small_one_away(self):
        row = cells(1, 5, 7, 50)  # hiding 5 alone: 6 = 1 + 5 is the only split
        assert protect(row, total(63))
        assert states(row) == [SMALL, HIDDEN, HIDDEN, SHOWN]

    def test_a_total_made_of_small_cells_only_cannot_be_protected(self):
        row = cells(4, 4, 0)
        assert not protect(row, total(8))

    def test_zero_is_shown_and_never_chosen(self):
        row = cells(0, 2, 30, 31)
        assert protect(row, total(63))
        assert states(row) == [SHOWN, SMALL, HIDDEN, SHOWN]

    def test_random_tables_never_leak(self):
        """Whatever the table, after protection the attacker's bounds pin no cell."""
        rng = random.Random(3)
        for _ in range(2000):
            values = [
                rng.choice([0, 1, 2, 3, 4, 5, 6, 9, 12, 40]) for _ in range(rng.randint(1, 7))
            ]
            row = cells(*values)
            whole = total(sum(values))
            if sum(values) < 5:
                continue  # the total is itself "<5": nothing to work out from
            if not protect(row, whole):
                continue  # the indicator is hidden whole
            figures = [
                Figure(None if c.masked else c.value, "<5" if c.state == SMALL else "x", c.masked)
                for c in row
            ]
            assert pinned_cells(figures, Figure(whole.value, "", False)) == [], values


shared_world = module_world()


@pytest.fixture
def world(shared_world, db):
    return copy.deepcopy(shared_world)


def filters(world, **kwargs):
    return ReportFilters(network=world.network, date_from=PERIOD[0], date_to=PERIOD[1], **kwargs)


SCENARIOS = {
    "network": {},
    "structure": {"structure": "place"},
    "short period": {"date_from": date(2025, 3, 1), "date_to": date(2025, 3, 31)},
    "offer": {"offer": "starter"},
}


def scenario(world, name):
    options = dict(SCENARIOS[name])
    if "structure" in options:
        options["structure"] = next(s for s in world.structures if s.slug == options["structure"])
    if "offer" in options:
        options["offer"] = world.offers[options["offer"]]
    dates = {k: options.pop(k) for k in ("date_from", "date_to") if k in options}
    result = filters(world, **options)
    if dates:
        result = ReportFilters(network=world.network, **dates, **options)
    return result


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_a_funder_sees_no_small_count_and_cannot_work_one_out(world, name):
    for reader in (world.funder, world.coordinator):
        try:
            report = build_report(user=reader, filters=scenario(world, name))
        except ValidationError as error:
            # An offer keeps 1 to 4 of the network's referrals sent (those following its
            # not-selected applications): refused, as it would single those people out.
            assert name == "offer" and "candidatures, orientations" in error.messages[0]
            return
        assert report.masked
        assert_private(report)
        # There is something to hide in this small world: the test would see a leak.
        assert any(f.masked for i in report.indicators.values() for _l, f in _rows(i))


def _rows(item):
    yield "", item.value
    for breakdown in item.breakdowns:
        yield from breakdown.rows


def test_the_funders_json_holds_no_count_from_1_to_4(world, login):
    response = login(world.funder).get(
        "/api/v1/reports/indicators",
        {"network": world.network.slug, "from": "2025-01-01", "to": "2025-12-31"},
    )
    payload = response.json()
    assert payload["masked"] is True
    assert payload["masking_rule"] == masking_rule_text()
    counts = {i.code for i in INDICATORS if i.unit in COUNT_UNITS}
    for code, item in payload["indicators"].items():
        if code not in counts:
            continue
        values = [item["value"], (item["previous"] or {}).get("value")]
        values += [row["value"] for rows in item["breakdowns"].values() for row in rows]
        assert not [v for v in values if v is not None and 1 <= v <= 4], code
    assert "<5" in json.dumps(payload)


def test_the_structure_admin_reads_every_figure_of_their_structure(world):
    place = next(s for s in world.structures if s.slug == "place")
    report = build_report(user=world.admins["place"], filters=filters(world, structure=place))
    assert not report.masked
    figures = [f for item in report.indicators.values() for _l, f in _rows(item)]
    assert not any(f.masked for f in figures)
    small = [
        f.value
        for code, item in report.indicators.items()
        if item.unit in COUNT_UNITS
        for _l, f in _rows(item)
        if f.value is not None and 1 <= f.value <= 4
    ]
    assert small, "the world has small counts: the admin reads them as they are"


def test_the_checker_finds_a_leak(world):
    """The checker itself fails on an unmasked report read as if it were a funder's."""
    place = next(s for s in world.structures if s.slug == "place")
    report = build_report(user=world.admins["place"], filters=filters(world, structure=place))
    assert any("shows the small count" in p for p in privacy_problems(report))
