"""Issue 17, points 1, 3, 8, 9 and 11 walked in Chromium on the demo data, axe on every page
opened: French contracted before names, each role's landing after login, an erased person
offered nothing new, an offer page that promises only what it holds, dates for French readers."""

import datetime
import io
import re

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from playwright.sync_api import expect

from maillage.accounts.demo import DEMO_PASSWORD
from maillage.accounts.models import User
from maillage.directory.models import AccessMode, Offer, OfferSession, Structure
from maillage.pathways.common import ANONYMISED_MESSAGE
from maillage.pathways.gdpr.services import anonymise_person
from maillage.pathways.models import Person, Referral
from maillage.pathways.referrals.services import refer_person

pytestmark = pytest.mark.django_db(transaction=True)

ISO_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}T")
FRENCH_SHORT_DATE = re.compile(r"\b\d{2}/\d{2}/\d{4}\b")
FRENCH_LONG_DATE = re.compile(
    r"\b\d{1,2}(er)? (janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre"
    r"|novembre|décembre) \d{4}\b"
)
# "de"/"à" left uncontracted before an article ("de le site public", "à les Ateliers").
UNCONTRACTED_ARTICLE = re.compile(r"\bde le\b|\bde les\b|\bà le\b|\bà les\b")


def log_in(page, email, url=None):
    page.goto(url or reverse("accounts:login"))
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(lambda url: "/connexion/" not in url)


def log_out(page):
    page.get_by_role("button", name="Se déconnecter").click()
    expect(page.get_by_role("link", name="Se connecter")).to_be_visible()


def main_text(page):
    return page.locator("main").inner_text()


def test_point_3_each_role_lands_on_its_place_and_a_safe_next_wins(
    page, live_server, assert_accessible, demo
):
    report = reverse("reporting:network", kwargs={"slug": demo.slug})
    for email, landing in (
        ("conseil.intermade@demo.maillage.test", reverse("pathways:home")),
        ("admin.intermade@demo.maillage.test", reverse("backoffice:dashboard")),
        ("coordination@demo.maillage.test", report),
        ("financeur@demo.maillage.test", report),
    ):
        log_in(page, email)
        assert page.url == live_server.url + landing, email
        assert_accessible(page)
        log_out(page)

    account = reverse("accounts:account")
    login_then_account = f"{reverse('accounts:login')}?next={account}"
    log_in(page, "conseil.intermade@demo.maillage.test", login_then_account)
    assert page.url == live_server.url + account
    assert_accessible(page)
    log_out(page)


def test_point_1_sentences_built_around_names_are_contracted(page, assert_accessible, demo):
    """A referral from APEAS reads "d'APEAS" on the advisor's home and on the referral's page;
    "Consentement d'Aurélie …" on the consent form; never "de le"/"de les"/"à le"/"à les"."""
    apeas = Structure.objects.get(slug="apeas")
    intermade = Structure.objects.get(slug="intermade")
    names = "|".join(re.escape(name) for name in Structure.objects.values_list("name", flat=True))
    uncontracted_name = re.compile(rf"\bde ({names}|Aurélie)\b")

    sent = Person.objects.filter(accompaniments__structure=apeas, anonymised_at__isnull=True)
    sent = sent.exclude(referrals__to_structure=intermade).exclude(
        accompaniments__structure=intermade
    )
    person = sent.first()
    referral = refer_person(
        person=person,
        from_structure=apeas,
        user=User.objects.get(email="conseil.apeas@demo.maillage.test"),
        to_structure=intermade,
        reason="Un projet de traiteur solidaire.",
    )
    followed = (
        Person.objects.filter(accompaniments__structure=intermade, anonymised_at__isnull=True)
        .exclude(pk=person.pk)
        .first()
    )
    Person.objects.filter(pk=followed.pk).update(first_name="Aurélie")

    log_in(page, "conseil.intermade@demo.maillage.test")
    text = main_text(page)
    assert "d'APEAS, envoyée le" in text
    assert not uncontracted_name.search(text) and not UNCONTRACTED_ARTICLE.search(text)
    assert_accessible(page)

    page.goto(reverse("pathways:referral_detail", kwargs={"uuid": referral.uuid}))
    expect(page.get_by_role("heading", level=1)).to_have_text("Orientation d'APEAS vers Intermade")
    text = main_text(page)
    assert not uncontracted_name.search(text) and not UNCONTRACTED_ARTICLE.search(text)
    assert_accessible(page)

    page.goto(reverse("pathways:consent_add", kwargs={"uuid": followed.uuid}))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Consentement d'Aurélie {followed.last_name}"
    )
    text = main_text(page)
    assert not uncontracted_name.search(text) and not UNCONTRACTED_ARTICLE.search(text)
    assert_accessible(page)


