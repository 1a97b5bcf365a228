"""Remind owners of their open actions due soon (run daily, e.g. from cron)."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from maillage.collab.services import send_action_reminders


class Command(BaseCommand):
    help = "E-mail each owner of an open action due within N days (once per action)."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=3)

    def handle(self, *args, days, **options):
        sent = send_action_reminders(today=timezone.localdate(), days_before=days)
        self.stdout.write(f"{sent} reminder(s) sent")
