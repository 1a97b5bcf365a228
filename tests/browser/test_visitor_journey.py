"""Acceptance: a visitor finds an offer on the map and asks to be contacted; the advisor of that
structure sees the request after logging in."""

import pytest

from maillage.accounts.demo import DEMO_PASSWORD
from maillage.directory import contact_forms
from maillage.directory.models import ContactRequest

pytestmark = pytest.mark.django_db(transaction=True)


def test_visitor_goes_from_home_to_a_contact_request_the_advisor_then_reads(
    demo, page, assert_accessible, monkeypatch
):
    # The form refuses answers sent within seconds (spam protection): a test types faster.
    monkeypatch.setattr(contact_forms, "MIN_SECONDS", 0)

    page.goto("/")
    page.get_by_role("link", name="Voir la carte du parcours").click()
    assert page.locator("h1").inner_text() == "Carte du parcours"
    assert_accessible(page)
    assert page.get_by_role("link", name="Starter").count() == 1

    page.get_by_label("Public").select_option(label="Demandeurs d'emploi")
    page.get_by_role("button", name="Appliquer les filtres").click()
    page.wait_for_url("**audience=demandeurs-emploi**")
    board = page.locator("#map-board")
    board.get_by_role("link", name="PILES, espace d'émergence").wait_for()
    assert board.get_by_role("link", name="Couveuse ESS").count() == 1  # open to everyone
    assert board.get_by_role("link", name="Dynamiques de gouvernance").count() == 0
    assert_accessible(page)

    board.get_by_role("link", name="PILES, espace d'émergence").click()
    assert page.locator("h1").inner_text() == "PILES, espace d'émergence"
    assert_accessible(page)
    page.get_by_role("link", name="Être contacté·e au sujet de cette offre").click()

    page.get_by_label("Prénom").fill("Lina")
    page.get_by_label("Adresse e-mail").fill("lina@exemple.test")
    page.get_by_label("Votre message").fill("J'aimerais rejoindre le prochain cycle.")
    page.get_by_role("checkbox").check()
    assert_accessible(page)
    page.get_by_role("button", name="Envoyer ma demande").click()
    assert "APEAS" in page.locator("main").inner_text()
    request = ContactRequest.objects.get()
    assert (request.structure.slug, request.offer.slug) == ("apeas", "piles")

    page.goto("/compte/connexion/")
    page.get_by_label("Adresse e-mail").fill("conseil.apeas@demo.maillage.test")
    page.get_by_label("Mot de passe").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.get_by_role("link", name="Mon espace").click()
    page.get_by_role("link", name="Demandes de contact").first.click()
    assert "Lina" in page.locator("main").inner_text()
    assert_accessible(page)
