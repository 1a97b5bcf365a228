"""Test databases copied from one migrated template instead of migrated one by one.

Migrating an empty database takes 60 to 120 s on these machines (Django renders the migration
state of ~90 related models again and again), and the suite made three of them per run: one per
pytest-xdist worker on PostgreSQL and one for the SQLite subset. The migrations are applied once
to a template, named after a fingerprint of every migration file and of Django's version; each
test database is then a copy of it (PostgreSQL's `CREATE DATABASE … TEMPLATE`, SQLite's backup
into the in-memory test database), a second or two. Django's `migrate` still runs on the copy, as
it does on a database kept with `--reuse-db`: nothing left to apply, but its post-migrate steps
(content types, permissions, the referentials, the reports' triggers) run as on a new database.

A new or changed migration file changes the fingerprint, so the next run migrates a new
template from scratch (and drops the old one); `--create-db` makes the workers' databases anew
from the template. The template is built by a `manage.py migrate` of its own, under a file lock
so that the workers starting together build it once; it gets its final name only once migrated.
"""

import fcntl
import hashlib
import os
import sqlite3
import subprocess
import sys
import tempfile
from contextlib import contextmanager, suppress
from pathlib import Path
from urllib.parse import quote

import django
from django.conf import settings
from django.db import DatabaseError, connection

BASE_DIR = Path(__file__).resolve().parent.parent

# The in-memory SQLite test database lives as long as one connection to it is open.
_keep_alive = []


def fingerprint():
    """What the migrated schema depends on: Django's version and every app's migration files."""
    from django.db.migrations.loader import MigrationLoader

    digest = hashlib.sha256(django.get_version().encode())
    loader = MigrationLoader(None, ignore_no_migrations=True)
    for key in sorted(loader.disk_migrations):
        module = sys.modules[loader.disk_migrations[key].__module__]
        digest.update("/".join(key).encode())
        digest.update(Path(module.__file__).read_bytes())
    return digest.hexdigest()[:12]


@contextmanager
def _locked(name):
    with open(Path(tempfile.gettempdir()) / f"maillage-{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _migrate(database_url):
    """`manage.py migrate` into `database_url`, in a process of its own (the test settings),
    warnings as errors as in the tests (pyproject.toml's filterwarnings)."""
    env = {**os.environ, "DATABASE_URL": database_url, "DJANGO_SETTINGS_MODULE": "tests.settings"}
    env.pop("PYTEST_XDIST_WORKER", None)
    subprocess.run(
        [
            sys.executable,
            "-W",
            "error",
            "-W",
            "ignore:No directory at:UserWarning",
            "manage.py",
            "migrate",
            "--run-syncdb",
            "--no-input",
            "-v0",
        ],
        cwd=BASE_DIR,
        env=env,
        check=True,
    )


def install():
    """Make the default connection's test database a copy of the migrated template."""
    if connection.vendor == "postgresql":
        _install_postgresql()
    elif connection.vendor == "sqlite":
        _install_sqlite()


# PostgreSQL ------------------------------------------------------------------------------------


def _install_postgresql():
    creation = connection.creation
    qn = connection.ops.quote_name
    prefix = f"test_{connection.settings_dict['NAME']}"[:42] + "_tpl_"
    template = prefix + fingerprint()

    def exists(cursor, name):
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        return cursor.fetchone() is not None

    def ensure_template(cursor):
        if exists(cursor, template):
            return
        building = f"{template}_new"
        cursor.execute(f"DROP DATABASE IF EXISTS {qn(building)}")
        cursor.execute(f"CREATE DATABASE {qn(building)}")
        s = connection.settings_dict
        _migrate(
            f"postgres://{quote(s['USER'], safe='')}:{quote(s['PASSWORD'], safe='')}"
            f"@{s['HOST'] or 'localhost'}:{s['PORT'] or 5432}/{building}"
        )
        cursor.execute(f"ALTER DATABASE {qn(building)} RENAME TO {qn(template)}")
        # The templates of older migrations are of no further use.
        cursor.execute(
            "SELECT datname FROM pg_database WHERE starts_with(datname, %s) AND datname <> %s",
            [prefix, template],
        )
        for (old,) in cursor.fetchall():
            # One in use by another run is left for the next one.
            with suppress(DatabaseError):
                cursor.execute(f"DROP DATABASE {qn(old)}")

    def create_test_db(verbosity=1, autoclobber=False, keepdb=False):
        name = creation._get_test_db_name()
        # One lock for every template of this name: a run that drops an older template waits
        # for the one copying it.
        with _locked(prefix), creation._nodb_cursor() as cursor:
            if keepdb and exists(cursor, name):
                return name
            ensure_template(cursor)
            cursor.execute(f"DROP DATABASE IF EXISTS {qn(name)}")
            cursor.execute(f"CREATE DATABASE {qn(name)} TEMPLATE {qn(template)}")
        return name

    creation._create_test_db = create_test_db


# SQLite ----------------------------------------------------------------------------------------


def _install_sqlite():
    creation = connection.creation
    original = creation._create_test_db
    directory = Path(settings.VAR_DIR) / "test-templates"
    template = directory / f"sqlite-{fingerprint()}.sqlite3"

    def create_test_db(verbosity=1, autoclobber=False, keepdb=False):
        name = original(verbosity, autoclobber, keepdb)
        if not creation.is_in_memory_db(name):
            return name
        with _locked(f"sqlite-{directory}".replace("/", "-")):
            if not template.exists():
                directory.mkdir(parents=True, exist_ok=True)
                for old in directory.glob("sqlite-*.sqlite3*"):
                    old.unlink()
                building = directory / "building.sqlite3"
                building.unlink(missing_ok=True)
                _migrate(f"sqlite:///{building}")
                # One file, no write-ahead log beside it, before it takes its final name.
                with sqlite3.connect(building) as db:
                    db.execute("PRAGMA journal_mode=DELETE")
                building.rename(template)
        keeper = sqlite3.connect(name, uri=True)
        source = sqlite3.connect(template)
        source.backup(keeper)
        source.close()
        _keep_alive.append(keeper)
        return name

    creation._create_test_db = create_test_db
