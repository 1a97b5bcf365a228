"""`make serve` (issue 18): scripts/serve.sh, as the Makefile calls it, against the test
PostgreSQL database on a free port: it builds, migrates, starts the task worker, the daily jobs
and gunicorn, answers /healthz and a page with its static files, and leaves nothing behind.

PostgreSQL only (production refuses anything else): not in the SQLite subset.
"""

import gzip
import os
import re
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(url: str, **headers):
    request = urllib.request.Request(url, headers=headers)  # noqa: S310
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        return response.status, dict(response.headers), response.read()


def database_url() -> str:
    s = connection.settings_dict
    host = f"{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}"
    return f"postgres://{s['USER']}:{s['PASSWORD']}@{host}/{s['NAME']}"


def serve(tmp_path, **env):
    base = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE",)}
    with (tmp_path / "serve.log").open("w") as log:
        return subprocess.Popen(
            ["bash", "scripts/serve.sh"],  # noqa: S607
            cwd=ROOT,
            env={**base, "MAILLAGE_VAR_DIR": str(tmp_path), "SECRET_KEY": "test-serve", **env},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stopped as a whole below
        )


def stop(process) -> bool:
    """Stop the group as Ctrl+C would; True when no process of it is left."""
    try:
        os.killpg(process.pid, signal.SIGTERM)
    except ProcessLookupError:
        return True
    process.wait(timeout=30)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.killpg(process.pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.2)
    os.killpg(process.pid, signal.SIGKILL)
    return False


# The test database, which the server finds migrated already. Transactional: the server commits
# the shipped instruments into it, and the flush after the test removes them (as a plain
# `django_db` test, they stayed for the next tests of the same worker, which found instruments
# they had not loaded).
@pytest.mark.django_db(transaction=True)
def test_make_serve_answers_health_and_pages_then_stops_cleanly(tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("make serve runs on PostgreSQL")
    url = database_url()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    process = serve(
        tmp_path, DATABASE_URL=url, HOST="127.0.0.1", PORT=str(port), WEB_CONCURRENCY="1"
    )
    try:
        deadline = time.monotonic() + 90
        health = None
        while time.monotonic() < deadline and process.poll() is None:
            try:
                health = get(f"{base}/healthz")
                break
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.3)
        log = (tmp_path / "serve.log").read_text()
        assert health is not None, log
        status, _, body = health
        assert status == 200 and b'"vendor": "postgresql"' in body, body
        status, headers, page = get(f"{base}/compte/connexion/", **{"Accept-Encoding": "gzip"})
        assert status == 200
        assert headers["Content-Encoding"] == "gzip"
        html = gzip.decompress(page).decode()
        assert "csrfmiddlewaretoken" in html
        # DEBUG off: static files collected under hashed names, served compressed by WhiteNoise.
        stylesheet = re.search(r'href="(/static/maillage/[^"]+\.[0-9a-f]{12}\.css)"', html)
        assert stylesheet, html
        status, headers, _ = get(f"{base}{stylesheet[1]}", **{"Accept-Encoding": "br"})
        assert status == 200
        assert headers.get("Content-Encoding") == "br"
        processes = subprocess.run(  # noqa: S603
            ["ps", "-o", "args=", "-s", str(process.pid)],  # noqa: S607
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        assert "gunicorn" in processes and "db_worker" in processes and "daily_jobs" in processes
    finally:
        left_nothing = stop(process)
    assert left_nothing, (tmp_path / "serve.log").read_text()


def test_make_serve_refuses_to_start_without_postgresql(tmp_path):
    for database, message in [
        (None, "DATABASE_URL is not set"),
        ("sqlite:////tmp/x.sqlite3", "must name a PostgreSQL database"),
    ]:
        env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        if database:
            env["DATABASE_URL"] = database
        done = subprocess.run(
            ["bash", "scripts/serve.sh"],  # noqa: S607
            cwd=ROOT,
            env={**env, "MAILLAGE_VAR_DIR": str(tmp_path)},
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert done.returncode == 2
        assert message in done.stderr


def test_the_compose_file_runs_the_roles_of_make_serve():
    """Docker is not on the test machines: the compose file and the Dockerfile are checked to
    run the same script as `make serve`, with roles it knows."""
    import yaml

    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    services = compose["services"]
    assert services["db"]["image"] == "postgres:15"
    roles = {name: service["command"] for name, service in services.items() if name != "db"}
    assert roles == {
        "web": ["bash", "scripts/serve.sh", "web"],
        "worker": ["bash", "scripts/serve.sh", "worker"],
        "scheduler": ["bash", "scripts/serve.sh", "scheduler"],
    }
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    for command in roles.values():
        # Each role is known (not "unknown role") and asks for PostgreSQL before anything.
        done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)  # noqa: S603
        assert (done.returncode, "DATABASE_URL is not set" in done.stderr) == (2, True)
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "FROM python:3.11-slim" in dockerfile
    assert "-r requirements.lock" in dockerfile
    assert "scripts/serve.sh build" in dockerfile
