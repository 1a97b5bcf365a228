from pathlib import Path

import pytest
from django.conf import settings
from django.core.management.commands import flush as flush_command
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.backends.postgresql.operations import DatabaseOperations as PostgreSQLOperations
from django.utils import translation

from maillage.accounts.rules import forget_roles

QUERY_COUNTERS = {"django_assert_num_queries", "django_assert_max_num_queries"}


def pytest_collection_modifyitems(config, items):
    """Everything under tests/browser/ is a browser test (make test runs them on their own).

    On SQLite, the tests that count queries are left out: how many queries a page makes is the
    code's doing, not the engine's, and with their two sizes of data they were the slowest part
    of the SQLite subset. They run on PostgreSQL."""
    for item in items:
        if "browser" in item.path.relative_to(Path(__file__).parent).parts[:1]:
            item.add_marker(pytest.mark.browser)
    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        counting = [
            item
            for item in items
            if QUERY_COUNTERS & set(getattr(item, "fixturenames", ())) or "queries" in item.name
        ]
        if counting:
            config.hook.pytest_deselected(items=counting)
            items[:] = [item for item in items if item not in counting]


_truncate = PostgreSQLOperations.sql_flush


def _delete_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
    """Empty the tables after a transactional test (browser tests, live server) with DELETE.

    Django's flush issues one TRUNCATE of every table, which makes new files for each of the
    ~80 tables and their indexes: 4 to 7 s on a loaded two-core machine, after every such test.
    DELETE of the rows a test leaves takes a tenth of it. Foreign keys are deferred to the
    commit (flush runs in one transaction), so the order does not matter; every table is in
    the list, so nothing is left pointing at a deleted row."""
    if reset_sequences or not tables:
        return _truncate(
            self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
        )
    from tests.snapshots import without_triggers

    # As with TRUNCATE, the tables' triggers (the reports' dirty months) do not fire.
    return without_triggers(
        f"{style.SQL_KEYWORD('DELETE FROM')} {self.quote_name(table)};" for table in tables
    )


PostgreSQLOperations.sql_flush = _delete_flush

_emit_post_migrate = flush_command.emit_post_migrate_signal


def _post_migrate_rows(verbosity, interactive, db, **kwargs):
    """After the flush of a transactional test, the rows `migrate`'s post-migrate steps make
    (content types, permissions, the referentials) put back from a copy, not made again.

    Those steps run after every flush, and one of them re-creates the reports' change triggers
    (DDL on every source table): a second or more per test, of no use since a DELETE leaves
    the triggers in place. The first flush of a process runs them and copies what they made
    (tests/snapshots.py); every later one restores that copy: the same rows, the same ids."""
    if db != DEFAULT_DB_ALIAS or connections[db].vendor != "postgresql":
        return _emit_post_migrate(verbosity, interactive, db, **kwargs)
    from tests.snapshots import restored

    restored("post_migrate", lambda: _emit_post_migrate(verbosity, interactive, db, **kwargs))


flush_command.emit_post_migrate_signal = _post_migrate_rows


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings, django_db_use_migrations):
    """Each test database is a copy of one migrated template (tests/template_db.py)."""
    if django_db_use_migrations:
        from tests import template_db

        template_db.install()


def pytest_report_header(config):
    from django.conf import settings

    engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    return f"maillage: database engine = {engine}"


@pytest.fixture(autouse=True)
def _french_first():
    """A request in English leaves English active in this thread: every test starts in French.

    The other test settings are set once, in tests/settings.py."""
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def database_vendor():
    return connection.vendor


@pytest.fixture
def login(client):
    """Log a user into the Django test client (roles read afresh)."""

    def _login(user):
        forget_roles(user)
        client.force_login(user)
        return client

    return _login
