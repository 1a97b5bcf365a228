"""Acceptance 1: every indicator of the JSON endpoint equals the figure recomputed from the raw
tables (`reference.py`: every row loaded, plain loops), on data built by the test.

The world (a seeded history around 2025, boundaries included) is built once for the module,
and each scenario (the whole network; a structure; a structure and an offer; a stage; the first
stage; a territory…) is read once through the JSON endpoint, then rolled back (`readings`).
One test per indicator then compares, in every scenario, for the period and the previous one:
- every figure and every breakdown row read by someone who sees small counts (a structure's
  administrator on its structure; for the whole network, a coordinator with masking switched
  off, since no one reads the network unmasked);
- the masked figures a funder reads (coordinators get the same masking, test_masking.py): each
  shown figure equals the reference,
  each "<5" hides a count from 1 to 4.
The figures worked out by hand on small worlds, which read as the definitions, are in
`test_definitions.py`.
"""

from dataclasses import dataclass
from datetime import date

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client, override_settings
from django.utils import translation

from maillage.accounts.rules import forget_roles
from maillage.reporting import selectors
from maillage.reporting.catalogue import COUNT_UNITS, INDICATORS, indicator
from maillage.reporting.masking import SMALL_DISPLAY
from maillage.reporting.report import ReportFilters

from .reference import Data, Reference
from .world import PERIOD, build_world

# django_db: so that the test databases are set up even when this module runs alone.
pytestmark = [pytest.mark.sqlite, pytest.mark.django_db]

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


def assert_same(scenario, code, item, expected, previous):
    where = (scenario, code)
    assert item["masked"] is False, where
    assert item["value"] == expected["value"], (where, item["value"], expected["value"])
    assert item["previous"]["value"] == previous["value"], (where, "previous")
    spec = indicator(code)
    for dimension in spec.breakdowns:
        got = rows_of({row["label"]: row["value"] for row in item["breakdowns"][dimension]})
        want = rows_of(dict(expected["breakdowns"].get(dimension, {})))
        assert got == want, (where, dimension)


def assert_masked(scenario, code, item, expected):
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

    check(item, expected["value"], (scenario, code))
    for dimension in spec.breakdowns:
        want = expected["breakdowns"].get(dimension, {})
        for row in item["breakdowns"][dimension]:
            check(row, want.get(row["label"], 0), (scenario, code, dimension, row["label"]))


@dataclass
class Reading:
    """One scenario, read once: the JSON payloads and the reference figures of every code."""

    unmasked: dict  # the payload read by someone who sees small counts
    masked: dict | None  # the payload read by the funder (None: refused)
    expected: dict  # code → the reference figure of the period
    previous: dict  # code → the reference figure of the previous period


def get(user, params, *, refusable=False) -> dict | None:
    """The JSON read by `user`; None when a masked reader is refused the scope (a period not
    of whole months, a filter singling out fewer than 5 people: docs/masking.md)."""
    client = Client()
    forget_roles(user)
    client.force_login(user)
    response = client.get(URL, query(params))
    if refusable and response.status_code == 400:
        assert list(response.json()) == ["__all__"], (params, response.content)
        return None
    assert response.status_code == 200, (params, response.content)
    return response.json()


@pytest.fixture(scope="module")
def readings(django_db_setup, django_db_blocker) -> dict[str, Reading]:
    """Every scenario read once, in one transaction rolled back afterwards. Inside a
    transaction the report runs its statements one at a time on this connection (other
    connections would not see the rows: `computation.runner.parallel_workers`), and the
    triggers' rows are refreshed into the pre-aggregated tables by the report itself, as
    when each test built its own world."""
    result = {}
    with (
        django_db_blocker.unblock(),
        # The test settings' hasher, for this module fixture too.
        override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]),
        translation.override(settings.LANGUAGE_CODE),
        transaction.atomic(),
    ):
        world = build_world()
        data = Data()
        for name, params in SCENARIOS.items():
            filters = filters_of(world, params)
            reference = Reference(filters, data)
            # A reader of small counts: the structure's admin; for the network, no one does, so
            # the coordinator reads it with masking off.
            slug = params.get("structure")
            reader = world.admins[slug] if slug else world.coordinator
            with pytest.MonkeyPatch.context() as patch:
                if slug is None:
                    patch.setattr(selectors, "sees_small_counts", lambda user, filters: True)
                unmasked = get(reader, params)
            result[name] = Reading(
                unmasked=unmasked,
                # A masked reader: the funder (coordinators get the same masking).
                masked=get(world.funder, params, refusable=True),
                expected={code: reference.indicator(code) for code in CODES},
                previous={code: reference.indicator(code, filters.previous()) for code in CODES},
            )
        transaction.set_rollback(True)
    return result


@pytest.mark.parametrize("code", CODES)
def test_indicator_equals_the_raw_tables(code, readings):
    for name, reading in readings.items():
        assert reading.unmasked["masked"] is False, name
        item = reading.unmasked["indicators"][code]
        assert_same(name, code, item, reading.expected[code], reading.previous[code])
        if reading.masked is None:
            continue
        assert reading.masked["masked"] is True, name
        assert_masked(name, code, reading.masked["indicators"][code], reading.expected[code])
    # The funder reads the network whole; a period not of whole months is refused.
    assert readings["network"].masked is not None
    assert readings["short_period"].masked is None
