"""A report served again until a write makes it stale (issue 18).

Building a funder's report reads every act of a year; reading it again (the page, then its
JSON, its XLSX, its PDF, another funder of the same network) used to build it again. On
PostgreSQL, `cached(parts, build)` keeps the built report in `CachedReport`, with the snapshot
of the database it was computed in (`pg_current_snapshot()`, taken *before* computing).

Whatever writes to a table the reports read (a service, `bulk_create`, a queryset `update`, a
`COPY`, `psql`) fires a statement-level trigger that records its transaction id in `Change`
(one row per transaction, no lock shared between writers). A kept report is served only while
every committed `Change` was visible in its snapshot: a transaction committed since (even one
that started before the report and committed after) makes it stale, and the next reader builds
it again. Figures are therefore always those of the raw tables; at worst a report is rebuilt
once too often (a write committed while it was being computed).

The triggers are (re)installed after every `migrate` on every table of `SOURCE_APPS`, so a
table added later is covered without anyone remembering it. Kept reports live at most
`KEEP_REPORT`; `Change` rows older than `KEEP_CHANGES` (a day) are deleted by `prune()` (the
daily jobs), long after every kept report that could have missed them has expired.
SQLite (the quick start) keeps nothing: every report is built.
"""

import hashlib
import pickle  # only our own rows, written below, are ever unpickled
from datetime import timedelta

from django.apps import apps
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils import timezone, translation

from maillage.core.db_routing import read_alias

from .models import CachedReport, Change

# The apps whose tables the reports read. Every table of them triggers, but those below.
# (assessments: the before/after results of the report, issue 19.)
SOURCE_APPS = ("directory", "pathways", "assessments")
# Written on reads or unrelated to any figure: a change there must not drop kept reports.
NOT_SOURCES = {
    "pathways_personaccess",  # who opened which person (written on every person page)
    "pathways_notification",
    "pathways_notificationpreference",
    "pathways_apitoken",
}
KEEP_REPORT = timedelta(hours=1)
# A change is forgotten a day after it was written: only a transaction left open for a day with
# writes in it could then make a kept report stale unnoticed.
KEEP_CHANGES = timedelta(days=1)

FUNCTION = """
CREATE OR REPLACE FUNCTION reporting_note_change() RETURNS trigger AS $$
BEGIN
    INSERT INTO reporting_change (xid, at)
    VALUES (pg_current_xact_id()::text::bigint, clock_timestamp())
    ON CONFLICT (xid) DO NOTHING;
    RETURN NULL;
END
$$ LANGUAGE plpgsql
"""
TRIGGER = (
    "CREATE OR REPLACE TRIGGER reporting_note_change "
    "AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
    "FOR EACH STATEMENT EXECUTE FUNCTION reporting_note_change()"
)


def source_tables() -> list[str]:
    tables = set()
    for label in SOURCE_APPS:
        for model in apps.get_app_config(label).get_models(include_auto_created=True):
            if model._meta.managed and not model._meta.proxy:
                tables.add(model._meta.db_table)
    return sorted(tables - NOT_SOURCES)


def install_triggers(using: str = DEFAULT_DB_ALIAS, **kwargs) -> None:
    """post_migrate receiver: the change triggers on every source table (PostgreSQL)."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return
    existing = set(connection.introspection.table_names())
    if Change._meta.db_table not in existing:
        return  # reporting is not migrated yet
    with connection.cursor() as cursor:
        cursor.execute(FUNCTION)
        for table in source_tables():
            if table in existing:
                cursor.execute(TRIGGER.format(table=connection.ops.quote_name(table)))


def enabled(alias: str) -> bool:
    return connections[alias].vendor == "postgresql" and getattr(settings, "REPORT_CACHE", True)


def key_of(parts: tuple) -> str:
    """The key of a report: its parts, the language of its labels and today's date."""
    text = repr((parts, translation.get_language(), timezone.localdate().isoformat()))
    return hashlib.sha256(text.encode()).hexdigest()


# Whether this transaction wrote (its own writes are not in any snapshot: such a transaction
# neither reads nor keeps a report), the snapshot now, and the report kept under the key if no
# committed change is missing from the snapshot it was computed in.
HOLDS = """
    r.key = %s AND r.created_at > now() - %s
      AND NOT EXISTS (
        SELECT 1 FROM reporting_change c
        WHERE c.xid >= pg_snapshot_xmin(r.snapshot::pg_snapshot)::text::bigint
          AND NOT pg_visible_in_snapshot(c.xid::text::xid8, r.snapshot::pg_snapshot)
      )
"""
# A constant of this module, no input: not an injection.
LOOKUP = f"""
SELECT
  pg_current_xact_id_if_assigned() IS NOT NULL,
  pg_current_snapshot()::text,
  (SELECT r.payload FROM reporting_cachedreport r WHERE {HOLDS})
"""  # noqa: S608
# The same, for the name of the kept report only (`kept_name`).
NAME = f"""
SELECT
  pg_current_xact_id_if_assigned() IS NOT NULL,
  (SELECT r.snapshot FROM reporting_cachedreport r WHERE {HOLDS})
"""  # noqa: S608
KEEP = """
INSERT INTO reporting_cachedreport (key, snapshot, payload, created_at)
VALUES (%s, %s, %s, now())
ON CONFLICT (key) DO UPDATE
SET snapshot = EXCLUDED.snapshot, payload = EXCLUDED.payload, created_at = EXCLUDED.created_at
"""


def cached(parts: tuple, build):
    """`build()`, or the report kept under `parts` if no write was committed since."""
    alias = read_alias()
    if not enabled(alias):
        return build()
    key = key_of(parts)
    with connections[alias].cursor() as cursor:
        cursor.execute(LOOKUP, [key, KEEP_REPORT])
        wrote, snapshot, payload = cursor.fetchone()
    if wrote:
        return build()
    if payload is not None:
        return pickle.loads(bytes(payload))  # noqa: S301 - our own row
    report = build()
    # What the kept report is known by while it holds: its key and the snapshot it was computed
    # in. A page may keep what it rendered from the report under this name (`kept_as`): a write
    # makes the report stale, the next one is built in a new snapshot, so under a new name.
    report.kept_as = f"{key}:{snapshot}"
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute(KEEP, [key, snapshot, pickle.dumps(report)])
    return report


def kept_name(parts: tuple) -> str | None:
    """The name (`kept_as`) of the report kept under `parts` while it holds, without reading it:
    a page that kept what it rendered from that report needs nothing more (unpickling a
    national network's report took 45 ms). None when `cached` would build one."""
    alias = read_alias()
    if not enabled(alias):
        return None
    key = key_of(parts)
    with connections[alias].cursor() as cursor:
        cursor.execute(NAME, [key, KEEP_REPORT])
        wrote, snapshot = cursor.fetchone()
    if wrote or snapshot is None:
        return None
    return f"{key}:{snapshot}"


def prune(now=None) -> dict:
    """Forget old kept reports and the changes no kept report can need (the daily jobs)."""
    now = now or timezone.now()
    return {
        "reports": CachedReport.objects.filter(created_at__lt=now - KEEP_REPORT).delete()[0],
        "changes": Change.objects.filter(at__lt=now - KEEP_CHANGES).delete()[0],
    }
