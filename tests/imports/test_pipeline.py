"""The pipeline from a file to rows: dry run, commit, errors with line, column and value."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from maillage.imports import services
from maillage.imports.models import ImportedRow, ImportRun, ImportStatus
from maillage.pathways.models import Accompaniment, Act, ActParticipant, Referral, ReferralStatus
from tests.factories import PersonFactory, ReferralFactory
from tests.imports.engine import (
    ACT_HEADER,
    build_world,
    commit,
    file_bytes,
    person,
    upload,
    use_tmp_media,
)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    use_tmp_media(settings, tmp_path)


@pytest.fixture
def world(db):
    return build_world()


DAY = datetime.date(2025, 3, 14)


@pytest.mark.sqlite
def test_acts_dry_run_then_commit(world):
    camille = person(world, "D-001")
    dominique = person(world, "D-002", first="Dominique", last="Martin")
    rows = [
        ["D-001", "14/03/2025", "Entretien individuel", "1h30", "Premier entretien"],
        ["D-002", "2025-03-15", "RDV", "90", ""],
        ["D-001", 45733, "Suivi individuel", "1,5", None],
    ]
    run = upload(world, "acts", ACT_HEADER, rows)
    assert run.status == ImportStatus.UPLOADED
    assert run.mapping == {
        "file_number": "N° dossier",
        "occurred_on": "Date du RDV",
        "act_type": "Type d'acte",
        "duration": "Durée",
        "notes": "Commentaire",
    }
    run = services.analyse(run=run, user=world.advisor)
    assert run.status == ImportStatus.READY, run.errors
    assert run.counts["created"] == 3
    assert not Act.objects.exists()

    run = services.commit(run=run, user=world.advisor)
    assert run.status == ImportStatus.IMPORTED
    assert run.imported_at is not None
    acts = list(Act.objects.order_by("occurred_on", "pk"))
    assert [(a.occurred_on, a.duration_minutes, a.act_type.code) for a in acts] == [
        (DAY, 90, "individual_interview"),
        (datetime.date(2025, 3, 15), 90, "individual_interview"),
        (datetime.date(2025, 3, 17), 90, "individual_follow_up"),
    ]
    assert acts[0].notes == "Premier entretien"
    assert acts[0].version == 1 and acts[0].structure == world.intermade
    assert acts[0].staff == world.advisor and acts[0].created_by == world.advisor
    assert not acts[0].is_collective
    assert set(ActParticipant.objects.values_list("person_id", flat=True)) == {
        camille.pk,
        dominique.pk,
    }
    camille.refresh_from_db()
    assert camille.last_activity_on == datetime.date(2025, 3, 17)
    assert ImportedRow.objects.filter(created_by_run=run).count() == 3


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "ods"])
def test_each_format_imports_the_same_acts(world, fmt):
    person(world, "12")
    rows = [
        [12, datetime.date(2025, 2, 3), "Accueil", "45 min", "Orientée par Pôle emploi"],
        [12, datetime.date(2025, 2, 10), "Diagnostic", datetime.time(1, 30), None],
    ]
    run = commit(world, "acts", ACT_HEADER, rows, fmt=fmt)
    assert run.status == ImportStatus.IMPORTED, run.errors
    assert run.file_format == fmt
    assert sorted(Act.objects.values_list("occurred_on", "duration_minutes", "act_type__code")) == [
        (datetime.date(2025, 2, 3), 45, "reception"),
        (datetime.date(2025, 2, 10), 90, "diagnostic"),
    ]


def test_title_rows_above_the_header_and_lines_as_the_spreadsheet_shows_them(world):
    person(world, "D-001")
    preamble = [["Suivi des rendez-vous 2025"], [], ["Export du 02/04/2025"]]
    rows = [
        ["D-001", "14/03/2025", "Entretien", "1h", ""],
        ["D-001", "31/02/2025", "Entretien", "1h", ""],
    ]
    run = commit(world, "acts", ACT_HEADER, rows, preamble=preamble)
    assert run.status == ImportStatus.REFUSED
    # Title on line 1, blank line 2, export date line 3, header line 4: the bad row is line 6.
    assert [(e["line"], e["column"], e["value"]) for e in run.errors] == [
        (6, "Date du RDV", "31/02/2025")
    ]


def _thousand_rows(bad_line: int):
    """A 1,000-line acts file (header on line 1) whose line `bad_line` has a bad date."""
    rows = []
    for line in range(2, 1001):
        day = DAY - datetime.timedelta(days=line % 300)
        text = "31/02/2025" if line == bad_line else day.strftime("%d/%m/%Y")
        rows.append([f"D-{line % 7:03d}", text, "Suivi individuel", "1h", ""])
    return rows


def test_acceptance_2_one_bad_date_on_line_734_imports_nothing(world):
    for number in range(7):
        person(world, f"D-{number:03d}", first=f"Camille{number}")
    run = upload(world, "acts", ACT_HEADER, _thousand_rows(734))
    run = services.analyse(run=run, user=world.advisor)
    assert run.status == ImportStatus.REFUSED
    assert len(run.errors) == 1
    error = run.errors[0]
    assert (error["line"], error["column"], error["value"]) == (734, "Date du RDV", "31/02/2025")
    assert error["reason"]  # translated: what was expected
    assert run.counts["created"] == 998  # what the other rows would do

    with pytest.raises(ValidationError):
        services.commit(run=run, user=world.advisor)
    # Straight to the import (as the command does): refused too, nothing written.
    run = upload(world, "acts", ACT_HEADER, _thousand_rows(734))
    run = services.commit(run=run, user=world.advisor)
    assert run.status == ImportStatus.REFUSED
    assert run.errors[0]["line"] == 734
    assert not Act.objects.exists()
    assert not ImportedRow.objects.exists()


def test_every_error_of_every_row_is_reported_in_french(world):
    person(world, "D-001")
    rows = [
        ["D-001", "14/03/2025", "Plongée sous-marine", "1h", ""],
        ["D-999", "14/03/2025", "Entretien", "1h", ""],
        ["D-001", "14/03/2099", "Entretien", "0", ""],
        ["", "14/03/2025", "Entretien", "1h", ""],
        ["D-001", "", "Entretien", "", ""],
    ]
    run = commit(world, "acts", ACT_HEADER, rows)
    assert run.status == ImportStatus.REFUSED
    found = {(e["line"], e["column"]): e for e in run.errors}
    assert set(found) == {
        (2, "Type d'acte"),
        (3, "N° dossier"),
        (4, "Durée"),
        (5, "N° dossier"),
        (6, "Date du RDV"),
        (6, "Durée"),
    }
    assert "Type d'acte" in found[(2, "Type d'acte")]["reason"] or "type" in (
        found[(2, "Type d'acte")]["reason"].lower()
    )
    assert found[(3, "N° dossier")]["value"] == "D-999"
    assert "dossier" in found[(3, "N° dossier")]["reason"]  # French
    assert not Act.objects.exists()


def test_a_date_in_the_future_is_refused(world):
    person(world, "D-001")
    future = (datetime.date.today() + datetime.timedelta(days=3)).strftime("%d/%m/%Y")
    run = commit(world, "acts", ACT_HEADER, [["D-001", future, "Entretien", "1h", ""]])
    assert run.status == ImportStatus.REFUSED
    assert run.errors[0]["column"] == "Date du RDV"


@pytest.mark.sqlite
def test_persons_are_found_by_name_and_birth_date(world):
    camille = person(world, "D-001")
    header = ["Nom", "Prénom", "Date de naissance", "Date", "Type", "Durée"]
    rows = [
        ["DURAND", "camille", "17/05/1990", "14/03/2025", "Entretien individuel", "1h"],
        ["Durand", "Camille", "18/05/1990", "14/03/2025", "Entretien individuel", "1h"],
    ]
    run = commit(world, "acts", header, rows)
    assert run.status == ImportStatus.REFUSED
    assert [(e["line"], e["column"]) for e in run.errors] == [(3, "Nom")]
    run = commit(world, "acts", header, rows[:1])
    assert run.status == ImportStatus.IMPORTED
    assert ActParticipant.objects.get().person == camille


def test_a_person_the_structure_does_not_see_cannot_be_named(world):
    hidden = PersonFactory(last_name="Caché", first_name="Ali", accompanied_by=[world.apeas])
    Accompaniment.objects.filter(person=hidden).update(file_number="D-001")
    header = ["Nom", "Prénom", "Date de naissance", "Date", "Type", "Durée"]
    rows = [["Caché", "Ali", "17/05/1990", "14/03/2025", "Entretien", "1h"]]
    run = commit(world, "acts", header, rows)
    assert run.status == ImportStatus.REFUSED
    run = commit(world, "acts", ACT_HEADER, [["D-001", "14/03/2025", "Entretien", "1h", ""]])
    assert run.status == ImportStatus.REFUSED  # the file number is APEAS's, not Intermade's
    assert not Act.objects.exists()


@pytest.mark.sqlite
def test_a_person_referred_with_consent_gets_an_accompaniment_with_the_act(world):
    """Once the referral is accepted (issue 13, point 4): before, the row is refused."""
    shared = PersonFactory(sharing=True, accompanied_by=[world.apeas])
    referral = ReferralFactory(
        person=shared, from_structure=world.apeas, to_structure=world.intermade
    )
    header = ["Nom", "Prénom", "Date de naissance", "Date", "Type", "Durée"]
    birth = shared.birth_date.strftime("%d/%m/%Y")
    rows = [[shared.last_name, shared.first_name, birth, "14/03/2025", "Entretien", "1h"]]
    refused = commit(world, "acts", header, rows)
    assert refused.status == ImportStatus.REFUSED
    assert "acceptez l'orientation" in refused.errors[0]["reason"]
    assert not Accompaniment.objects.filter(person=shared, structure=world.intermade).exists()
    Referral.objects.filter(pk=referral.pk).update(status=ReferralStatus.ACCEPTED)
    run = commit(world, "acts", header, rows)
    assert run.status == ImportStatus.IMPORTED, run.errors
    accompaniment = Accompaniment.objects.get(person=shared, structure=world.intermade)
    assert accompaniment.started_on == DAY


@pytest.mark.sqlite
def test_collective_act_with_attendees_and_absents(world):
    for number in ("1", "2", "3", "4"):
        person(world, number, first=f"Prénom{number}")
    header = ["Date", "Type d'acte", "Durée", "Participants", "Absents", "Intitulé"]
    rows = [["14/03/2025", "Atelier collectif", "3h", "1; 2 ;3", "4", "Atelier budget"]]
    run = commit(world, "acts", header, rows)
    assert run.status == ImportStatus.IMPORTED, run.errors
    act = Act.objects.get()
    assert act.is_collective and act.title == "Atelier budget" and act.duration_minutes == 180
    attendance = dict(
        ActParticipant.objects.values_list("person__accompaniments__file_number", "attended")
    )
    assert attendance == {"1": True, "2": True, "3": True, "4": False}


def test_an_individual_act_for_an_absent_person_is_refused(world):
    person(world, "1")
    header = ["N° dossier", "Date", "Type d'acte", "Durée", "Absents"]
    run = commit(world, "acts", header, [["", "14/03/2025", "Entretien individuel", "1h", "1"]])
    assert run.status == ImportStatus.REFUSED
    assert run.errors[0]["column"] == "Absents"


def test_a_required_column_missing_refuses_the_file_at_its_header(world):
    person(world, "D-001")
    header = ["N° dossier", "Date du RDV", "Type d'acte"]
    run = commit(world, "acts", header, [["D-001", "14/03/2025", "Entretien"]])
    assert run.status == ImportStatus.REFUSED
    assert run.errors[0]["line"] == 1
    assert "Durée" in run.errors[0]["reason"]


def test_an_identifier_twice_in_the_file_is_an_error(world):
    person(world, "D-001")
    header = ["N° acte", *ACT_HEADER]
    rows = [
        ["A1", "D-001", "14/03/2025", "Entretien", "1h", ""],
        ["A1", "D-001", "15/03/2025", "Entretien", "1h", ""],
    ]
    run = commit(world, "acts", header, rows)
    assert run.status == ImportStatus.REFUSED
    assert [(e["line"], e["column"], e["value"]) for e in run.errors] == [(3, "N° acte", "A1")]


def test_a_mapping_corrected_by_the_user(world):
    person(world, "D-001")
    header = ["Dossier client", "Jour", "Prestation", "Temps passé"]
    run = upload(world, "acts", header, [["D-001", "14/03/2025", "Entretien", "1h30"]])
    assert "duration" not in run.mapping
    with pytest.raises(ValidationError):
        services.set_mapping(run=run, user=world.advisor, mapping={"file_number": "Dossier client"})
    with pytest.raises(ValidationError):
        services.set_mapping(
            run=run,
            user=world.advisor,
            mapping={
                "file_number": "Dossier client",
                "occurred_on": "Jour",
                "act_type": "Jour",
                "duration": "Temps passé",
            },
        )
    mapping = {
        "file_number": "Dossier client",
        "occurred_on": "Jour",
        "act_type": "Prestation",
        "duration": "Temps passé",
    }
    run = services.set_mapping(
        run=run, user=world.advisor, mapping=mapping, save_as="Export du logiciel"
    )
    run = services.commit(run=run, user=world.advisor)
    assert run.status == ImportStatus.IMPORTED
    assert Act.objects.get().duration_minutes == 90
    # The saved mapping applies to the next file.
    run = services.upload(
        structure=world.intermade,
        entity="acts",
        user=world.advisor,
        uploaded_file=_file(header, [["D-001", "15/03/2025", "Entretien", "2h"]]),
        mapping_name="Export du logiciel",
    )
    assert run.mapping == mapping and run.mapping_name == "Export du logiciel"


def _file(header, rows):
    from django.core.files.uploadedfile import SimpleUploadedFile

    name, data = file_bytes(header, rows)
    return SimpleUploadedFile(name, data)


def test_upload_keeps_the_file_and_its_hash(world):
    run = upload(world, "acts", ACT_HEADER, [["D-001", "14/03/2025", "Entretien", "1h", ""]])
    assert len(run.file_hash) == 64 and run.file_size > 0 and run.file_format == "csv"
    with run.file.open("rb") as stored:
        assert stored.read().startswith("N° dossier".encode())
    assert run.progress_total == 1


@pytest.mark.parametrize(
    ("name", "data"),
    [("actes.csv", b"%PDF-1.4 not a table"), ("vide.csv", b""), ("actes.xlsx", b"PK\x03\x04xx")],
)
def test_upload_refuses_what_is_not_a_table(world, name, data):
    from django.core.files.uploadedfile import SimpleUploadedFile

    with pytest.raises(ValidationError) as refused:
        services.upload(
            structure=world.intermade,
            entity="acts",
            user=world.advisor,
            uploaded_file=SimpleUploadedFile(name, data),
        )
    assert "file" in refused.value.message_dict
    assert not ImportRun.objects.exists()


def test_upload_refuses_a_file_over_the_limit(world, monkeypatch):
    from maillage.imports import readers

    monkeypatch.setattr(readers, "MAX_BYTES", 10)
    with pytest.raises(ValidationError) as refused:
        upload(world, "acts", ACT_HEADER, [["D-001", "14/03/2025", "Entretien", "1h", ""]])
    assert "file" in refused.value.message_dict


def test_a_workbook_sheet_named_after_the_entity_is_read(world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.imports.files import xlsx_bytes

    person(world, "D-001")
    data = xlsx_bytes(
        {
            "Personnes": [["N° dossier", "Nom"], ["D-001", "Durand"]],
            "Actes": [ACT_HEADER, ["D-001", DAY, "Entretien", "1h", ""]],
        }
    )
    run = services.upload(
        structure=world.intermade,
        entity="acts",
        user=world.advisor,
        uploaded_file=SimpleUploadedFile("suivi.xlsx", data),
    )
    assert run.sheet == "Actes"
    run = services.commit(run=run, user=world.advisor)
    assert run.status == ImportStatus.IMPORTED


def test_only_the_structure_staff_may_import(world):
    run = upload(world, "acts", ACT_HEADER, [["D-001", "14/03/2025", "Entretien", "1h", ""]])
    with pytest.raises(PermissionDenied):
        services.analyse(run=run, user=world.outsider)
    with pytest.raises(PermissionDenied):
        services.commit(run=run, user=world.outsider)
    with pytest.raises(PermissionDenied):
        upload(world, "acts", ACT_HEADER, [], user=world.outsider)


def test_small_files_are_analysed_in_the_request_large_ones_by_a_task(
    world, monkeypatch, django_capture_on_commit_callbacks
):
    person(world, "D-001")
    rows = [["D-001", "14/03/2025", "Entretien", "1h", ""]] * 3
    run = upload(world, "acts", ACT_HEADER, rows)
    run = services.start_analyse(run=run, user=world.advisor)
    assert run.status == ImportStatus.READY and run.progress_done == 3

    monkeypatch.setattr(services, "BACKGROUND_ROWS", 2)
    enqueued = []
    from maillage.imports import tasks

    class Task:
        def __init__(self, name):
            self.name = name

        def enqueue(self, *args):
            enqueued.append((self.name, args))

    monkeypatch.setattr(tasks, "analyse_import", Task("analyse"))
    monkeypatch.setattr(tasks, "commit_import", Task("commit"))
    run = upload(world, "acts", ACT_HEADER, rows)
    with django_capture_on_commit_callbacks(execute=True):
        run = services.start_analyse(run=run, user=world.advisor)
    assert run.status == ImportStatus.ANALYSING
    assert enqueued == [("analyse", (run.pk, world.advisor.pk))]
    run.status = ImportStatus.READY
    run.save()
    with django_capture_on_commit_callbacks(execute=True):
        run = services.start_commit(run=run, user=world.advisor)
    assert run.status == ImportStatus.IMPORTING
    assert enqueued[-1] == ("commit", (run.pk, world.advisor.pk))


def test_the_tasks_run_the_dry_run_and_the_import_with_progress(world, monkeypatch):
    from maillage.imports import tasks

    person(world, "D-001")
    rows = [
        ["D-001", (DAY - datetime.timedelta(days=n)).strftime("%d/%m/%Y"), "Suivi", "1h", ""]
        for n in range(5)
    ]
    run = upload(world, "acts", ACT_HEADER, rows)
    assert tasks.analyse_import.call(run.pk, world.advisor.pk) == ImportStatus.READY
    run.refresh_from_db()
    assert (run.progress_done, run.progress_total) == (5, 5)
    assert tasks.commit_import.call(run.pk, world.advisor.pk) == ImportStatus.IMPORTED
    assert Act.objects.count() == 5
