"""The JSON endpoint: shape, scope, errors, schema."""

import copy
from datetime import date, timedelta
from uuid import uuid4

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from maillage.pathways.models import Act, ActParticipant
from maillage.reporting.catalogue import INDICATORS
from tests.factories import (
    NetworkFactory,
    NetworkRoleFactory,
    StructureFactory,
    StructureMembershipFactory,
    UserFactory,
)

from .shared import module_world

URL = "/api/v1/reports/indicators"
PERIOD = {"from": "2025-01-01", "to": "2025-12-31"}


shared_world = module_world(persons=30)


@pytest.fixture
def world(shared_world, db):
    return copy.deepcopy(shared_world)


def get(client, **params):
    return client.get(URL, {"network": "reseau-rapports", **PERIOD, **params})


def test_every_indicator_of_the_catalogue_by_code(world, login):
    payload = get(login(world.coordinator)).json()
    assert list(payload["indicators"]) == [i.code for i in INDICATORS]
    assert payload["filters"] == {
        "network": "reseau-rapports",
        "from": "2025-01-01",
        "to": "2025-12-31",
        "structure": None,
        "offer": None,
        "stage": None,
        "territory": None,
    }
    item = payload["indicators"]["persons_accompanied"]
    assert set(item) == {
        "label",
        "unit",
        "definition",
        "formula",
        "value",
        "display",
        "masked",
        "previous",
        "breakdowns",
    }
    assert item["label"] == "Personnes accompagnées"
    assert item["unit"] == "persons"
    assert set(item["previous"]) == {"value", "display", "masked"}
    assert set(item["breakdowns"]) == {
        "accompaniment",
        "gender",
        "age_band",
        "situation",
        "priority_neighbourhood",
        "territory",
        "stage",
        "structure",
        "offer",
    }
    assert set(item["breakdowns"]["gender"][0]) == {"label", "value", "display", "masked"}


def test_filters_are_echoed_and_applied(world, login):
    client = login(world.admins["place"])
    payload = get(
        client, structure="place", offer="accueil", stage="accueil", territory="13"
    ).json()
    assert payload["filters"]["structure"] == "place"
    assert payload["filters"]["offer"] == "place/accueil"  # another structure has "accueil"
    assert payload["filters"]["territory"] == "13"
    assert payload["masked"] is False


def test_english_labels_for_an_english_reader(world, client):
    world.coordinator.language = "en"
    world.coordinator.save()
    client.force_login(world.coordinator)
    client.cookies["maillage_language"] = "en"
    payload = get(client).json()
    assert payload["indicators"]["persons_accompanied"]["label"] == "People accompanied"


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "2025-13-01"}, "from"),
        ({"to": "demain"}, "to"),
        ({"from": "2025-06-01", "to": "2025-01-01"}, "to"),
        ({"structure": "inconnue"}, "structure"),
        ({"offer": "inconnue"}, "offer"),
        ({"offer": "accueil"}, "offer"),  # two structures have an offer "accueil"
        ({"stage": "inconnue"}, "stage"),
        ({"territory": "99999"}, "territory"),
        ({"network": "autre-reseau"}, "network"),
    ],
)
def test_invalid_filters_are_400_with_translated_messages(world, login, params, field):
    response = get(login(world.coordinator), **params)
    assert response.status_code == 400
    errors = response.json()
    assert list(errors) == [field]
    assert all(isinstance(message, str) and message for message in errors[field])


def test_an_ambiguous_offer_names_its_structure(world, login):
    response = get(login(world.coordinator), offer="place/accueil")
    assert response.status_code == 200
    assert response.json()["filters"]["offer"] == "place/accueil"


def test_error_messages_say_what_to_do(world, login):
    errors = get(login(world.coordinator), structure="inconnue", **{"from": "x"}).json()
    assert errors["structure"] == [
        "Structure inconnue dans ce réseau : choisissez-en une dans la liste."
    ]
    assert "AAAA-MM-JJ" in errors["from"][0]


def test_who_may_read(world, client, login):
    assert client.get(URL).status_code == 403  # not logged in (session only)
    advisor = StructureMembershipFactory(structure=world.structures[0]).user
    assert get(login(advisor)).status_code == 403  # advisors read no report
    # A funder of another network: its network only.
    other = NetworkFactory(name="Autre réseau")
    funder = NetworkRoleFactory(network=other, funder=True).user
    assert get(login(funder)).status_code == 400  # not a network it may choose
    assert get(login(funder), network=other.slug).status_code == 200
    # A structure admin: its structure's report only, defaulted when not given.
    admin = world.admins["apeas"]
    response = get(login(admin))
    assert response.status_code == 200
    assert response.json()["filters"]["structure"] == "apeas"
    assert get(login(admin), structure="place").status_code == 400
    # Someone with no role at all.
    assert get(login(UserFactory())).status_code == 403


def test_a_funder_sees_only_the_networks_it_funds(world, login):
    other = NetworkFactory(name="Réseau voisin")
    StructureFactory(name="Voisine", networks=[other])
    response = get(login(world.funder), network=other.slug)
    assert response.status_code == 400
    assert "network" in response.json()


def test_bounded_queries_whatever_the_data(world, login):
    client = login(world.funder)
    get(client)  # the first report refreshes the pre-aggregated tables
    with CaptureQueriesContext(connection) as before:
        assert get(client).status_code == 200
    # Twice as many acts, with their participants, and a few more referrals.
    acts = list(Act.objects.prefetch_related("participants"))
    for act in acts:
        participants = list(act.participants.all())
        act.pk, act.uuid = None, uuid4()
        act.occurred_on = date(2025, 1, 1) + timedelta(days=act.occurred_on.toordinal() % 365)
        act.save()
        ActParticipant.objects.bulk_create(
            [ActParticipant(act=act, person_id=p.person_id) for p in participants]
        )
    get(client)
    with CaptureQueriesContext(connection) as after:
        assert get(client).status_code == 200
    # A funder's report also reads each month of the period and of the previous one (24 readings
    # of the acts, applications, referrals and outcomes statements) and the periods one month
    # shorter at either end (docs/masking.md): fixed by the number of months, not by the data.
    assert len(after) == len(before) < 400


def test_in_the_openapi_schema(client, db):
    schema = client.get("/api/schema/", {"format": "json"}).json()
    operation = schema["paths"]["/api/v1/reports/indicators"]["get"]
    names = {p["name"] for p in operation["parameters"]}
    assert {"network", "from", "to", "structure", "offer", "stage", "territory"} <= names
    assert "200" in operation["responses"]
