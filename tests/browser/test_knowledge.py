"""Acceptance 1 of issue 21, in a browser: an author of APEAS attaches a file to a sheet, says
what it is about and proposes it; two reviewers of another structure comment on a passage and
validate; the public page shows the validated version (and its file) while a new draft exists;
the network's coordinator adds a family of sheets."""

import pytest

from maillage.knowledge.models import Sheet, VersionStatus
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def log_in(page, email):
    sign_in(page, email)  # the login form has its own tests (tests/browser/conftest.py)


def test_a_sheet_is_proposed_reviewed_validated_and_read_while_a_new_draft_exists(
    demo, page, assert_accessible
):
    sheet = Sheet.objects.select_related("network").get(code="P-3")
    sheet_url = f"/fiches/{sheet.network.slug}/P-3/"

    log_in(page, "conseil.apeas@demo.maillage.test")
    page.goto(sheet_url)
    assert_accessible(page)
    page.locator("#id_file").set_input_files(
        files=[{"name": "grille.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n"}]
    )
    page.get_by_role("button", name="Joindre le fichier").click()
    assert "Fichier joint." in page.get_by_role("status").inner_text()
    page.get_by_role("link", name="Sujets, mots-clés et date de relecture").click()
    assert_accessible(page)
    page.get_by_label("Structures").select_option(label="APEAS")
    page.get_by_role("button", name="Enregistrer").click()
    assert "Enregistré." in page.get_by_role("status").inner_text()
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
    assert "grille.pdf" in body and "Cette fiche porte sur" in body
    assert_accessible(page)

    log_in(page, "coordination@demo.maillage.test")
    page.goto(f"/fiches/{sheet.network.slug}/referentiel/")
    assert_accessible(page)
    page.get_by_role("link", name="Nouvelle famille").click()
    assert_accessible(page)
    page.locator("#id_name").fill("Dossiers thématiques")
    page.get_by_label("Nom court").fill("dossiers")
    page.get_by_label("Motif des codes").fill("D-[0-9]+")
    page.get_by_role("button", name="Enregistrer").click()
    assert "Famille enregistrée." in page.get_by_role("status").inner_text()
    assert "Dossiers thématiques" in page.locator("main").inner_text()
