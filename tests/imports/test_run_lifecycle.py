"""A run's file lives as long as the run needs it; pages read the file once; a run that died
can be started again; a large file never runs inside the web request (issue 13)."""

import datetime
import os
import threading

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError
from django.urls import reverse
from django.utils import timezone

from maillage.imports import services, tasks
from maillage.imports.models import ImportRun, ImportStatus
from maillage.pathways.models import Act
from tests.imports.engine import *  # noqa: F403 (fixtures: world, media)
from tests.imports.engine import ACT_HEADER, commit, person, upload
from tests.imports.files import csv_bytes

HOME = reverse("imports:home")


def stored_files(settings) -> list[str]:
    found = []
    for root, _dirs, files in os.walk(settings.MEDIA_ROOT):
        found += [os.path.join(root, name) for name in files]
    return found


def url(name, run):
    return reverse(f"imports:{name}", kwargs={"uuid": run.uuid})


# --- The file -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_imported_run_no_longer_keeps_its_file(
    world, settings, django_capture_on_commit_callbacks
):
    person(world, "D-1")
    with django_capture_on_commit_callbacks(execute=True):
        run = commit(world, "acts", ACT_HEADER, [["D-1", "14/03/2025", "Entretien", "1h", ""]])
    assert run.status == ImportStatus.IMPORTED
    run.refresh_from_db()
    assert not run.file and run.file_name == "import.csv" and run.counts["created"] == 1
    assert stored_files(settings) == []


@pytest.mark.django_db
def test_a_run_refused_by_the_import_no_longer_keeps_its_file(
    world, settings, django_capture_on_commit_callbacks
):
    person(world, "D-1")
    rows = [["D-1", "31/02/2025", "Entretien", "1h", ""]]
    with django_capture_on_commit_callbacks(execute=True):
        run = commit(world, "acts", ACT_HEADER, rows)
    assert run.status == ImportStatus.REFUSED and run.errors
    assert stored_files(settings) == []


@pytest.mark.django_db
def test_deleting_a_run_deletes_its_file(world, settings, django_capture_on_commit_callbacks):
    run = upload(world, "acts", ACT_HEADER, [["D-1", "14/03/2025", "Entretien", "1h", ""]])
    assert len(stored_files(settings)) == 1
    with django_capture_on_commit_callbacks(execute=True):
        run.delete()
    assert stored_files(settings) == []


@pytest.mark.django_db
def test_an_upload_whose_run_cannot_be_saved_leaves_no_file(world, settings, monkeypatch):
    def broken_save(self, *args, **kwargs):
        raise DatabaseError("connection lost")

    monkeypatch.setattr(ImportRun, "save", broken_save)
    with pytest.raises(DatabaseError):
        upload(world, "acts", ACT_HEADER, [["D-1", "14/03/2025", "Entretien", "1h", ""]])
    assert stored_files(settings) == []


# --- Read once ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_mapping_page_shows_what_the_upload_read_without_reading_the_file(world, login):
    advisor = login(world.advisor)
    data = csv_bytes([ACT_HEADER, ["D-77", "14/03/2025", "Entretien", "1h", "Premier contact"]])
    advisor.post(
        HOME, {"entity": "acts", "file": SimpleUploadedFile("actes.csv", data)}, follow=False
    )
    run = ImportRun.objects.get()
    os.remove(run.file.path)  # the page must not need it
    html = advisor.get(url("mapping", run)).content.decode()
    assert "Premier contact" in html and "D-77" in html
    assert "ne peut plus être lu" not in html


@pytest.mark.django_db
def test_a_file_of_hundreds_of_columns_gets_a_bounded_mapping_page(world, login):
    advisor = login(world.advisor)
    header = [*ACT_HEADER, *(f"Colonne supplémentaire {index}" for index in range(400))]
    data = csv_bytes([header, ["D-1", "14/03/2025", "Entretien", "1h", "", *["x"] * 400]])
    advisor.post(HOME, {"entity": "acts", "file": SimpleUploadedFile("large.csv", data)})
    run = ImportRun.objects.get()
    html = advisor.get(url("mapping", run)).content.decode()
    preview = html.split('id="preview-title"')[1].split('id="mapping-title"')[0]
    assert preview.count('<th scope="col">') == 1 + 30  # "Line", then 30 columns
    assert "375 autres colonnes" in preview
    # Every column can still be chosen for a field.
    assert "Colonne supplémentaire 399" in html.split('id="mapping-title"')[1]


