"""Acceptance 1 of issue 21, in a browser: an author of APEAS proposes a sheet; two reviewers
of another structure comment on a passage and validate; the public page shows the validated
version while a new draft exists."""

import pytest

from maillage.accounts.demo import DEMO_PASSWORD
from maillage.knowledge.models import Sheet, VersionStatus

pytestmark = pytest.mark.django_db(transaction=True)


def log_in(page, email):
    page.context.clear_cookies()
    page.goto("/compte/connexion/")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(lambda url: "/connexion/" not in url)


def test_a_sheet_is_proposed_reviewed_validated_and_read_while_a_new_draft_exists(
    demo, page, assert_accessible
):
    sheet = Sheet.objects.select_related("network").get(code="P-3")
    sheet_url = f"/fiches/{sheet.network.slug}/P-3/"

    log_in(page, "conseil.apeas@demo.maillage.test")
    page.goto(sheet_url)
    assert_accessible(page)
    page.get_by_role("button", name="Proposer la dernière version à la relecture").click()
    assert "proposée à la relecture" in page.get_by_role("status").inner_text()

    for reviewer in ("conseil.intermade@demo.maillage.test", "admin.intermade@demo.maillage.test"):
        log_in(page, reviewer)
        page.goto(sheet_url)
        page.get_by_role("link", name="Relecture et commentaires").click()
        assert_accessible(page)
        page.get_by_role("textbox", name="Passage").fill("cinq fois")
        page.locator("#id_comment-body").fill("Souvent plus, hélas.")
        page.get_by_role("button", name="Commenter ce passage").click()
        assert "Commentaire ajouté." in page.get_by_role("status").inner_text()
        page.get_by_role("radio", name="Valider").check()
        page.get_by_role("button", name="Enregistrer ma relecture").click()
        assert "Relecture enregistrée." in page.get_by_role("status").inner_text()

    version = sheet.versions.get(number=1)
    assert version.status == VersionStatus.VALIDATED
    assert version.comments.count() == 2

    log_in(page, "conseil.apeas@demo.maillage.test")
    page.goto(sheet_url)
    page.get_by_role("link", name="Écrire une nouvelle version").click()
    assert_accessible(page)
    page.get_by_role("textbox", name="Texte (Markdown)").fill(
        "Un brouillon que le public ne lit pas."
    )
    page.get_by_role("button", name="Enregistrer la version").click()
    assert "Version enregistrée." in page.get_by_role("status").inner_text()

    page.context.clear_cookies()
    page.goto(sheet_url)
    body = page.locator("main").inner_text()
    assert "cinq fois" in body
    assert "brouillon que le public" not in body
    assert "Validée par" in body and "Intermade" in body
    assert_accessible(page)
