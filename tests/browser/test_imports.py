"""Acceptance 5 of the imports: in a browser, an advisor uploads an acts file, corrects one
mapping, sees the dry run, commits, and finds the imported acts on a person's timeline; every
import screen passes axe. The progress page follows a background task with htmx and goes on by
itself when the task ends."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from playwright.sync_api import expect

from maillage.imports import services
from maillage.imports.models import ImportRun, ImportStatus
from maillage.pathways.models import Act, Person
from tests.browser.conftest import sign_in
from tests.factories import (
    NetworkFactory,
    StructureFactory,
    StructureMembershipFactory,
    UserFactory,
)
from tests.imports.files import csv_bytes, xlsx_bytes

pytestmark = pytest.mark.django_db(transaction=True)

ADVISOR = "conseil.intermade@exemple.test"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def log_in(page, email):
    sign_in(page, email)  # the login form has its own tests (tests/browser/conftest.py)


def build_world():
    """Intermade, its advisor, and the persons it imported before (with their file numbers)."""
    network = NetworkFactory(name="Réseau test")
    intermade = StructureFactory(name="Intermade", networks=[network])
    advisor = UserFactory(email=ADVISOR)
    StructureMembershipFactory(structure=intermade, user=advisor)
    persons = csv_bytes(
        [
            ["N° dossier", "Nom", "Prénom", "Date de naissance"],
            ["D-001", "Durand", "Camille", "17/05/1990"],
            ["D-002", "Martin", "Sacha", "02/11/1985"],
        ]
    )
    run = services.upload(
        structure=intermade,
        entity="persons",
        user=advisor,
        uploaded_file=SimpleUploadedFile("personnes.csv", persons),
    )
    services.commit(run=run, user=advisor)
    return intermade, advisor


def test_an_advisor_imports_acts_and_finds_them_on_the_timeline(page, assert_accessible):
    build_world()
    # The act type column is headed "Prestation": the automatic mapping cannot know it.
    acts = xlsx_bytes(
        {
            "Actes": [
                ["N° dossier", "Date du RDV", "Prestation", "Durée"],
                ["D-001", datetime.date(2025, 2, 3), "RDV", "1h30"],
                ["D-001", datetime.date(2025, 3, 10), "Suivi", 60],
                ["D-002", datetime.date(2025, 3, 11), "Diag", "1,5"],
            ]
        }
    )

    log_in(page, ADVISOR)
    page.goto(reverse("pathways:home"))
    page.get_by_role("link", name="Importer un tableur").click()
    page.wait_for_url(f"**{reverse('imports:home')}")
    assert_accessible(page)

    # Upload.
    page.get_by_label("Contenu du fichier").select_option("acts")
    page.get_by_label("Fichier à importer").set_input_files(
        {"name": "actes-2025.xlsx", "mimeType": XLSX, "buffer": acts}
    )
    page.get_by_role("button", name="Envoyer le fichier").click()
    page.wait_for_url("**/correspondance/")
    assert "Colonnes de actes-2025.xlsx" in page.locator("h1").inner_text()
    preview = page.locator("table", has_text="Prestation")
    assert "RDV" in preview.inner_text() and "03/02/2025" in preview.inner_text()
    assert_accessible(page)

    # The mapping: the date was recognised, the act type was not; correct it.
    assert page.locator("#id_column_occurred_on").input_value() == "Date du RDV"
    act_type = page.get_by_label("Type d'acte")
    assert act_type.input_value() == ""
    act_type.select_option(label="Prestation")
    page.get_by_role("button", name="Lancer l'essai à blanc").click()

    # The dry run: three acts would be created, nothing is written yet.
    page.wait_for_url("**/simulation/")
    counts = page.locator("section", has_text="Ce que l'import ferait").inner_text()
    assert "Lignes créées\n3" in counts
    assert not Act.objects.exists()
    assert_accessible(page)
    page.get_by_role("button", name="Importer", exact=True).click()

    # The result, with the persons concerned.
    page.wait_for_url("**/resultat/")
    assert "Importé" in page.locator("main").inner_text()
    assert_accessible(page)
    assert Act.objects.count() == 3
    page.get_by_role("link", name="Camille Durand").click()

    # The person's timeline shows the imported acts.
    camille = Person.objects.get(last_name="Durand")
    page.wait_for_url(f"**{reverse('pathways:person_detail', kwargs={'uuid': camille.uuid})}")
    timeline = page.locator("section", has_text="Chronologie entre structures").inner_text()
    assert "Entretien individuel" in timeline and "03/02/2025" in timeline
    assert "Suivi individuel" in timeline and "10/03/2025" in timeline
    assert "Diagnostic" not in timeline  # Sacha's act

    # Back on the imports' home: the history lists the file, which can be undone.
    page.goto(reverse("imports:home"))
    row = page.locator("tbody tr", has_text="actes-2025.xlsx")
    assert "Importé" in row.inner_text()
    assert row.get_by_role("button", name="Annuler").count() == 1
    assert_accessible(page)


def test_the_progress_page_follows_the_task_and_goes_on_when_it_ends(page, assert_accessible):
    intermade, advisor = build_world()
    # A file whose dry run a background task is doing (as for a large file).
    run = services.upload(
        structure=intermade,
        entity="persons",
        user=advisor,
        uploaded_file=SimpleUploadedFile(
            "personnes-2.csv",
            csv_bytes([["N° dossier", "Nom", "Prénom"], ["D-003", "Roux", "Lou"]]),
        ),
    )
    ImportRun.objects.filter(pk=run.pk).update(
        status=ImportStatus.ANALYSING, progress_done=1, progress_total=2
    )
    log_in(page, ADVISOR)
    page.goto(reverse("imports:progress", kwargs={"uuid": run.uuid}))
    bar = page.locator("progress")
    assert (bar.get_attribute("value"), bar.get_attribute("max")) == ("1", "2")
    assert_accessible(page)
    # The task moves on: htmx swaps the bar in, then leaves for the dry run once it is done.
    ImportRun.objects.filter(pk=run.pk).update(progress_done=2)
    expect(page.locator("progress")).to_have_attribute("value", "2")
    ImportRun.objects.filter(pk=run.pk).update(status=ImportStatus.READY)
    page.wait_for_url("**/simulation/")
    assert_accessible(page)


def test_an_advisor_maps_a_value_of_her_own_words_once_in_the_dry_run(page, assert_accessible):
    """Issue 16: "RSA socle" matches no situation; the dry run proposes the closest entry, says
    which column looks like the rows' identifier and which columns are not imported; the
    advisor answers without any script needed, and the file imports."""
    build_world()
    persons = csv_bytes(
        [
            ["Code usager", "Nom", "Prénom", "Date de naissance", "Situation", "Lieu"],
            ["U-17", "Benali", "Sami", "04/05/1987", "RSA socle", "Accueil"],
            ["U-18", "Roux", "Léa", "02/03/1991", "Salarié(e)", "Accueil"],
        ]
    )
    log_in(page, ADVISOR)
    page.goto(reverse("imports:home"))
    page.get_by_label("Contenu du fichier").select_option("persons")
    page.get_by_label("Fichier à importer").set_input_files(
        {"name": "usagers.csv", "mimeType": "text/csv", "buffer": persons}
    )
    page.get_by_role("button", name="Envoyer le fichier").click()
    page.wait_for_url("**/correspondance/")
    page.get_by_role("button", name="Lancer l'essai à blanc").click()

    page.wait_for_url("**/simulation/")
    main = page.locator("main").inner_text()
    assert "Quelle colonne identifie les lignes" in main and "Code usager" in main
    assert "2 colonnes ne sont pas importées" in main and "Lieu" in main
    assert_accessible(page)
    page.get_by_role("button", name="Le fichier n'a pas d'identifiant de ses lignes").click()

    page.wait_for_url("**/simulation/")
    assert "Quelle colonne identifie les lignes" not in page.locator("main").inner_text()
    value = page.get_by_label("« RSA socle » dans la colonne « Situation »")
    value.select_option(label="Allocataire du RSA (la plus proche)")
    assert page.get_by_label("Garder ces réponses avec la correspondance enregistrée").input_value()
    assert_accessible(page)
    page.get_by_role("button", name="Garder mes réponses et relire le fichier").click()

    page.wait_for_url("**/simulation/")
    assert_accessible(page)
    page.get_by_role("button", name="Importer", exact=True).click()
    page.wait_for_url("**/resultat/")
    assert Person.objects.get(last_name="Benali").situation.code == "rsa"
    assert Person.objects.get(last_name="Roux").situation.code == "employee"
