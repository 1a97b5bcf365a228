"""The import screens of an advisor: upload, mapping, dry run, duplicates, commit, history, undo."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from maillage.imports import services
from maillage.imports.entities import ENTITIES
from maillage.imports.models import ImportRun, ImportStatus, SavedMapping
from maillage.pathways.models import Act, Person
from tests.factories import StructureMembershipFactory, UserFactory
from tests.imports.engine import *  # noqa: F403 (fixtures: world, media; person)
from tests.imports.engine import person
from tests.imports.files import csv_bytes, pdf_bytes

pytestmark = pytest.mark.django_db

HOME = reverse("imports:home")
# "Prestation" is a header the automatic mapping does not know: the act type must be chosen.
ACTS_WITH_UNKNOWN_HEADER = ["N° dossier", "Date du RDV", "Prestation", "Durée"]


def acts_file(rows, header=ACTS_WITH_UNKNOWN_HEADER, name="actes.csv"):
    return SimpleUploadedFile(name, csv_bytes([header, *rows]), content_type="text/csv")


def url(name, run):
    return reverse(f"imports:{name}", kwargs={"uuid": run.uuid})


@pytest.fixture
def advisor(world, login):
    return login(world.advisor)


def upload(advisor, world, rows, **data):
    response = advisor.post(HOME, {"entity": "acts", "file": acts_file(rows), **data})
    run = ImportRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("mapping", run)
    return run


def mapping_data(run, **columns):
    data = {f"column_{code}": column for code, column in run.mapping.items()}
    data.update({f"column_{code}": column for code, column in columns.items()})
    return data


# --- Home ---------------------------------------------------------------------------------------


def test_the_home_offers_the_upload_form_and_the_template_files(advisor):
    response = advisor.get(HOME)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'enctype="multipart/form-data"' in html
    assert 'name="entity"' in html and 'name="file"' in html
    # One structure: it is not asked.
    assert 'name="structure"' not in html
    for entity in ("persons", "acts", "outcomes"):
        for file_format in ("xlsx", "csv"):
            template = reverse(
                "imports:template_file", kwargs={"entity": entity, "file_format": file_format}
            )
            assert template in html
    assert "Aucun fichier importé pour l'instant." in html


def test_the_pathways_home_links_to_the_imports(advisor):
    assert HOME in advisor.get(reverse("pathways:home")).content.decode()


def test_the_imports_are_for_the_staff_of_a_structure(client, login, world):
    assert client.get(HOME).status_code == 302  # to the login page
    assert login(UserFactory()).get(HOME).status_code == 403


def test_an_advisor_of_several_structures_chooses_the_structure(world, login):
    StructureMembershipFactory(structure=world.apeas, user=world.advisor)
    client = login(world.advisor)
    html = client.get(HOME).content.decode()
    assert 'name="structure"' in html
    response = client.post(
        HOME,
        {"structure": world.apeas.pk, "entity": "acts", "file": acts_file([])},
    )
    assert response.status_code == 302
    assert ImportRun.objects.get().structure == world.apeas


# --- Upload -------------------------------------------------------------------------------------


def test_a_file_that_is_not_a_spreadsheet_is_refused_and_the_form_keeps_the_choices(advisor):
    response = advisor.post(
        HOME,
        {
            "entity": "outcomes",
            "sheet": "Sorties 2024",
            "file": SimpleUploadedFile("sorties.csv", pdf_bytes(), content_type="text/csv"),
        },
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert form.errors["file"]  # the reader's message: what is wrong and what to do
    html = response.content.decode()
    assert '<option value="outcomes" selected>' in html
    assert 'value="Sorties 2024"' in html
    assert "choisissez-le à nouveau" in html
    assert not ImportRun.objects.exists()


def test_a_file_is_required(advisor):
    response = advisor.post(HOME, {"entity": "acts"})
    assert response.status_code == 400
    assert response.context["form"].errors["file"] == ["Choisissez le fichier à importer."]


def test_the_upload_proposes_a_saved_mapping(advisor, world):
    SavedMapping.objects.create(
        structure=world.intermade,
        entity="acts",
        name="Fichier de l'accueil",
        mapping={"file_number": "N° dossier", "act_type": "Prestation"},
    )
    html = advisor.get(HOME).content.decode()
    assert "Fichier de l&#x27;accueil" in html
    run = upload(advisor, world, [], mapping_name="Fichier de l'accueil")
    assert run.mapping == {"file_number": "N° dossier", "act_type": "Prestation"}


# --- Mapping ------------------------------------------------------------------------------------


def test_the_mapping_page_preselects_the_proposed_columns_and_shows_the_first_rows(advisor, world):
    person(world, "D-001")
    run = upload(advisor, world, [["D-001", "03/02/2025", "RDV", "1h30"]])
    response = advisor.get(url("mapping", run))
    assert response.status_code == 200
    html = response.content.decode()
    # The date column was recognised; the act type was not ("Prestation").
    assert '<option value="Date du RDV" selected>' in html
    form = response.context["form"]
    assert form["column_occurred_on"].value() == "Date du RDV"
    assert form["column_act_type"].value() == ""
    assert "— Pas dans le fichier —" in html
    # The preview shows the line as the spreadsheet numbers it.
    assert '<th scope="row">2</th>' in html
    assert "03/02/2025" in html


def test_a_missing_required_column_is_explained_and_nothing_is_lost(advisor, world):
    run = upload(advisor, world, [["D-001", "03/02/2025", "RDV", "1h30"]])
    response = advisor.post(url("mapping", run), mapping_data(run))
    assert response.status_code == 400
    form = response.context["form"]
    act_type = str(ENTITIES["acts"]["act_type"].label)
    assert any(act_type in error for error in form.non_field_errors())
    assert form["column_occurred_on"].value() == "Date du RDV"
    run.refresh_from_db()
    assert run.status == ImportStatus.UPLOADED


def test_saving_the_mapping_needs_a_name(advisor, world):
    run = upload(advisor, world, [["D-001", "03/02/2025", "RDV", "1h30"]])
    data = {**mapping_data(run, act_type="Prestation"), "save": "on", "save_as": ""}
    response = advisor.post(url("mapping", run), data)
    assert response.status_code == 400
    assert response.context["form"].errors["save_as"]
    assert not SavedMapping.objects.exists()


# --- Dry run, commit, result --------------------------------------------------------------------


def test_corrected_mapping_dry_run_commit_and_result(advisor, world):
    camille = person(world, "D-001")
    run = upload(advisor, world, [["D-001", "03/02/2025", "RDV", "1h30"]])
    data = {**mapping_data(run, act_type="Prestation"), "save": "on", "save_as": "Accueil"}
    response = advisor.post(url("mapping", run), data)
    # A small file is read in the request: straight to the dry run.
    assert response.status_code == 302
    assert response["Location"] == url("dry_run", run)
    assert SavedMapping.objects.get().mapping["act_type"] == "Prestation"

    response = advisor.get(url("dry_run", run))
    html = response.content.decode()
    assert dict(response.context["counts"])["Lignes créées"] == 1
    assert f'action="{url("commit", run)}"' in html
    assert not Act.objects.exists()  # a dry run writes nothing

    response = advisor.post(url("commit", run))
    assert response["Location"] == url("result", run)
    act = Act.objects.get()
    assert (act.occurred_on, act.duration_minutes) == (datetime.date(2025, 2, 3), 90)
    html = advisor.get(url("result", run)).content.decode()
    assert reverse("pathways:person_detail", kwargs={"uuid": camille.uuid}) in html
    assert url("undo", run) in html
    # The run's address leads to the screen of its status.
    assert advisor.get(url("run", run))["Location"] == url("result", run)
    assert advisor.get(url("dry_run", run))["Location"] == url("result", run)


def test_a_bad_date_is_reported_with_its_line_column_and_value_and_blocks_the_import(
    advisor, world
):
    person(world, "D-001")
    rows = [["D-001", "03/02/2025", "RDV", "1h30"], ["D-001", "31/02/2025", "RDV", "1h"]]
    run = upload(advisor, world, rows)
    advisor.post(url("mapping", run), mapping_data(run, act_type="Prestation"))
    run.refresh_from_db()
    assert run.status == ImportStatus.REFUSED
    response = advisor.get(url("dry_run", run))
    errors = response.context["errors"]
    assert [(e["line"], e["column"], e["value"]) for e in errors] == [
        (3, "Date du RDV", "31/02/2025")
    ]
    html = response.content.decode()
    assert "rien ne sera importé" in html
    assert url("commit", run) not in html
    # Importing anyway is refused, and nothing is written.
    response = advisor.post(url("commit", run), follow=True)
    assert not Act.objects.exists()
    # The error report lists it.
    report = advisor.get(url("error_report", run))
    assert report["Content-Type"].startswith("text/csv")
    text = report.content.decode("utf-8-sig")
    assert "3;Date du RDV;31/02/2025;" in text


def test_probable_duplicates_are_resolved_before_the_import(advisor, world):
    existing = person(world, "D-001", first="Camille", last="Durand")
    header = ["N° dossier", "Nom", "Prénom", "Date de naissance"]
    data = csv_bytes([header, ["D-900", "DURAND", "Camille", "17/05/1990"]])
    advisor.post(HOME, {"entity": "persons", "file": SimpleUploadedFile("personnes.csv", data)})
    run = ImportRun.objects.get()
    advisor.post(url("mapping", run), mapping_data(run))
    response = advisor.get(url("dry_run", run))
    html = response.content.decode()
    assert 'type="radio"' in html and 'name="line_2"' in html
    assert f'value="{existing.pk}"' in html
    assert url("commit", run) not in html  # not before the duplicate is resolved

    response = advisor.post(url("duplicates", run), {"line_2": str(existing.pk)})
    assert response.status_code == 302
    run.refresh_from_db()
    assert run.duplicate_decisions == {"2": existing.pk}
    html = advisor.get(url("dry_run", run)).content.decode()
    assert url("commit", run) in html
    advisor.post(url("commit", run))
    assert Person.objects.count() == 1  # the same person, updated rather than doubled


def test_an_empty_answer_about_duplicates_is_explained(advisor, world):
    person(world, "D-001", first="Camille", last="Durand")
    header = ["N° dossier", "Nom", "Prénom", "Date de naissance"]
    data = csv_bytes([header, ["D-900", "Durand", "Camille", "17/05/1990"]])
    advisor.post(HOME, {"entity": "persons", "file": SimpleUploadedFile("p.csv", data)})
    run = ImportRun.objects.get()
    advisor.post(url("mapping", run), mapping_data(run))
    response = advisor.post(url("duplicates", run), {})
    assert response.status_code == 400
    assert "nouvelle personne" in response.content.decode()


# --- Progress -----------------------------------------------------------------------------------


def test_the_progress_page_polls_a_fragment_and_goes_on_when_the_task_ends(advisor, world):
    run = upload(advisor, world, [["D-001", "03/02/2025", "RDV", "1h30"]])
    ImportRun.objects.filter(pk=run.pk).update(
        status=ImportStatus.ANALYSING, progress_done=1200, progress_total=5000
    )
    html = advisor.get(url("progress", run)).content.decode()
    assert f'hx-get="{url("progress_fragment", run)}"' in html
    assert 'hx-trigger="every 1s"' in html
    assert '<progress aria-labelledby="import-progress-label" max="5000" value="1200">' in html
    assert f'href="{url("progress", run)}"' in html  # refreshing without JavaScript
    fragment = advisor.get(url("progress_fragment", run), headers={"HX-Request": "true"})
    assert "1200 lignes sur 5000" in fragment.content.decode()

    ImportRun.objects.filter(pk=run.pk).update(status=ImportStatus.READY)
    fragment = advisor.get(url("progress_fragment", run), headers={"HX-Request": "true"})
    assert fragment["HX-Redirect"] == url("dry_run", run)
    assert advisor.get(url("progress", run))["Location"] == url("dry_run", run)


# --- History, undo, access ----------------------------------------------------------------------


def test_undo_from_the_result_page(advisor, world):
    person(world, "D-001")
    run = upload(advisor, world, [["D-001", "03/02/2025", "RDV", "1h30"]])
    advisor.post(url("mapping", run), mapping_data(run, act_type="Prestation"))
    advisor.post(url("commit", run))
    assert Act.objects.count() == 1
    html = advisor.get(HOME).content.decode()
    assert url("undo", run) in html
    response = advisor.post(url("undo", run), follow=True)
    assert not Act.objects.exists()
    run.refresh_from_db()
    assert run.status == ImportStatus.UNDONE
    assert "annulé" in response.content.decode()
    assert url("undo", run) not in advisor.get(HOME).content.decode()


def test_an_import_that_cannot_be_undone_says_why(advisor, world):
    run = upload(advisor, world, [])
    response = advisor.post(url("undo", run), follow=True)
    shown = [(m.level_tag, str(m)) for m in response.context["messages"]]
    assert [level for level, _text in shown] == ["error"]
    assert shown[0][1] in response.content.decode()
    run.refresh_from_db()
    assert run.status == ImportStatus.UPLOADED


def test_another_structures_runs_are_not_found(world, login):
    run = services.upload(
        structure=world.apeas,
        entity="acts",
        user=world.outsider,
        uploaded_file=acts_file([]),
    )
    client = login(world.advisor)
    for name in ("run", "mapping", "dry_run", "progress", "result", "error_report"):
        assert client.get(url(name, run)).status_code == 404
    assert client.post(url("undo", run)).status_code == 404
    assert run.file_name not in client.get(HOME).content.decode()


@pytest.mark.parametrize("count", [2, 30])
def test_the_history_costs_a_bounded_number_of_queries(
    advisor, world, count, django_assert_max_num_queries
):
    for index in range(count):
        services.upload(
            structure=world.intermade,
            entity="acts",
            user=world.advisor,
            uploaded_file=acts_file([], name=f"actes-{index}.csv"),
        )
    with django_assert_max_num_queries(10):
        response = advisor.get(HOME)
    assert len(response.context["rows"]) == count
