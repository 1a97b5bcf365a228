"""Remind the authors of the sheets whose "review by" date has come (run daily, like
pathways_daily): one line per sheet, with its authors' addresses."""

from django.core.management.base import BaseCommand

from maillage.knowledge.selectors import sheets_due_for_review


class Command(BaseCommand):
    help = "List the sheets whose review-by date has come, with their authors."

    def handle(self, *args, **options):
        for sheet in sheets_due_for_review():
            authors = ", ".join(sorted(user.email for user in sheet.authors.all()))
            self.stdout.write(
                f"{sheet.network.slug}\t{sheet.code}\t{sheet.review_by.isoformat()}\t{authors}"
            )
