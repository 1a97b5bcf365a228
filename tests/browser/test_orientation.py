"""A visitor finds where their project is at, then asks a structure to call back; the advisor
of that structure finds the request in their inbox."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from maillage.directory import contact_forms
from maillage.directory.models import Audience, ContactRequest, ContactRequestStatus
from tests.browser.conftest import sign_in
from tests.directory.test_orientation import build_pathway
from tests.factories import (
    OfferFactory,
    OfferSessionFactory,
    StructureFactory,
    StructureMembershipFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _no_waiting(monkeypatch):
    """The live server runs in this process: let the form go without the 3-second wait, and
    start with empty rate-limit counters."""
    monkeypatch.setattr(contact_forms, "MIN_SECONDS", 0)
    cache.clear()


def log_in(page, email):
    sign_in(page, email)  # the login form has its own tests (tests/browser/conftest.py)


def test_a_visitor_answers_the_questions_and_gets_offers_with_reasons(page, assert_accessible):
    network, stages = build_pathway()
    apeas = StructureFactory(name="APEAS", networks=[network])
    piles = OfferFactory(
        structure=apeas,
        title="PILES",
        stages=[stages["emergence"]],
        audiences=[Audience.objects.get(code="demandeurs-emploi")],
    )
    OfferSessionFactory(offer=piles)
    OfferFactory(title="Starter", stages=[stages["faisabilite"]])

    page.goto(reverse("orientation:start", kwargs={"slug": network.slug}))
    assert page.locator("h1").inner_text() == "Où en est mon projet ?"
    assert_accessible(page)
    page.get_by_role("group", name="Où en est votre projet aujourd'hui ?").get_by_label(
        "J'ai une idée et je voudrais en faire un projet"
    ).check()
    page.get_by_role("group", name="Quelle est votre situation aujourd'hui ?").get_by_label(
        "Demandeur·se d'emploi"
    ).check()
    page.get_by_role("button", name="Voir où en est mon projet").click()

    results = page.locator("#resultats")
    assert "Votre projet semble en être à l'étape : Émergence." in results.inner_text()
    assert "PILES" in results.inner_text()
    assert "Starter" not in results.inner_text()
    assert "Pour votre étape : Émergence · ouvert aux demandeurs d'emploi · session le" in (
        results.inner_text()
    )
    assert_accessible(page)

    # The answers come along to the contact form.
    results.get_by_role("link", name="Être recontacté·e — PILES, APEAS").click()
    assert page.locator("h1").inner_text() == "Être recontacté·e par APEAS"
    assert "(étape : Émergence)" in page.locator("main").inner_text()


def test_a_visitor_asks_to_be_contacted_and_the_advisor_finds_the_request(page, assert_accessible):
    network, stages = build_pathway()
    intermade = StructureFactory(name="Intermade", networks=[network])
    starter = OfferFactory(structure=intermade, title="Starter", stages=[stages["faisabilite"]])
    advisor = StructureMembershipFactory(structure=intermade).user

    page.goto(
        reverse("orientation:contact", kwargs={"slug": intermade.slug}) + f"?offre={starter.slug}"
    )
    assert "Au sujet de l'offre « Starter »." in page.locator("main").inner_text()
    assert_accessible(page)
    page.get_by_label("Prénom").fill("Camille")
    page.get_by_label("Téléphone").fill("06 12 34 56 78")
    page.get_by_label("Votre message").fill("Je voudrais tester mon activité de traiteur.")
    page.get_by_role("button", name="Envoyer ma demande").click()
    # Nothing sent without the consent: the form says why.
    assert "Le formulaire n'a pas pu être envoyé" in page.get_by_role("alert").inner_text()
    assert "Cochez cette case" in page.locator("main").inner_text()
    assert not ContactRequest.objects.exists()
    assert_accessible(page)
    page.get_by_label("J'accepte qu'Intermade conserve").check()
    page.get_by_role("button", name="Envoyer ma demande").click()
    assert page.locator("h1").inner_text() == "Votre demande a bien été envoyée"
    assert "Intermade a bien reçu votre demande" in page.locator("main").inner_text()
    assert_accessible(page)

    log_in(page, advisor.email)
    page.goto(reverse("orientation:inbox"))
    assert_accessible(page)
    page.get_by_role("link", name="Camille").click()
    main = page.locator("main").inner_text()
    assert "06 12 34 56 78" in main
    assert "Starter" in main
    assert "Je voudrais tester mon activité de traiteur." in main
    assert_accessible(page)
    page.get_by_role("button", name="Marquer comme traitée").click()
    assert "est marquée comme traitée" in page.get_by_role("status").inner_text()
    assert ContactRequest.objects.get().status == ContactRequestStatus.HANDLED
