"""Bring the reports' pre-aggregated tables back to the pathways tables.

    manage.py refresh_reports [--full]

Redoes what the triggers marked as changed since the last refresh (reports do it themselves
before reading, so this only saves the first reader the wait, e.g. after a bulk import);
`--full` rebuilds both tables from scratch.
"""

import time

from django.core.management.base import BaseCommand

from maillage.reporting.refresh import refresh


class Command(BaseCommand):
    help = "Refresh the pre-aggregated tables of the reports (--full: rebuild them)."

    def add_arguments(self, parser):
        parser.add_argument("--full", action="store_true", help="rebuild everything")

    def handle(self, *args, full, **options):
        started = time.perf_counter()
        done = refresh(full=full)
        rows = ", ".join(f"{name} {n:,}" for name, n in done.items()) or "nothing to do"
        self.stdout.write(f"Reports refreshed in {time.perf_counter() - started:.1f} s: {rows}.")
