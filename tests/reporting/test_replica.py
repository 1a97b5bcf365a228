"""Reports read from a replica when one is configured (`DATABASE_REPLICA_URL`, core.db_routing):
tested with the same PostgreSQL server under two aliases, in a process of its own, since the
test settings name no replica."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from maillage.core.db_routing import REPLICA, read_alias, reads_from_replica
from maillage.reporting.api import report_data
from maillage.reporting.report import ReportFilters
from maillage.reporting.selectors import build_report

from .world import PERIOD, build_world

ROOT = Path(__file__).resolve().parents[2]


def database_url() -> str:
    s = connection.settings_dict
    host = f"{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}"
    return f"postgres://{s['USER']}:{s['PASSWORD']}@{host}/{s['NAME']}"


@pytest.mark.django_db(transaction=True)
def test_a_report_reads_from_the_replica_and_gives_the_primarys_figures():
    if connection.vendor != "postgresql":
        pytest.skip("a replica is a PostgreSQL deployment")
    world = build_world(persons=20)
    filters = ReportFilters(network=world.network, date_from=PERIOD[0], date_to=PERIOD[1])
    on_primary = json.loads(
        json.dumps(report_data(build_report(user=world.funder, filters=filters)), default=str)
    )

    url = database_url()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": url,
        "DATABASE_REPLICA_URL": url,
    }
    done = subprocess.run(  # noqa: S603 (this interpreter, fixed arguments)
        [
            sys.executable,
            "-m",
            "tests.reporting.replica_probe",
            str(world.funder.pk),
            str(world.network.pk),
            PERIOD[0].isoformat(),
            PERIOD[1].isoformat(),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    probe = json.loads(done.stdout.strip().splitlines()[-1])
    # Every statement of the report ran on the replica, but the freshness check, which must see
    # the primary's latest writes.
    assert probe["replica"] > 10
    assert len(probe["default"]) == 1 and "reporting_dirty" in probe["default"][0]
    assert probe["report"] == on_primary


@pytest.mark.django_db
def test_without_a_replica_or_inside_a_transaction_reads_stay_on_the_primary(monkeypatch):
    with reads_from_replica():
        # No replica configured: nothing changes.
        assert read_alias() == "default"
        databases = {**settings.DATABASES, REPLICA: settings.DATABASES["default"]}
        monkeypatch.setattr(settings, "DATABASES", databases)
        # A replica, but this test runs in a transaction whose writes the replica cannot see.
        assert read_alias() == "default"
