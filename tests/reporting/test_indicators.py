"""Acceptance 1: every indicator of the JSON endpoint equals the figure recomputed from the raw
tables (`reference.py`: every row loaded, plain loops), on data built by the test.

One test per indicator. Each builds the world (a seeded history around 2025, boundaries
included), then for each scenario (the whole network; a structure; a structure and an offer; a
stage; the first stage; a territory…) compares, for the period and the previous one:
- every figure and every breakdown row read by someone who sees small counts (a structure's
  administrator on its structure; for the whole network, a coordinator with masking switched
  off, since no one reads the network unmasked);
- the masked figures a funder reads (coordinators get the same masking, test_masking.py): each
  shown figure equals the reference,
  each "<5" hides a count from 1 to 4.
"""

from datetime import date

import pytest

from maillage.reporting import selectors
from maillage.reporting.catalogue import COUNT_UNITS, INDICATORS, indicator
from maillage.reporting.masking import SMALL_DISPLAY
from maillage.reporting.report import ReportFilters

from .reference import Data, Reference
from .world import PERIOD, build_world

pytestmark = pytest.mark.sqlite

URL = "/api/v1/reports/indicators"
CODES = [item.code for item in INDICATORS]

# name → (query string filters, who reads it unmasked: a structure slug, or None for the network)
SCENARIOS = {
    "network": {},
    "structure": {"structure": "intermade"},
    "structure_offer": {"structure": "intermade", "offer": "starter"},
    "offer_same_slug": {"structure": "place", "offer": "place/accueil"},
    "stage": {"stage": "faisabilite"},
    "first_stage": {"structure": "apeas", "stage": "accueil"},
    "territory_commune": {"territory": "13055"},
    "territory_departement": {"structure": "place", "territory": "13"},
    "short_period": {"from": "2025-03-01", "to": "2025-04-15"},
}


def filters_of(world, params) -> ReportFilters:
    from maillage.directory.models import Offer, Territory

    structure = next((s for s in world.structures if s.slug == params.get("structure")), None)
    offer = None
    if "offer" in params:
        slug = params["offer"].split("/")[-1]
        offer = Offer.objects.get(structure=structure, slug=slug)
    stage = next((s for s in world.stages if s.slug == params.get("stage")), None)
    territory = None
    if "territory" in params:
        code = params["territory"]
        territory = Territory.objects.get(
            code=code, kind="departement" if len(code) == 2 else "commune"
        )
    return ReportFilters(
        network=world.network,
        date_from=date.fromisoformat(params.get("from", PERIOD[0].isoformat())),
        date_to=date.fromisoformat(params.get("to", PERIOD[1].isoformat())),
        structure=structure,
        offer=offer,
        stage=stage,
        territory=territory,
    )


def query(params) -> dict:
    return {
        "network": "reseau-rapports",
        "from": PERIOD[0].isoformat(),
        "to": PERIOD[1].isoformat(),
        **params,
    }


def rows_of(values: dict) -> dict:
    """Breakdown rows with a figure (zero and "not computable" rows are left out on both sides)."""
    return {label: value for label, value in values.items() if value not in (0, None)}


def assert_same(code, item, expected, previous):
    assert item["masked"] is False, code
    assert item["value"] == expected["value"], (code, item["value"], expected["value"])
    assert item["previous"]["value"] == previous["value"], (code, "previous")
    spec = indicator(code)
    for dimension in spec.breakdowns:
        got = rows_of({row["label"]: row["value"] for row in item["breakdowns"][dimension]})
        want = rows_of(dict(expected["breakdowns"].get(dimension, {})))
        assert got == want, (code, dimension)


def assert_masked(code, item, expected):
    spec = indicator(code)

    def check(figure, value, where):
        if figure["masked"]:
            assert figure["value"] is None, where
            if figure["display"] == SMALL_DISPLAY:
                assert spec.unit in COUNT_UNITS and 1 <= value <= 4, (where, value)
        else:
            assert figure["value"] in ((value,) if value else (0, None, value)), (where, value)
            if spec.unit in COUNT_UNITS:
                assert not 1 <= (value or 0) <= 4, (where, value)

    check(item, expected["value"], code)
    for dimension in spec.breakdowns:
        want = expected["breakdowns"].get(dimension, {})
        for row in item["breakdowns"][dimension]:
            check(row, want.get(row["label"], 0), (code, dimension, row["label"]))


@pytest.fixture
def world(db):
    return build_world()


@pytest.mark.parametrize("code", CODES)
def test_indicator_equals_the_raw_tables(code, world, login, monkeypatch):
    data = Data()
    for name, params in SCENARIOS.items():
        filters = filters_of(world, params)
        reference = Reference(filters, data)
        expected = reference.indicator(code)
        previous = reference.indicator(code, filters.previous())
        # A reader of small counts: the structure's admin; for the network, no one does, so the
        # coordinator reads it with masking off.
        slug = params.get("structure")
        reader = world.admins[slug] if slug else world.coordinator
        with monkeypatch.context() as patch:
            if slug is None:
                patch.setattr(selectors, "sees_small_counts", lambda user, filters: True)
            response = login(reader).get(URL, query(params))
        assert response.status_code == 200, (name, response.content)
        payload = response.json()
        assert payload["masked"] is False
        assert_same(code, payload["indicators"][code], expected, previous)
        # A masked reader: the funder (coordinators get the same masking: test_masking.py).
        response = login(world.funder).get(URL, query(params))
        payload = response.json()
        assert payload["masked"] is True, name
        assert_masked(code, payload["indicators"][code], expected)
