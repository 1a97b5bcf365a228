"""Issue 17, points 2, 7 and 10 on the demo data, with axe on every page opened: a postal code
read as one (and its other reading offered), a contact request seen as one record in /suivi/,
and a demo that reads lived-in, in English too."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from maillage.directory import contact_forms
from maillage.pathways.models import Referral
from tests.browser.conftest import sign_in
from tests.factories import TerritoryFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def demo(demo, monkeypatch):
    monkeypatch.setattr(contact_forms, "MIN_SECONDS", 0)
    cache.clear()
    return demo


def log_in(page, email):
    sign_in(page, email)  # the login form has its own tests (tests/browser/conftest.py)


def test_point_2_a_postal_code_is_read_as_one(page, assert_accessible, demo):
    TerritoryFactory(code="13055", name="Marseille", postal_codes=["13001", "13002"])
    TerritoryFactory(
        kind="arrondissement",
        code="13201",
        name="Marseille 1er Arrondissement",
        commune_code="13055",
        postal_codes=["13001"],
    )
    TerritoryFactory(code="13001", name="Aix-en-Provence", postal_codes=["13090", "13100"])

    page.goto(reverse("orientation:start", kwargs={"slug": demo.slug}))
    page.get_by_label("Où habitez-vous ?").fill("13001")
    page.get_by_role("button", name="Voir où en est mon projet").click()
    reading = page.locator("#q-place-reading")
    assert "Lieu compris : Marseille 1er Arrondissement." in reading.inner_text()
    assert "et aussi le code INSEE d'Aix-en-Provence" in reading.inner_text()
    assert_accessible(page)

    reading.get_by_role("link", name="Choisir Aix-en-Provence plutôt").click()
    assert "Lieu compris : Aix-en-Provence." in page.locator("#q-place-reading").inner_text()
    assert_accessible(page)


def test_point_7_a_contact_request_is_one_record_in_the_follow_up(page, assert_accessible, demo):
    page.goto(reverse("orientation:contact", kwargs={"slug": "apeas"}))
    page.get_by_label("Prénom").fill("Lina")
    page.get_by_label("Adresse e-mail").fill("lina@exemple.test")
    page.get_by_label("Téléphone").fill("06 11 22 33 44")
    page.get_by_role("checkbox").check()
    page.get_by_role("button", name="Envoyer ma demande").click()
    page.wait_for_url(reverse("orientation:contact_sent", kwargs={"slug": "apeas"}))
    referral = Referral.objects.get(contact_request__email="lina@exemple.test")

    log_in(page, "conseil.apeas@demo.maillage.test")
    page.goto(reverse("pathways:referral_detail", kwargs={"uuid": referral.uuid}))
    contact = page.locator("section", has=page.get_by_role("heading", name="La demande de contact"))
    assert "lina@exemple.test" in contact.inner_text()
    assert "06 11 22 33 44" in contact.inner_text()
    assert "J'accepte qu'APEAS" in contact.inner_text()
    assert_accessible(page)

    page.get_by_role("link", name="Lina").first.click()
    main = page.locator("main").inner_text()
    assert "Aucun consentement enregistré" not in main
    assert "Être recontacté·e par la structure sollicitée" in main
    assert_accessible(page)


def test_point_10_the_demo_reads_lived_in_in_english(page, assert_accessible, demo):
    page.goto(reverse("directory:positioning", kwargs={"slug": demo.slug}))
    assert page.locator(".positioning-list > li").count() == 12
    assert "Pas encore rédigé" not in page.locator("main").inner_text()
    assert_accessible(page)

    page.goto(reverse("directory:structure", kwargs={"slug": "profession-sport-13"}))
    page.get_by_role("button", name="English").click()
    page.wait_for_function("document.documentElement.lang === 'en'")
    main = page.locator("main").inner_text()
    assert "Helps sports and leisure associations create and secure jobs" in main
    assert page.get_by_role("link", name="Becoming an association employer").count() == 1
    assert "This structure has not published an offer yet." not in main
    assert_accessible(page)