# --- Runs that died -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_import_that_stopped_responding_can_be_started_again(world, login):
    person(world, "D-1")
    advisor = login(world.advisor)
    run = upload(world, "acts", ACT_HEADER, [["D-1", "14/03/2025", "Entretien", "1h", ""]])
    # Its process died in the import (its connection with it): it stays "importing".
    ImportRun.objects.filter(pk=run.pk).update(
        status=ImportStatus.IMPORTING,
        progress_at=timezone.now() - datetime.timedelta(hours=2),
    )
    html = advisor.get(url("progress", run)).content.decode()
    assert url("retry", run) in html
    response = advisor.post(url("retry", run))
    assert response["Location"] == url("mapping", run)
    run.refresh_from_db()
    assert run.status == ImportStatus.UPLOADED
    run = services.analyse(run=run, user=world.advisor)
    run = services.commit(run=run, user=world.advisor)
    assert run.status == ImportStatus.IMPORTED and Act.objects.count() == 1


@pytest.mark.django_db
def test_an_import_still_moving_cannot_be_started_twice(world, login):
    advisor = login(world.advisor)
    run = upload(world, "acts", ACT_HEADER, [["D-1", "14/03/2025", "Entretien", "1h", ""]])
    ImportRun.objects.filter(pk=run.pk).update(
        status=ImportStatus.IMPORTING, progress_at=timezone.now()
    )
    assert url("retry", run) not in advisor.get(url("progress", run)).content.decode()
    advisor.post(url("retry", run))
    run.refresh_from_db()
    assert run.status == ImportStatus.IMPORTING


# --- Large files leave the request --------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_large_file_never_runs_in_the_request_even_with_the_immediate_backend(
    world, login, monkeypatch, settings
):
    """With TASKS_BACKEND=immediate (the default), enqueueing runs the task at once: the dry
    run of a file over the inline limit goes to a thread, and the request returns at once."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    monkeypatch.setattr(services, "BACKGROUND_ROWS", 1)
    person(world, "D-1")
    advisor = login(world.advisor)
    rows = [["D-1", f"{day:02d}/03/2025", "Entretien", "1h", ""] for day in range(1, 4)]
    data = csv_bytes([ACT_HEADER, *rows])
    advisor.post(HOME, {"entity": "acts", "file": SimpleUploadedFile("actes.csv", data)})
    run = ImportRun.objects.get()
    released, entered = threading.Event(), threading.Event()
    where = {}
    analyse = services.analyse

    def slow_analyse(**kwargs):
        where["thread"] = threading.current_thread()
        entered.set()
        released.wait(5)  # until the request has answered (5 s if it runs inside it)
        return analyse(**kwargs)

    monkeypatch.setattr(services, "analyse", slow_analyse)
    data = {f"column_{code}": column for code, column in run.mapping.items()}
    response = advisor.post(url("mapping", run), data)
    released.set()
    assert response["Location"] == url("progress", run)
    assert entered.wait(5)
    assert where["thread"] is not threading.current_thread()
    for _attempt in range(100):
        run.refresh_from_db()
        if run.status == ImportStatus.READY:
            break
        threading.Event().wait(0.1)
    assert run.status == ImportStatus.READY
    assert tasks.analyse_import  # the task the thread ran


@pytest.mark.django_db
def test_an_abandoned_run_goes_with_its_file(
    world, login, settings, django_capture_on_commit_callbacks
):
    advisor = login(world.advisor)
    data = csv_bytes([ACT_HEADER, ["D-1", "14/03/2025", "Entretien", "1h", ""]])
    advisor.post(HOME, {"entity": "acts", "file": SimpleUploadedFile("actes.csv", data)})
    run = ImportRun.objects.get()
    assert url("cancel", run) in advisor.get(url("mapping", run)).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = advisor.post(url("cancel", run))
    assert response["Location"] == HOME
    assert not ImportRun.objects.exists()
    assert stored_files(settings) == []


@pytest.mark.django_db
def test_an_imported_run_cannot_be_abandoned(world, login):
    person(world, "D-1")
    advisor = login(world.advisor)
    run = commit(world, "acts", ACT_HEADER, [["D-1", "14/03/2025", "Entretien", "1h", ""]])
    advisor.post(url("cancel", run))
    assert ImportRun.objects.filter(pk=run.pk, status=ImportStatus.IMPORTED).exists()
