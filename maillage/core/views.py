import logging
import sqlite3

from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, connection
from django.http import HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from maillage import __version__

logger = logging.getLogger(__name__)


def _database_version() -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            return cursor.fetchone()[0]
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return sqlite3.sqlite_version if connection.vendor == "sqlite" else ""


@login_not_required
@never_cache
@require_safe
def healthz(request):
    """Liveness and database check, for monitoring."""
    try:
        database = {"status": "ok", "vendor": connection.vendor, "version": _database_version()}
        status = 200
    except DatabaseError:
        logger.exception("Health check: database unavailable")
        database = {"status": "error", "vendor": connection.vendor, "version": None}
        status = 503
    return JsonResponse(
        {
            "status": "ok" if status == 200 else "error",
            "version": __version__,
            "database": database,
        },
        status=status,
    )


def server_error(request):
    """The 500 page in the layout; falls back to bare text if even that fails."""
    try:
        return HttpResponseServerError(render_to_string("500.html", request=request))
    except Exception:  # the last resort must not raise
        logger.exception("Could not render the 500 page")
        return HttpResponseServerError(
            "<!doctype html><title>Erreur</title><h1>Erreur du serveur / Server error</h1>",
        )


def csrf_failure(request, reason=""):
    """Expired or forged form: the layout's 403 page with what to do next."""
    return render(request, "403_csrf.html", status=403)
