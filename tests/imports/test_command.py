"""`manage.py import_records`: the same import from the shell, its report and exit status."""

import datetime
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from maillage.imports.models import ImportRun, ImportStatus, SavedMapping
from maillage.pathways.models import Act, Person
from tests.factories import PersonFactory
from tests.imports.engine import (
    ACT_HEADER,
    PERSON_HEADER,
    build_world,
    file_bytes,
    person,
    use_tmp_media,
)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    use_tmp_media(settings, tmp_path)


@pytest.fixture
def world(db):
    return build_world()


def _path(tmp_path, header, rows, fmt="csv"):
    name, data = file_bytes(header, rows, fmt)
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def run_command(*args, **options):
    """(exit status, stdout, stderr) of the command."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_records", *args, stdout=out, stderr=err, **options)
    except CommandError as error:
        return error.returncode, out.getvalue(), err.getvalue() + str(error)
    return 0, out.getvalue(), err.getvalue()


def test_the_command_imports_with_a_text_report_and_progress_on_stderr(world, tmp_path):
    person(world, "D-1")
    rows = [["D-1", "14/03/2025", "Entretien", "1h", ""], ["D-1", "15/03/2025", "Suivi", "1h", ""]]
    path = _path(tmp_path, ACT_HEADER, rows)
    status, out, err = run_command(path, structure=world.intermade.slug, entity="acts")
    assert status == 0
    assert Act.objects.count() == 2
    assert "2" in out.splitlines()[1]  # the counts line
    assert "100 %" in err and "100 %" not in out
    run = ImportRun.objects.get()
    assert run.status == ImportStatus.IMPORTED and run.user is None


def test_json_report_and_exit_status_1_for_acceptance_2(world, tmp_path):
    for number in range(7):
        person(world, f"D-{number}", first=f"Camille{number}")
    rows = []
    for line in range(2, 1001):
        day = (datetime.date(2025, 3, 14) - datetime.timedelta(days=line % 200)).strftime(
            "%d/%m/%Y"
        )
        rows.append([f"D-{line % 7}", "31/02/2025" if line == 734 else day, "Suivi", "1h", ""])
    path = _path(tmp_path, ACT_HEADER, rows)
    status, out, _err = run_command(
        path, structure=world.intermade.slug, entity="acts", report="json"
    )
    assert status == 1
    report = json.loads(out)
    assert report["status"] == "refused"
    assert report["errors"] == [
        {
            "line": 734,
            "column": "Date du RDV",
            "value": "31/02/2025",
            "reason": report["errors"][0]["reason"],
        }
    ]
    assert report["errors"][0]["reason"]
    assert set(report["counts"]) == {"created", "updated", "unchanged", "skipped"}
    assert report["warnings"] == []
    assert not Act.objects.exists()


def test_dry_run_writes_nothing_and_exits_0_when_the_file_would_import(world, tmp_path):
    person(world, "D-1")
    path = _path(tmp_path, ACT_HEADER, [["D-1", "14/03/2025", "Entretien", "1h", ""]])
    status, out, _err = run_command(
        path, structure=world.intermade.slug, entity="acts", dry_run=True, report="json"
    )
    assert status == 0
    report = json.loads(out)
    assert report["status"] == "ready" and report["would_create"] == 1
    assert report["counts"]["created"] == 0  # nothing was saved
    assert not Act.objects.exists()


def test_the_same_file_twice_from_the_command(world, tmp_path):
    person(world, "D-1")
    path = _path(tmp_path, ACT_HEADER, [["D-1", "14/03/2025", "Entretien", "1h", ""]], "xlsx")
    run_command(path, structure=world.intermade.slug, entity="acts")
    status, out, _err = run_command(
        path, structure=world.intermade.slug, entity="acts", report="json"
    )
    assert status == 0
    assert json.loads(out)["counts"] == {"created": 0, "updated": 0, "unchanged": 1, "skipped": 0}
    assert Act.objects.count() == 1


def test_probable_duplicates_are_warnings_from_the_command(world, tmp_path):
    PersonFactory(last_name="Durand", first_name="Camille", accompanied_by=[world.intermade])
    rows = [["D-1", "Durand", "Camille", "17/05/1990", "", ""]]
    path = _path(tmp_path, PERSON_HEADER, rows)
    status, out, _err = run_command(
        path, structure=world.intermade.slug, entity="persons", report="json"
    )
    assert status == 0
    report = json.loads(out)
    assert report["counts"]["created"] == 1 and report["warnings"][0]["line"] == 2
    assert Person.objects.count() == 2


def test_a_saved_mapping_and_a_user(world, tmp_path):
    person(world, "D-1")
    SavedMapping.objects.create(
        structure=world.intermade,
        entity="acts",
        name="Logiciel",
        mapping={
            "file_number": "Dossier",
            "occurred_on": "Jour",
            "act_type": "Prestation",
            "duration": "Minutes",
        },
    )
    header = ["Dossier", "Jour", "Prestation", "Minutes"]
    path = _path(tmp_path, header, [["D-1", "14/03/2025", "Entretien", "50"]])
    status, _out, _err = run_command(
        path,
        structure=world.intermade.slug,
        entity="acts",
        mapping="Logiciel",
        user=world.advisor.email,
    )
    assert status == 0
    act = Act.objects.get()
    assert (act.duration_minutes, act.created_by) == (50, world.advisor)


def test_a_user_of_another_structure_is_refused(world, tmp_path):
    path = _path(tmp_path, ACT_HEADER, [["D-1", "14/03/2025", "Entretien", "1h", ""]])
    status, _out, _err = run_command(
        path, structure=world.intermade.slug, entity="acts", user=world.outsider.email
    )
    assert status == 1 and not Act.objects.exists()


def test_a_file_that_is_not_a_table_is_refused(world, tmp_path):
    path = tmp_path / "actes.csv"
    path.write_bytes(b"%PDF-1.4\n")
    status, out, _err = run_command(
        str(path), structure=world.intermade.slug, entity="acts", report="json"
    )
    assert status == 1
    assert json.loads(out)["errors"][0]["reason"]


def test_unknown_structure_or_file(world, tmp_path):
    path = _path(tmp_path, ACT_HEADER, [])
    assert run_command(path, structure="nulle-part", entity="acts")[0] == 1
    assert run_command(str(tmp_path / "absent.csv"), structure="intermade", entity="acts")[0] == 1


def test_the_json_report_of_a_refused_file_says_what_would_have_been_created(world, tmp_path):
    """A refused file saves nothing: "created" is 0, "would_create" says what it holds."""
    person(world, "D-1")
    rows = [["D-1", "14/03/2025", "Entretien", "1h", ""]] * 3 + [
        ["D-1", "31/02/2025", "Entretien", "1h", ""]
    ]
    path = _path(tmp_path, ACT_HEADER, rows)
    status, out, _err = run_command(
        path, structure=world.intermade.slug, entity="acts", report="json"
    )
    assert status == 1
    report = json.loads(out)
    assert report["status"] == "refused"
    assert report["counts"] == {"created": 0, "updated": 0, "unchanged": 0, "skipped": 0}
    assert report["would_create"] == 3
    assert not Act.objects.exists()
