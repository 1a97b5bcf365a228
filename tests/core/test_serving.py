"""Production serving (issue 18): the settings the measurements blamed, read from the environment
as the top of maillage/settings.py documents them."""

import gzip
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]

# Imports the settings once per environment, in a fresh interpreter each time.
READ_SETTINGS = """
import importlib, json, os, sys
cases = json.loads(sys.argv[1])
out = []
for case in cases:
    for name in ("CONN_MAX_AGE", "DATABASE_JIT", "GZIP_PAGES"):
        os.environ.pop(name, None)
    os.environ.update(case)
    import maillage.settings as s
    s = importlib.reload(s)
    db = s.DATABASES["default"]
    out.append({
        "conn_max_age": db["CONN_MAX_AGE"],
        "health_checks": db["CONN_HEALTH_CHECKS"],
        "options": db.get("OPTIONS", {}).get("options", ""),
        "gzip": "django.middleware.gzip.GZipMiddleware" in s.MIDDLEWARE,
    })
print(json.dumps(out))
"""

PG = "postgres://u:p@127.0.0.1:5432/maillage"


def read_settings(tmp_path, *cases):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SECRET_KEY")}
    env["MAILLAGE_VAR_DIR"] = str(tmp_path)
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-c", READ_SETTINGS, json.dumps(cases)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return json.loads(done.stdout)


def test_database_and_compression_settings_read_the_environment(tmp_path):
    sqlite = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    pg_default, pg_chosen, pg_in_url, lite = read_settings(
        tmp_path,
        {"DATABASE_URL": PG},
        {"DATABASE_URL": PG, "CONN_MAX_AGE": "0", "DATABASE_JIT": "on", "GZIP_PAGES": "off"},
        {"DATABASE_URL": f"{PG}?conn_max_age=5"},
        {"DATABASE_URL": sqlite},
    )
    # PostgreSQL: connections kept a minute and checked before reuse, no JIT, pages compressed.
    assert pg_default == {
        "conn_max_age": 60,
        "health_checks": True,
        "options": "-c jit=off",
        "gzip": True,
    }
    assert pg_chosen == {"conn_max_age": 0, "health_checks": True, "options": "", "gzip": False}
    assert pg_in_url["conn_max_age"] == 5
    # SQLite: a file opened per request costs nothing; no PostgreSQL option.
    assert lite == {"conn_max_age": 0, "health_checks": True, "options": "", "gzip": True}


@pytest.mark.django_db
def test_postgresql_connections_run_without_jit():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL setting")
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"


@pytest.mark.django_db
def test_pages_are_compressed_for_clients_that_accept_it(client):
    page = client.get(reverse("accounts:login"), headers={"accept-encoding": "gzip"})
    assert page.status_code == 200
    assert page["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in page["Vary"]
    html = gzip.decompress(page.content).decode()
    # The CSRF token is masked anew in every answer (BREACH), and still there once decompressed.
    assert "csrfmiddlewaretoken" in html
    plain = client.get(reverse("accounts:login"))
    assert "Content-Encoding" not in plain


def test_gunicorn_takes_its_workers_from_the_cores_and_its_address_from_the_environment(
    monkeypatch,
):
    import runpy

    for name in ("HOST", "PORT", "WEB_CONCURRENCY"):
        monkeypatch.delenv(name, raising=False)
    config = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert config["workers"] == 2 * len(os.sched_getaffinity(0)) + 1
    assert config["bind"] == "127.0.0.1:8000"
    monkeypatch.setenv("HOST", "0.0.0.0")  # noqa: S104
    monkeypatch.setenv("PORT", "8123")
    monkeypatch.setenv("WEB_CONCURRENCY", "3")
    config = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert (config["bind"], config["workers"]) == ("0.0.0.0:8123", 3)
