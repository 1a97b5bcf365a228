"""Undoing an import: what it created goes, unless it was changed since."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from maillage.imports import selectors, services
from maillage.imports.models import ImportedRow, ImportStatus
from maillage.pathways import models as m
from maillage.pathways.acts.services import record_act
from maillage.pathways.persons.services import update_person
from tests.factories import act_type
from tests.imports.engine import (
    ACT_HEADER,
    PERSON_HEADER,
    build_world,
    commit,
    person,
    use_tmp_media,
)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    use_tmp_media(settings, tmp_path)


@pytest.fixture
def world(db):
    return build_world()


ACTS = [
    ["D-1", "14/03/2025", "Entretien individuel", "1h", ""],
    ["D-1", "15/03/2025", "Suivi individuel", "45", ""],
]


@pytest.mark.sqlite
def test_undo_deletes_what_the_import_created(world):
    camille = person(world, "D-1")
    earlier = record_act(
        structure=world.intermade,
        user=world.advisor,
        act_type=act_type("reception"),
        occurred_on=datetime.date(2025, 1, 6),
        duration_minutes=30,
        persons=[camille],
    )
    run = commit(world, "acts", ACT_HEADER, ACTS)
    assert selectors.can_undo(run)
    run = services.undo(run=run, user=world.advisor)
    assert run.status == ImportStatus.UNDONE
    assert (run.undone_by, run.undone_at is not None) == (world.advisor, True)
    assert list(m.Act.objects.all()) == [earlier]
    assert not ImportedRow.objects.exists()
    assert not selectors.can_undo(run)
    with pytest.raises(ValidationError):
        services.undo(run=run, user=world.advisor)
    # Imported again after the undo: created again.
    again = commit(world, "acts", ACT_HEADER, ACTS)
    assert again.counts["created"] == 2


def test_undo_is_refused_when_a_created_row_changed_since(world):
    person(world, "D-1")
    run = commit(world, "acts", ACT_HEADER, ACTS)
    act = m.Act.objects.order_by("pk").first()
    from maillage.pathways.acts.services import update_act

    update_act(act=act, user=world.advisor, expected_version=1, notes="Complété")
    with pytest.raises(ValidationError) as refused:
        services.undo(run=run, user=world.advisor)
    assert refused.value.code == "changed"
    run.refresh_from_db()
    assert run.status == ImportStatus.IMPORTED
    assert m.Act.objects.count() == 2


def test_undo_of_persons_is_refused_once_they_have_acts(world):
    run = commit(world, "persons", PERSON_HEADER, [["D-1", "Durand", "Camille", "", "", ""]])
    commit(world, "acts", ACT_HEADER, ACTS)
    with pytest.raises(ValidationError):
        services.undo(run=run, user=world.advisor)
    assert m.Person.objects.count() == 1


@pytest.mark.sqlite
def test_undo_of_persons_deletes_them_and_their_accompaniment(world):
    run = commit(world, "persons", PERSON_HEADER, [["D-1", "Durand", "Camille", "", "", ""]])
    services.undo(run=run, user=world.advisor)
    assert not m.Person.objects.exists() and not m.Accompaniment.objects.exists()


def test_undo_keeps_what_the_import_only_updated(world):
    known = person(world, "D-1")
    rows = [
        ["D-1", "Durand", "Camille", "17/05/1990", "camille@exemple.fr", ""],
        ["D-2", "Nguyen", "Sacha", "", "", ""],
    ]
    run = commit(world, "persons", PERSON_HEADER, rows)
    services.undo(run=run, user=world.advisor)
    assert list(m.Person.objects.all()) == [known]
    known.refresh_from_db()
    assert known.email == "camille@exemple.fr"


def test_undo_of_an_edited_person_is_refused(world):
    run = commit(world, "persons", PERSON_HEADER, [["D-1", "Durand", "Camille", "", "", ""]])
    camille = m.Person.objects.get()
    update_person(person=camille, user=world.advisor, expected_version=1, first_name="Camilla")
    with pytest.raises(ValidationError):
        services.undo(run=run, user=world.advisor)


def test_only_the_structure_may_undo(world):
    person(world, "D-1")
    run = commit(world, "acts", ACT_HEADER, ACTS)
    with pytest.raises(PermissionDenied):
        services.undo(run=run, user=world.outsider)


def test_history_keeps_every_run(world):
    person(world, "D-1")
    commit(world, "acts", ACT_HEADER, ACTS)
    commit(world, "acts", ACT_HEADER, [["D-1", "31/02/2025", "Entretien", "1h", ""]])
    runs = list(selectors.runs_for(world.advisor))
    assert [run.status for run in runs] == [ImportStatus.REFUSED, ImportStatus.IMPORTED]
    assert all(run.file_name == "import.csv" and run.user == world.advisor for run in runs)
    assert list(selectors.runs_for(world.outsider)) == []
    header, rows = selectors.error_report_rows(runs[0])
    assert len(header) == 5 and rows[0][:3] == [2, "Date du RDV", "31/02/2025"]
