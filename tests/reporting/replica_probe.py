"""Build one report in a process whose settings name a replica (`DATABASE_REPLICA_URL`), and print
which connection each statement ran on and the report's JSON (used by test_replica.py)."""

import json
import sys
from datetime import date

import django


def main(funder_id: int, network_id: int, date_from: str, date_to: str) -> None:
    django.setup()
    from django.conf import settings
    from django.db import connections
    from django.test.utils import CaptureQueriesContext

    from maillage.accounts.models import User
    from maillage.directory.models import Network
    from maillage.reporting.api import report_data
    from maillage.reporting.report import ReportFilters
    from maillage.reporting.selectors import build_report

    # One connection per alias, so that every statement is captured on this thread.
    settings.REPORT_PARALLEL_QUERIES = 1
    # The computation itself is what must read from the replica, not a kept report.
    settings.REPORT_CACHE = False
    filters = ReportFilters(
        network=Network.objects.get(pk=network_id),
        date_from=date.fromisoformat(date_from),
        date_to=date.fromisoformat(date_to),
    )
    funder = User.objects.get(pk=funder_id)
    with (
        CaptureQueriesContext(connections["default"]) as on_default,
        CaptureQueriesContext(connections["replica"]) as on_replica,
    ):
        report = build_report(user=funder, filters=filters)
    print(
        json.dumps(
            {
                "default": [query["sql"] for query in on_default.captured_queries],
                "replica": len(on_replica.captured_queries),
                "report": report_data(report),
            },
            default=str,
        )
    )


if __name__ == "__main__":
    main(int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4])
