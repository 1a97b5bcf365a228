"""Background tasks (django-tasks): the dry run and the import of large files.

Each task loads the run and its user again, runs the service, which records the progress on
the run every few thousand rows (the progress page reads it) and the outcome; an unexpected
failure leaves the run FAILED (the service marks it) and is logged.
"""

import logging

from django.contrib.auth import get_user_model
from django_tasks import task

from .models import ImportRun

logger = logging.getLogger(__name__)


def _load(run_id: int, user_id: int | None):
    run = ImportRun.objects.select_related("structure").get(pk=run_id)
    user = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    return run, user


@task()
def analyse_import(run_id: int, user_id: int | None) -> str:
    """The dry run of a large file; returns the run's status."""
    from . import services

    run, user = _load(run_id, user_id)
    try:
        services.analyse(run=run, user=user)
    except Exception:
        logger.exception("The dry run of import %s failed", run_id)
    return ImportRun.objects.values_list("status", flat=True).get(pk=run_id)


@task()
def commit_import(run_id: int, user_id: int | None) -> str:
    """The import of a large file; returns the run's status."""
    from . import services

    run, user = _load(run_id, user_id)
    try:
        services.commit(run=run, user=user)
    except Exception:
        logger.exception("The import %s failed", run_id)
    return ImportRun.objects.values_list("status", flat=True).get(pk=run_id)
