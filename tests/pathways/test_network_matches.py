"""Advisors helped without being told what they may not know (issue 16, acceptance 2): a person
followed by Intermade walks into APEAS, whose advisor records them."""

import datetime

import pytest
from django.urls import reverse

from maillage.pathways.models import Accompaniment, ConsentScope, Person
from maillage.pathways.persons import services
from maillage.pathways.persons.selectors import network_matches

pytestmark = pytest.mark.django_db

BORN = datetime.date(1987, 4, 12)
ASK = "Demandez à la personne si elle a été accompagnée par une autre structure du réseau"


def walk_in(net, **extra):
    return {
        "first_name": "Helene",
        "last_name": "Lefevre",  # a typo and no accents: the same person
        "birth_date": BORN.isoformat(),
        "gender": "female",
        "email": "",
        "phone": "",
        "postal_code": "13001",
        **extra,
    }


def followed_by_intermade(net, *, shares: bool) -> Person:
    person = services.create_person(
        structure=net.intermade,
        user=net.intermade_advisor,
        first_name="Hélène",
        last_name="Lefèvres",
        birth_date=BORN,
        email="secret@exemple.test",
        phone="06 11 22 33 44",
    )
    if shares:
        services.give_consent(
            person=person,
            user=net.intermade_advisor,
            structure=net.intermade,
            scope=ConsentScope.NETWORK_SHARING,
            method="oral",
        )
    return person


def test_without_consent_apeas_is_only_asked_to_ask_the_person(net, login):
    followed_by_intermade(net, shares=False)
    response = login(net.apeas_advisor).post(reverse("pathways:person_create"), walk_in(net))
    assert response.status_code == 200
    text = response.text
    assert ASK in text
    for detail in ("Intermade", "Lefèvres", "secret@exemple.test", "06 11 22 33 44"):
        assert detail not in text
    assert 'name="link"' not in text  # nothing to link
    assert Person.objects.count() == 1  # nothing recorded yet
    # Once asked, the advisor records the person: a second record, as the person chose.
    signature = response.context["signature"]
    response = login(net.apeas_advisor).post(
        reverse("pathways:person_create"), walk_in(net, confirm=signature)
    )
    assert response.status_code == 302
    assert Person.objects.count() == 2


def test_with_consent_apeas_sees_that_intermade_follows_them_and_links_the_record(net, login):
    known = followed_by_intermade(net, shares=True)
    client = login(net.apeas_advisor)
    response = client.post(reverse("pathways:person_create"), walk_in(net))
    assert "Intermade" in response.text
    assert ASK not in response.text
    assert "secret@exemple.test" not in response.text
    response = client.post(reverse("pathways:person_create"), walk_in(net, link=str(known.uuid)))
    assert response.status_code == 302
    assert Person.objects.count() == 1  # one human, one record
    assert Accompaniment.objects.filter(person=known, structure=net.apeas).exists()


def test_only_a_person_the_check_proposed_may_be_linked(net, login):
    known = followed_by_intermade(net, shares=True)
    other = walk_in(net, first_name="Paul", last_name="Durand", link=str(known.uuid))
    response = login(net.apeas_advisor).post(reverse("pathways:person_create"), other)
    assert response.status_code == 404
    assert not Accompaniment.objects.filter(person=known, structure=net.apeas).exists()


def test_the_structure_that_sees_the_person_gets_the_duplicate_not_the_network_signal(net):
    followed_by_intermade(net, shares=False)
    probe = {"first_name": "Helene", "last_name": "Lefevre", "birth_date": BORN}
    assert not network_matches(net.intermade_advisor, **probe)
    assert network_matches(net.apeas_advisor, **probe).ask
    assert not network_matches(net.apeas_advisor, first_name="Paul", last_name="Durand")


def test_a_withdrawn_sharing_consent_is_no_longer_linked(net):
    known = followed_by_intermade(net, shares=True)
    probe = {"first_name": "Helene", "last_name": "Lefevre", "birth_date": BORN}
    assert network_matches(net.apeas_advisor, **probe).shared == [known]
    services.withdraw_consent(consent=known.consents.get(), user=net.intermade_advisor)
    matches = network_matches(net.apeas_advisor, **probe)
    assert matches.shared == [] and matches.ask


# --- The same signal on the API (issue 16, point "other channels") ----------------------------


def api_create(net, **extra):
    from tests.pathways.api_helpers import client_for, url

    payload = {**walk_in(net), "structure": str(net.apeas.uuid), **extra}
    payload = {name: value for name, value in payload.items() if value != ""}
    response = client_for(net.apeas_advisor).post(url("persons"), payload, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def test_the_api_without_consent_records_the_person_and_only_asks_to_ask(net):
    followed_by_intermade(net, shares=False)
    answer = api_create(net)
    assert answer["duplicates"] == {"visible": [], "network": [], "ask_person": True}
    for detail in ("Intermade", "Lefèvres", "secret@exemple.test", "06 11 22 33 44"):
        assert detail not in str(answer)
    assert Person.objects.count() == 2  # an API client is not interrupted: it is told


def test_the_api_with_consent_names_the_structure_that_follows_the_person(net):
    followed_by_intermade(net, shares=True)
    answer = api_create(net)
    assert answer["duplicates"] == {
        "visible": [],
        "network": [{"structures": ["Intermade"]}],
        "ask_person": False,
    }
    assert "secret@exemple.test" not in str(answer)


def test_the_api_tells_the_records_the_caller_already_sees(net):
    mine = services.create_person(
        structure=net.apeas, user=net.apeas_advisor, first_name="Hélène", last_name="Lefèvre"
    )
    answer = api_create(net)
    assert answer["duplicates"]["visible"] == [str(mine.uuid)]
    assert answer["duplicates"]["ask_person"] is False


def test_a_person_read_from_the_api_has_no_duplicate_signal(net):
    from tests.pathways.api_helpers import client_for, url

    created = api_create(net, first_name="Paul", last_name="Durand")
    assert created["duplicates"] == {"visible": [], "network": [], "ask_person": False}
    read = client_for(net.apeas_advisor).get(url("persons", created["uuid"])).json()
    assert read["duplicates"] is None
