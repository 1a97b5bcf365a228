"""Large files of acts on PostgreSQL: written by a second connection while they are read.

The writer's transaction is not the test's, so these tests commit for real (transaction=True).
"""

import datetime

import pytest

from maillage.imports import pipeline
from maillage.imports.models import ImportedRow, ImportRun, ImportStatus
from maillage.imports.pipeline import stream
from maillage.imports.pipeline.core import protect_key
from maillage.pathways.models import Accompaniment, Act, ActParticipant, Person, ReferralStatus
from tests.factories import PersonFactory, ReferralFactory
from tests.imports.engine import (
    ACT_HEADER,
    build_world,
    commit,
    person,
    use_tmp_media,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    use_tmp_media(settings, tmp_path)


@pytest.fixture
def world(db):
    return build_world()


DAY = datetime.date(2025, 3, 14)


@pytest.fixture(autouse=True)
def small_batches(monkeypatch, database_vendor):
    if database_vendor != "postgresql":
        pytest.skip("streaming is for PostgreSQL")
    monkeypatch.setattr(pipeline, "STREAM_ROWS", 4)
    monkeypatch.setattr(stream, "BATCH", 3)


def _rows(count: int, numbers=("D-1", "D-2")):
    return [
        [
            numbers[n % len(numbers)],
            (DAY - datetime.timedelta(days=n)).strftime("%d/%m/%Y"),
            "Suivi individuel",
            "1h",
            "",
        ]
        for n in range(count)
    ]


def test_a_streamed_import_writes_every_row_once_with_the_invariants(world):
    camille = person(world, "D-1")
    person(world, "D-2", first="Dominique")
    shared = PersonFactory(sharing=True, accompanied_by=[world.apeas])
    # Referred to Intermade and accepted: Intermade follows her, so it may record her acts.
    ReferralFactory(
        person=shared,
        from_structure=world.apeas,
        to_structure=world.intermade,
        status=ReferralStatus.ACCEPTED,
    )
    header = ["Nom", "Prénom", "Date de naissance", *ACT_HEADER]
    rows = [["", "", "", *row] for row in _rows(10)]
    birth = shared.birth_date.strftime("%d/%m/%Y")
    rows.append([shared.last_name, shared.first_name, birth, "", "02/03/2025", "RDV", "2h", ""])
    run = commit(world, "acts", header, rows)
    assert run.status == ImportStatus.IMPORTED, run.errors
    run.refresh_from_db()
    assert run.status == ImportStatus.IMPORTED and run.counts["created"] == 11
    assert Act.objects.count() == 11 == ActParticipant.objects.count()
    assert ImportedRow.objects.filter(created_by_run=run).count() == 11
    camille.refresh_from_db()
    assert camille.last_activity_on == DAY
    accompaniment = Accompaniment.objects.get(person=shared, structure=world.intermade)
    assert accompaniment.started_on == datetime.date(2025, 3, 2)

    again = commit(world, "acts", header, rows)
    assert again.status == ImportStatus.IMPORTED
    assert again.counts["created"] == 0 and again.counts["unchanged"] == 11
    assert Act.objects.count() == 11


def test_an_error_late_in_a_streamed_file_rolls_back_what_was_written(world):
    person(world, "D-1")
    person(world, "D-2", first="Dominique")
    rows = _rows(12)
    rows[10][1] = "31/02/2025"  # line 12
    run = commit(world, "acts", ACT_HEADER, rows)
    assert run.status == ImportStatus.REFUSED
    assert [(e["line"], e["value"]) for e in run.errors] == [(12, "31/02/2025")]
    assert not Act.objects.exists() and not ImportedRow.objects.exists()
    assert Person.objects.filter(last_activity_on__isnull=False).count() == 0


def test_a_streamed_corrected_file_updates_the_changed_rows_only(world):
    person(world, "D-1")
    person(world, "D-2", first="Dominique")
    header = ["N° acte", *ACT_HEADER]
    rows = [[f"A{n}", *row] for n, row in enumerate(_rows(8))]
    first = commit(world, "acts", header, rows)
    assert first.status == ImportStatus.IMPORTED
    rows[5][4] = "2h"
    rows.append(["A99", "D-1", "01/03/2025", "Accueil", "30", ""])
    second = commit(world, "acts", header, rows)
    assert second.status == ImportStatus.IMPORTED, second.errors
    assert (second.counts["created"], second.counts["updated"], second.counts["unchanged"]) == (
        1,
        1,
        7,
    )
    changed = Act.objects.get(pk=ImportedRow.objects.get(key=protect_key("id:A5")).object_id)
    assert changed.duration_minutes == 120 and changed.version == 2
    assert Act.objects.count() == 9


def test_a_failure_in_the_writer_fails_the_run_and_writes_nothing(world, monkeypatch):
    person(world, "D-1")
    person(world, "D-2", first="Dominique")

    def broken(self, *args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(stream.ActWriter, "finish", broken)
    with pytest.raises(RuntimeError):
        commit(world, "acts", ACT_HEADER, _rows(7))
    assert not Act.objects.exists()
    assert ImportRun.objects.get().status == ImportStatus.FAILED
