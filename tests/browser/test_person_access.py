"""Who opens a person's record in the browser: the APEAS advisor is refused an Intermade-only
person (and the attempt is logged); the Intermade advisor's home and person page pass axe."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from maillage.pathways.acts import services as act_services
from maillage.pathways.models import ConsentMethod, ConsentScope, PersonAccess
from maillage.pathways.persons import services as person_services
from tests.factories import (
    NetworkFactory,
    OfferFactory,
    OfferSessionFactory,
    StructureFactory,
    StructureMembershipFactory,
    act_type,
)

pytestmark = pytest.mark.django_db(transaction=True)


def open_session(page, live_server, user):
    """Log the browser in without the form (the login form has its own tests)."""
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


@pytest.fixture
def world(db):
    network = NetworkFactory(name="Réseau test")
    intermade = StructureFactory(name="Intermade", networks=[network])
    apeas = StructureFactory(name="APEAS", networks=[network])
    starter = OfferFactory(structure=intermade, title="Starter")
    OfferSessionFactory(offer=starter, starts_on=timezone.localdate() + datetime.timedelta(days=7))
    intermade_advisor = StructureMembershipFactory(structure=intermade).user
    apeas_advisor = StructureMembershipFactory(structure=apeas).user
    person = person_services.create_person(
        structure=intermade,
        user=intermade_advisor,
        first_name="Camille",
        last_name="Durand",
        email="camille@exemple.test",
    )
    person_services.give_consent(
        person=person,
        user=intermade_advisor,
        structure=intermade,
        scope=ConsentScope.STATISTICS,
        method=ConsentMethod.WRITTEN,
    )
    act_services.record_act(
        structure=intermade,
        user=intermade_advisor,
        act_type=act_type(),
        occurred_on=timezone.localdate(),
        duration_minutes=60,
        persons=[person],
    )
    person_services.add_note(
        person=person, structure=intermade, user=intermade_advisor, body="Premier entretien."
    )
    return {
        "person": person,
        "intermade_advisor": intermade_advisor,
        "apeas_advisor": apeas_advisor,
    }


def test_the_apeas_advisor_gets_the_404_page_for_an_intermade_only_person(
    page, live_server, assert_accessible, world
):
    person = world["person"]
    open_session(page, live_server, world["apeas_advisor"])
    response = page.goto(reverse("pathways:person_detail", kwargs={"uuid": person.uuid}))
    # The page of a person who does not exist: nothing tells that this one does.
    assert response.status == 404
    main = page.locator("main").inner_text()
    assert "Page introuvable" in main
    assert "Camille" not in page.content()
    assert PersonAccess.objects.filter(
        person=person, user=world["apeas_advisor"], granted=False
    ).exists()
    assert_accessible(page)


def test_the_home_and_the_person_page_pass_axe(page, live_server, assert_accessible, world):
    open_session(page, live_server, world["intermade_advisor"])
    page.goto(reverse("home"))
    page.get_by_role("link", name="Suivi des parcours").click()
    page.wait_for_url("**/suivi/")
    assert page.locator("h1").inner_text() == "Suivi des parcours"
    assert_accessible(page)
    page.get_by_role("link", name="Camille Durand").first.click()
    page.wait_for_url("**/suivi/personnes/*/")
    assert page.locator("h1").inner_text() == "Camille Durand"
    assert "Premier entretien." in page.locator("main").inner_text()
    assert_accessible(page)
