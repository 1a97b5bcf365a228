# ruff: noqa: S608 - SQL text is built from Django's table names, quoted; no value is spliced.
"""A database state built once per test process, put back cheaply for each test that needs it.

The browser tests run on a live server, so they use transactional tests: the database is emptied
after each test, and a test that needs the demo network used to build it again through the
services (thousands of queries). `restored(key, build)` builds it once and copies every table into
a schema of its own; each later call empties the tables and copies them back in one transaction,
with the sequences where `build` left them, so every test starts from the very same rows and ids
and what a test writes never reaches the next (the flush after each test still empties it all).

The tables are Django's own list (the one `flush` empties), so a new app's tables are included
without a line here. Only PostgreSQL keeps copies; on another engine `build` simply runs each time.

Call it first in a test: restoring replaces the whole database, rows made before included.
"""

import datetime
import hashlib

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction

_built: dict[str, object] = {}


def restored(key: str, build):
    """What `build()` returns, with the database as `build()` left it (built once per process)."""
    if connection.vendor != "postgresql":
        return build()
    # The demo's dates are counted from today: a run that passes midnight builds again.
    key = f"{key}:{datetime.date.today().isoformat()}"
    schema = "snapshot_" + hashlib.sha256(key.encode()).hexdigest()[:16]
    if key in _built:
        _restore(schema)
        return _built[key]
    result = build()
    _take(schema)
    _built[key] = result
    return result


def without_triggers(statements):
    """`statements` between the disabling and the enabling of the database's own triggers."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT tgrelid::regclass::text FROM pg_trigger WHERE NOT tgisinternal"
        )
        tables = sorted(row[0] for row in cursor.fetchall())
    return (
        [f"ALTER TABLE {table} DISABLE TRIGGER USER" for table in tables]
        + list(statements)
        # The foreign keys checked now: a table with checks pending cannot be altered.
        + ["SET CONSTRAINTS ALL IMMEDIATE"]
        + [f"ALTER TABLE {table} ENABLE TRIGGER USER" for table in tables]
    )


def _tables():
    return sorted(connection.introspection.django_table_names(only_existing=True))


def _take(schema):
    qn = connection.ops.quote_name
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DROP SCHEMA IF EXISTS {qn(schema)} CASCADE")
        cursor.execute(f"CREATE SCHEMA {qn(schema)}")
        for table in _tables():
            cursor.execute(f"CREATE TABLE {qn(schema)}.{qn(table)} AS TABLE {qn(table)}")
        cursor.execute(
            f"CREATE TABLE {qn(schema)}.sequences AS SELECT sequencename AS name, "
            "COALESCE(last_value, start_value) AS value, last_value IS NOT NULL AS is_called "
            "FROM pg_sequences WHERE schemaname = current_schema()"
        )


def _restore(schema):
    qn = connection.ops.quote_name
    tables = _tables()
    with transaction.atomic(), connection.cursor() as cursor:
        # Foreign keys are deferred to the commit: the order of the statements does not matter.
        # DELETE, not TRUNCATE: a test leaves few rows, and TRUNCATE makes new files for every
        # table and index (seconds for the ~80 tables on a loaded machine, against a tenth).
        # The copies are the rows as they were: our triggers (the reports' dirty months) must
        # not add theirs, as TRUNCATE would not.
        for sql in without_triggers(
            [f"DELETE FROM {qn(table)}" for table in tables]
            + [f"INSERT INTO {qn(table)} TABLE {qn(schema)}.{qn(table)}" for table in tables]
        ):
            cursor.execute(sql)
        cursor.execute(
            f"SELECT setval(quote_ident(name), value, is_called) FROM {qn(schema)}.sequences"
        )
    # The content types come back with the ids they had when built.
    ContentType.objects.clear_cache()
