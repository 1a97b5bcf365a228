"""Remind the authors of the sheets whose "review by" date has come (run daily, with
pathways_daily in scripts/daily_jobs.sh): one e-mail per author, once per date."""

from django.core.management.base import BaseCommand

from maillage.knowledge.services import remind_review_due


class Command(BaseCommand):
    help = "E-mail the authors of the sheets whose review-by date has come (once per date)."

    def handle(self, *args, **options):
        sent = remind_review_due()
        self.stdout.write(f"{sent} reminder(s) sent")
