"""Time the full funder report on the current database (see docs/benchmarks.md).

    manage.py bench_reports [--network SLUG] [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--repeat N]
    manage.py bench_reports --peers [--network SLUG] [--repeat N]

Builds the report of a network (default: the one with the most acts) for a period (default: the
last 12 full months before the latest act), with the comparison period, as a funder reads it:
prints the time of each section of the computation and of what the masking reads besides (the
months and neighbour periods: `comparisons.Readings`), then the total of `build_report` and of the
JSON endpoint (Django's test client, middleware and rendering included), the number of SQL
queries and the number of rows of the tables read. A temporary funder user is created for the
run and deleted afterwards.
"""

import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.models import Count, Max
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings

from maillage.accounts.models import NetworkRole, NetworkRoleKind, User
from maillage.directory.models import Network
from maillage.pathways.models import (
    Accompaniment,
    Act,
    ActParticipant,
    Application,
    Outcome,
    Person,
    Referral,
)
from maillage.reporting.comparisons import Readings, months_of
from maillage.reporting.comparisons import neighbours as neighbours_of
from maillage.reporting.computation import Computation, parallel_workers
from maillage.reporting.masking import MaskedPeriod
from maillage.reporting.periods import default_period
from maillage.reporting.report import ReportFilters
from maillage.reporting.scope import Scope
from maillage.reporting.selectors import build_report


def ms(seconds: float | None) -> str:
    return f"{seconds * 1000:8.1f} ms" if seconds is not None else "—"


