"""An import run changes status only along its state machine (`imports/states.py`), and every
change leaves a row (from, to, when, by whom when known) (issue 14)."""

import datetime
import itertools
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from maillage.core.states import move
from maillage.imports import erasure, services
from maillage.imports.models import ImportRun, ImportRunEvent, ImportStatus
from maillage.imports.states import IMPORT_RUN_STATES
from tests.imports.engine import *  # noqa: F403 (fixtures: world, media)
from tests.imports.engine import ACT_HEADER, person, upload

pytestmark = pytest.mark.django_db

S = ImportStatus
ROW = ["D-1", "14/03/2025", "Entretien", "1h", ""]
BAD_ROW = ["D-1", "31/02/2025", "Entretien", "1h", ""]


def history(run) -> list[tuple]:
    return list(
        ImportRunEvent.objects.filter(run=run)
        .order_by("at", "pk")
        .values_list("from_status", "to_status", "by")
    )


def assert_logged(run) -> None:
    """The run's log is a legal path of its machine from its creation to its status."""
    run.refresh_from_db()
    log = history(run)
    assert log and log[0][0] == "", log
    assert all(a[1] == b[0] for a, b in itertools.pairwise(log)), log
    assert all(IMPORT_RUN_STATES.may_go(a, b) for a, b, _by in log), log
    assert log[-1][1] == run.status, log


def test_the_machine_knows_every_status():
    assert IMPORT_RUN_STATES.statuses() == set(S.values)


def test_every_change_of_a_run_is_logged_with_who_and_when(world):
    person(world, "D-1")
    user = world.advisor
    before = timezone.now()
    run = upload(world, "acts", ACT_HEADER, [ROW])
    run = services.analyse(run=run, user=user)
    run = services.set_mapping(run=run, user=user, mapping=run.mapping)  # the columns again
    run = services.analyse(run=run, user=user)
    run = services.commit(run=run, user=user)
    run = services.undo(run=run, user=user)
    assert run.status == S.UNDONE
    assert [(a, b) for a, b, _by in history(run)] == [
        ("", S.UPLOADED),
        (S.UPLOADED, S.ANALYSING),
        (S.ANALYSING, S.READY),
        (S.READY, S.UPLOADED),
        (S.UPLOADED, S.ANALYSING),
        (S.ANALYSING, S.READY),
        (S.READY, S.IMPORTING),
        (S.IMPORTING, S.IMPORTED),
        (S.IMPORTED, S.UNDONE),
    ]
    events = ImportRunEvent.objects.filter(run=run)
    assert {event.by_id for event in events} == {user.pk}
    assert all(before <= event.at <= timezone.now() for event in events)
    assert_logged(run)


def test_a_refused_file_and_a_failed_run_started_again_are_logged(world, monkeypatch):
    person(world, "D-1")
    refused = services.analyse(run=upload(world, "acts", ACT_HEADER, [BAD_ROW]), user=None)
    assert refused.status == S.REFUSED
    assert history(refused)[-1] == (S.ANALYSING, S.REFUSED, None)  # by a script: nobody
    assert_logged(refused)

    run = upload(world, "acts", ACT_HEADER, [ROW])

    def broken(*args, **kwargs):
        raise RuntimeError("the reader broke")

    monkeypatch.setattr(services, "run_pipeline", broken)
    with pytest.raises(RuntimeError):
        services.commit(run=run, user=world.advisor)
    run.refresh_from_db()
    assert run.status == S.FAILED
    monkeypatch.undo()
    run = services.retry(run=run, user=world.advisor)
    assert [(a, b) for a, b, _by in history(run)][-3:] == [
        (S.UPLOADED, S.IMPORTING),
        (S.IMPORTING, S.FAILED),
        (S.FAILED, S.UPLOADED),
    ]
    assert_logged(run)


def test_a_run_that_stopped_responding_is_started_again_with_its_log(world):
    run = upload(world, "acts", ACT_HEADER, [ROW])
    # Its process died in the dry run (started in the background).
    move(IMPORT_RUN_STATES, run, S.ANALYSING, by=world.advisor, update_fields=())
    ImportRun.objects.filter(pk=run.pk).update(
        progress_at=timezone.now() - datetime.timedelta(hours=2)
    )
    run.refresh_from_db()
    run = services.retry(run=run, user=world.advisor)
    assert run.status == S.UPLOADED
    assert history(run)[-1] == (S.ANALYSING, S.UPLOADED, world.advisor.pk)
    assert_logged(run)


def test_an_illegal_move_of_a_run_is_refused_and_leaves_nothing(world):
    run = upload(world, "acts", ACT_HEADER, [ROW])
    logged = history(run)
    for to_status in (S.IMPORTED, S.UNDONE, S.READY):
        with pytest.raises(ValidationError) as refused:
            move(IMPORT_RUN_STATES, run, to_status, by=world.advisor)
        assert refused.value.code == "invalid_transition"
        assert IMPORT_RUN_STATES.label(S.UPLOADED) in refused.value.messages[0]
        run.refresh_from_db()
        assert run.status == S.UPLOADED
    assert history(run) == logged
    # Through the services too: undoing a run that imported nothing.
    with pytest.raises(ValidationError):
        services.undo(run=run, user=world.advisor)
    assert history(run) == logged


def test_a_move_that_lost_a_race_writes_nothing(world):
    """`only_from`: the database changed since the run was read; the move does not happen."""
    run = upload(world, "acts", ACT_HEADER, [ROW])
    ImportRun.objects.filter(pk=run.pk).update(status=S.ANALYSING)  # another process moved it
    assert not move(IMPORT_RUN_STATES, run, S.IMPORTING, by=None, only_from=S.UPLOADED)
    assert run.status == S.UPLOADED
    run.refresh_from_db()
    assert run.status == S.ANALYSING
    assert history(run) == [("", S.UPLOADED, world.advisor.pk)]


def test_an_unfinished_run_whose_file_goes_at_an_erasure_ends_failed_with_its_log(world):
    run = upload(world, "acts", ACT_HEADER, [ROW])
    context = SimpleNamespace(subject=SimpleNamespace(pk=0), at=timezone.now())
    erasure.finish_run(run, {"file": ""}, context)
    run.refresh_from_db()
    assert run.status == S.FAILED
    assert history(run)[-1] == (S.UPLOADED, S.FAILED, None)
    assert_logged(run)
