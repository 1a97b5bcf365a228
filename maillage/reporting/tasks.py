"""Background task of the reports (django-tasks).

`refresh_reports` brings the pre-aggregated tables back to the pathways tables (what the
database triggers marked as changed since the last refresh). Reports also do it themselves
before reading, so this task only saves the next reader the wait: enqueue it after a bulk
write (an import, the generator), or run it from cron on a busy site, e.g.
`*/10 * * * * manage.py refresh_reports`.
"""

from django_tasks import task

from .refresh import refresh


@task()
def refresh_reports(full: bool = False) -> dict:
    """Refresh the pre-aggregated tables; returns the rows written by table."""
    return refresh(full=full)
