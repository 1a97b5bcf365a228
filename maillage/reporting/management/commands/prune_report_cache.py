"""Forget expired kept reports and old change records (`reporting/cache.py`); daily."""

from django.core.management.base import BaseCommand

from maillage.reporting.cache import prune


class Command(BaseCommand):
    help = "Delete the kept reports that expired and the change records no report needs."

    def handle(self, *args, **options):
        done = prune()
        self.stdout.write(
            f"{done['reports']} kept report(s) and {done['changes']} change record(s) deleted."
        )
