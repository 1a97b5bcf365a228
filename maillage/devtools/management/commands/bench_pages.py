"""Server time of the daily pages (advisor home, person list and page, inbox, offer, map, API
persons) on the database at hand: see maillage/devtools/benchmarks/daily_pages.py.

    manage.py bench_pages [--runs 20]
"""

from django.core.management.base import BaseCommand

from maillage.devtools.benchmarks.daily_pages import measure


class Command(BaseCommand):
    help = "Print the server time (median, p95) and query count of the daily pages."

    def add_arguments(self, parser):
        parser.add_argument("--runs", type=int, default=20)

    def handle(self, *args, runs, **options):
        figures = measure(runs=runs)
        self.stdout.write(
            f"{figures['advisor']} ({figures['structure']}): sees {figures['persons_seen']} "
            f"of {figures['persons_in_database']} persons"
        )
        for label, page in figures["pages"].items():
            self.stdout.write(
                f"{label:<16} median {page['median_ms']:7.1f} ms   p95 {page['p95_ms']:7.1f} ms   "
                f"cpu {page['cpu_median_ms']:6.1f} ms   "
                f"{page['queries']:3d} queries   {page['bytes'] // 1024:5d} KiB {page['gzip']}"
            )