def test_point_8_an_erased_person_is_offered_nothing_new(page, assert_accessible, demo):
    person = (
        Person.objects.filter(
            accompaniments__structure__slug="intermade",
            consents__withdrawn_at__isnull=True,
            anonymised_at__isnull=True,
        )
        .distinct()
        .first()
    )
    person_page = reverse("pathways:person_detail", kwargs={"uuid": person.uuid})
    refer_url = reverse("pathways:referral_create", kwargs={"uuid": person.uuid})

    log_in(page, "conseil.intermade@demo.maillage.test")
    page.goto(person_page)
    actions = page.get_by_role("navigation", name="Actions sur cette personne")
    # Before the erasure: the person may be referred and their consent withdrawn.
    expect(actions.get_by_role("link", name="Orienter vers une structure")).to_be_visible()
    expect(page.get_by_role("button", name=re.compile("^Retirer")).first).to_be_visible()

    anonymise_person(
        person=person,
        user=User.objects.get(email="admin.intermade@demo.maillage.test"),
        reason="La personne l'a demandé.",
    )
    page.goto(person_page)
    assert "ont été effacées" in main_text(page)
    for name in (
        "Orienter vers une structure",
        "Enregistrer une candidature",
        "Enregistrer un acte",
        "Enregistrer un consentement",
    ):
        expect(page.get_by_role("link", name=name)).to_have_count(0)
    expect(page.get_by_role("button", name=re.compile("^Retirer"))).to_have_count(0)
    assert_accessible(page)

    # The referral form, reached by its address, refuses to send anything about them.
    page.goto(refer_url)
    page.locator("select[name=to_structure]").select_option(label="APEAS")
    page.locator("textarea[name=reason]").fill("Un projet de traiteur solidaire.")
    page.locator("main form[method=post] button[type=submit]").click()
    with translation.override("fr"):
        refused = str(ANONYMISED_MESSAGE)
    expect(page.locator("main")).to_contain_text(refused)
    assert not Referral.objects.filter(person=person, to_structure__slug="apeas").exists()
    assert_accessible(page)


def test_point_9_an_offer_page_promises_only_what_it_holds(page, assert_accessible, demo):
    offer = Offer.objects.filter(structure__networks=demo).order_by("pk").first()
    Offer.objects.filter(pk=offer.pk).update(contact_email="")
    Structure.objects.filter(pk=offer.structure_id).update(email="")
    offer.access_modes.add(AccessMode.objects.get(code="envoyer-un-courriel"))
    mode_label = AccessMode.objects.get(code="envoyer-un-courriel").label_fr
    today = timezone.localdate()
    OfferSession.objects.create(
        offer=offer,
        starts_on=today + datetime.timedelta(days=20),
        ends_on=today + datetime.timedelta(days=21),
        application_deadline=today - datetime.timedelta(days=1),
        place="Marseille",
    )
    OfferSession.objects.create(
        offer=offer,
        starts_on=today + datetime.timedelta(days=60),
        ends_on=today + datetime.timedelta(days=60),
        application_deadline=today + datetime.timedelta(days=40),
        place="Aubagne",
    )

    page.goto(
        reverse("directory:offer", kwargs={"slug": offer.structure.slug, "offer_slug": offer.slug})
    )
    main = page.locator("main")
    expect(main.locator("a[href^='mailto:']")).to_have_count(0)
    assert mode_label not in main_text(page)
    sessions = page.get_by_role("region", name="Sessions à venir")
    closed = sessions.get_by_role("row").filter(has_text="Marseille")
    expect(closed).to_contain_text("Candidatures closes")
    still_open = sessions.get_by_role("row").filter(has_text="Aubagne")
    expect(still_open).not_to_contain_text("Candidatures closes")
    assert FRENCH_LONG_DATE.search(still_open.inner_text())
    assert_accessible(page)


def test_point_11_dates_read_as_french_dates_in_the_page_and_the_pdf(page, assert_accessible, demo):
    from pypdf import PdfReader

    person = (
        Person.objects.filter(accompaniments__structure__slug="intermade", consents__isnull=False)
        .distinct()
        .first()
    )
    log_in(page, "conseil.intermade@demo.maillage.test")
    page.goto(reverse("pathways:person_detail", kwargs={"uuid": person.uuid}))
    text = main_text(page)
    assert FRENCH_SHORT_DATE.search(text)
    assert not ISO_TIMESTAMP.search(text)
    assert_accessible(page)

    page.get_by_role("link", name="Exporter (PDF)").click()
    # The export's form, loaded (axe run while the link's page replaces this one finds no document).
    page.locator("input[value=person_by_email]").wait_for()
    assert_accessible(page)
    page.locator("input[value=person_by_email]").check()
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Réaliser l'export (PDF)").click()
    content = download_info.value.path().read_bytes()
    pdf_text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages)
    assert person.last_name in pdf_text
    assert FRENCH_SHORT_DATE.search(pdf_text) or FRENCH_LONG_DATE.search(pdf_text)
    assert not ISO_TIMESTAMP.search(pdf_text)
