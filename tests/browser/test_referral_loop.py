"""Acceptance 1: the closed loop of a referral.

The Intermade advisor refers a person (who agreed to share within the network) to APEAS; the
APEAS advisor opens it from their inbox, accepts it and records the first meeting; the Intermade
advisor then sees the referral answered, with the date of the first meeting.
"""

import pytest
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from maillage.pathways.models import ConsentMethod, ConsentScope, Referral, ReferralStatus
from maillage.pathways.persons import services
from tests.browser.conftest import sign_in
from tests.factories import (
    NetworkFactory,
    OfferFactory,
    StructureFactory,
    StructureMembershipFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)


def log_in(page, email):
    sign_in(page, email)  # the login form has its own tests (tests/browser/conftest.py)


def build_network():
    network = NetworkFactory(name="Réseau test")
    intermade = StructureFactory(name="Intermade", networks=[network])
    apeas = StructureFactory(name="APEAS", networks=[network])
    OfferFactory(structure=intermade, title="Starter")
    OfferFactory(structure=apeas, title="PILES")
    intermade_advisor = UserFactory(email="conseil.intermade@exemple.test")
    apeas_advisor = UserFactory(email="conseil.apeas@exemple.test")
    StructureMembershipFactory(structure=intermade, user=intermade_advisor)
    StructureMembershipFactory(structure=apeas, user=apeas_advisor)
    person = services.create_person(
        structure=intermade,
        user=intermade_advisor,
        first_name="Camille",
        last_name="Durand",
    )
    services.give_consent(
        person=person,
        user=intermade_advisor,
        structure=intermade,
        scope=ConsentScope.NETWORK_SHARING,
        method=ConsentMethod.WRITTEN,
    )
    return person


def person_page_url(person):
    try:
        return reverse("pathways:person_detail", kwargs={"uuid": person.uuid})
    except NoReverseMatch:
        return None


def test_a_referral_goes_round_the_closed_loop(page, assert_accessible):
    person = build_network()
    refer_url = reverse("pathways:referral_create", kwargs={"uuid": person.uuid})
    today = timezone.localdate()

    # Intermade refers the person to APEAS, from the person's page when it links there.
    log_in(page, "conseil.intermade@exemple.test")
    person_url = person_page_url(person)
    if person_url:
        page.goto(person_url)
        link = page.locator(f'a[href="{refer_url}"]')
        if link.count():
            link.first.click()
            page.wait_for_url(f"**{refer_url}")
    if refer_url not in page.url:
        page.goto(refer_url)
    assert (
        "Orienter Camille Durand vers une structure partenaire" in page.locator("h1").inner_text()
    )
    assert_accessible(page)
    page.get_by_label("Structure vers laquelle orienter la personne").select_option(label="APEAS")
    page.get_by_label("Offre (facultative)").select_option(label="APEAS — PILES")
    page.get_by_label("Pourquoi cette structure").fill("Projet collectif à faire émerger")
    page.get_by_role("button", name="Envoyer l'orientation").click()
    page.wait_for_url("**/suivi/orientations/*/")
    assert "Envoyée" in page.locator("main").inner_text()
    assert_accessible(page)

    # APEAS finds it in its inbox, accepts it and records the first meeting.
    log_in(page, "conseil.apeas@exemple.test")
    page.goto(reverse("pathways:referral_inbox"))
    assert_accessible(page)
    page.get_by_role("link", name="Camille Durand").click()
    page.wait_for_url("**/suivi/orientations/*/")
    assert "Orientation d'Intermade vers APEAS" in page.locator("h1").inner_text()
    assert "Projet collectif à faire émerger" in page.locator("main").inner_text()
    assert_accessible(page)
    page.get_by_role("button", name="Accepter l'orientation").click()
    page.get_by_text("L'orientation est acceptée").wait_for()
    assert_accessible(page)
    page.get_by_label("Date du premier rendez-vous").fill(today.isoformat())
    page.get_by_role("button", name="Enregistrer le premier rendez-vous").click()
    page.get_by_text("Le premier rendez-vous est enregistré").wait_for()
    assert_accessible(page)
    referral = Referral.objects.get()
    assert (referral.status, referral.first_meeting_on) == (ReferralStatus.FIRST_MEETING, today)

    # Intermade sees the answer and the date of the first meeting: the loop is closed.
    log_in(page, "conseil.intermade@exemple.test")
    page.goto(reverse("pathways:referral_inbox"))
    page.get_by_role("link", name="Envoyées par mes structures").click()
    page.wait_for_url("**box=sent**")
    row = page.locator("tbody tr", has_text="Camille Durand")
    assert "Premier rendez-vous tenu" in row.inner_text()
    assert today.strftime("%d/%m/%Y") in row.inner_text()
    assert_accessible(page)
    row.get_by_role("link", name="Camille Durand").click()
    page.wait_for_url("**/suivi/orientations/*/")
    main = page.locator("main").inner_text()
    assert "Acceptée" in main and "Premier rendez-vous tenu" in main
    assert_accessible(page)
    if person_url:
        page.goto(person_url)
        assert "Camille Durand" in page.locator("main").inner_text()
