"""On PostgreSQL, outside a transaction, the statements of a report run side by side on their
own connections: the figures are the same as one statement at a time."""

import pytest
from django.db import connection

from maillage.reporting.computation import compute, parallel_workers
from maillage.reporting.report import ReportFilters
from maillage.reporting.selectors import build_report

from .privacy import assert_private
from .world import PERIOD, build_world


@pytest.mark.django_db(transaction=True)
def test_side_by_side_gives_the_same_figures(settings):
    if connection.vendor != "postgresql":
        pytest.skip("statements run side by side on PostgreSQL only")
    world = build_world(persons=40)
    filters = ReportFilters(network=world.network, date_from=PERIOD[0], date_to=PERIOD[1])
    build_report(user=world.funder, filters=filters)  # refresh the pre-aggregated tables
    settings.REPORT_PARALLEL_QUERIES = 1
    assert parallel_workers() == 1
    one_by_one = compute(filters)
    settings.REPORT_PARALLEL_QUERIES = 3
    assert parallel_workers() == 3
    side_by_side = compute(filters)
    assert side_by_side == one_by_one
    assert_private(build_report(user=world.funder, filters=filters))