class Command(BaseCommand):
    help = "Print the time of the full funder report (build_report and the JSON endpoint)."

    def add_arguments(self, parser):
        parser.add_argument("--network", help="slug (default: the network with the most acts)")
        parser.add_argument("--from", dest="date_from", type=date.fromisoformat)
        parser.add_argument("--to", dest="date_to", type=date.fromisoformat)
        parser.add_argument("--repeat", type=int, default=5)
        parser.add_argument(
            "--peers",
            action="store_true",
            help="the one-year and five-year reports beside DuckDB and plain SQL",
        )
        parser.add_argument(
            "--workers",
            type=int,
            help="statements run at once (default: the REPORT_PARALLEL_QUERIES setting, 3)",
        )

    def handle(self, *args, network, date_from, date_to, repeat, workers, peers, **options):
        if peers:
            return self.peers(network, repeat)
        if workers is not None:
            with override_settings(REPORT_PARALLEL_QUERIES=workers):
                return self.run(network, date_from, date_to, repeat)
        return self.run(network, date_from, date_to, repeat)

    def network(self, slug):
        if slug:
            found = Network.objects.filter(slug=slug).first()
        else:
            found = Network.objects.annotate(n=Count("structures__acts")).order_by("-n").first()
        if found is None:
            raise CommandError("No such network.")
        return found

    def peers(self, network, repeat):
        from maillage.devtools.benchmarks import BenchFailed
        from maillage.devtools.benchmarks.reports import measure_reports

        with tempfile.TemporaryDirectory(prefix="bench-reports-") as workdir:
            try:
                results = measure_reports(
                    network=self.network(network), repeat=repeat, workdir=Path(workdir)
                )
            except BenchFailed as failed:
                raise CommandError(str(failed)) from failed
        self.stdout.write(
            "| period | report (funder) | served from the cache | unmasked figures | DuckDB | "
            "ratio | plain SQL | figures equal |\n| --- | --- | --- | --- | --- | --- | --- | --- |"
        )
        for r in results:
            self.stdout.write(
                f"| {r['period']} ({r['from']} to {r['to']}) | {ms(r['product_seconds'])} | "
                f"{ms(r['cached_seconds'])} | {ms(r['unmasked_seconds'])} | "
                f"{ms(r['duckdb_seconds'])} | x{r['ratio_duckdb']} | {ms(r['sql_seconds'])} | "
                f"{r['figures']} (+{r['shown_figures']} of the funder's) |"
            )
        self.stdout.write(f"Export to Parquet: {results[0]['export_seconds']} s.")

    def run(self, network, date_from, date_to, repeat):
        found = self.network(network)
        latest = Act.objects.aggregate(latest=Max("occurred_on"))["latest"]
        start, end = default_period(latest)
        filters = ReportFilters(network=found, date_from=date_from or start, date_to=date_to or end)
        self.stdout.write(
            f"Network {found.slug}: {filters.date_from} to {filters.date_to}, compared with "
            f"{filters.previous().date_from} to {filters.previous().date_to} "
            f"({connection.vendor}, {parallel_workers()} statement(s) at once)."
        )
        self.rows()
        funder = User.objects.create_user("bench-funder@maillage.invalid")
        try:
            NetworkRole.objects.create(user=funder, network=found, role=NetworkRoleKind.FUNDER)
            self.measure(funder, found, filters, repeat)
        finally:
            funder.delete()

    def rows(self):
        counts = {
            "persons": Person.objects.count(),
            "accompaniments": Accompaniment.objects.count(),
            "acts": Act.objects.count(),
            "participants": ActParticipant.objects.count(),
            "applications": Application.objects.count(),
            "referrals": Referral.objects.count(),
            "outcomes": Outcome.objects.count(),
        }
        self.stdout.write("Rows: " + ", ".join(f"{k} {v:,}" for k, v in counts.items()))

    def measure(self, funder, network, filters, repeat):
        # Sections, from one run after a warm-up.
        build_report(user=funder, filters=filters)
        scope = Scope(filters)
        computation = Computation(filters, scope)
        raws = computation.run()
        started = time.perf_counter()
        [MaskedPeriod(raw, True) for raw in raws]
        computation.timings["masking"] = time.perf_counter() - started
        self.stdout.write("Sections (one run):")
        for name, seconds in computation.timings.items():
            self.stdout.write(f"  {name:<22} {ms(seconds)}")
        # What the funder's masking reads besides (comparisons.Readings): the range by month,
        # the neighbour periods, the months, then the masking itself.
        readings = Readings(scope, tuple(raw.filters for raw in raws), computation)
        steps = {}
        started = time.perf_counter()
        for raw in raws:
            if readings.sources(raw.filters) is not None:
                break
        steps["read by month"] = time.perf_counter() - started
        started = time.perf_counter()
        neighbours = [tuple(readings.period(f) for f in neighbours_of(raw.filters)) for raw in raws]
        steps["neighbour periods"] = time.perf_counter() - started
        started = time.perf_counter()
        months = [
            tuple(MaskedPeriod(readings.month(f), True) for f in months_of(raw.filters))
            for raw in raws
        ]
        steps["months"] = time.perf_counter() - started
        started = time.perf_counter()
        for raw, near, alone in zip(raws, neighbours, months, strict=True):
            MaskedPeriod(raw, True, near, alone)
        steps["masking, linked"] = time.perf_counter() - started
        self.stdout.write("The funder's masking reads besides (one run):")
        for name, seconds in steps.items():
            self.stdout.write(f"  {name:<22} {ms(seconds)}")
        totals = []
        for _ in range(repeat):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                report = build_report(user=funder, filters=filters)
                totals.append(time.perf_counter() - started)
        self.stdout.write(
            f"build_report: median {ms(statistics.median(totals))}, max {ms(max(totals))} "
            f"over {repeat} runs, {len(queries)} queries, {len(report.indicators)} indicators"
        )
        client = Client(HTTP_HOST="localhost")
        client.force_login(funder)
        query = {
            "network": network.slug,
            "from": filters.date_from.isoformat(),
            "to": filters.date_to.isoformat(),
        }
        api = []
        for _ in range(repeat):
            started = time.perf_counter()
            response = client.get("/api/v1/reports/indicators", query)
            api.append(time.perf_counter() - started)
            if response.status_code != 200:
                raise CommandError(f"The JSON endpoint answered {response.status_code}.")
        self.stdout.write(
            f"JSON endpoint: median {ms(statistics.median(api))}, max {ms(max(api))} "
            f"over {repeat} runs, {len(response.content):,} bytes"
        )
