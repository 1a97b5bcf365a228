"""Once a day (cron): expire unanswered referrals, send reminders, e-mail the daily digests.

15 6 * * *  cd /srv/maillage && .venv/bin/python manage.py pathways_daily
"""

from django.core.management.base import BaseCommand

from maillage.pathways.referrals import services
from maillage.pathways.tasks import email_daily_digests


class Command(BaseCommand):
    help = (
        "Expire the referrals left unanswered, remind the structures of those waiting, and "
        "e-mail the daily digests. Run it once a day."
    )

    def handle(self, *args, **options):
        expired = services.expire_referrals()
        reminded = services.remind_unanswered_referrals()
        # Queued after the expiries and reminders, so that the digests carry them.
        result = email_daily_digests.enqueue()
        self.stdout.write(
            f"{len(expired)} referral(s) expired, {len(reminded)} reminder(s) sent, "
            f"daily digests queued (task {result.id})."
        )
