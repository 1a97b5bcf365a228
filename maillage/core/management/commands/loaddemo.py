from django.core.management.base import BaseCommand
from django.db import transaction

from maillage.accounts.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, load_demo_accounts
from maillage.directory.demo import load_demo_network


class Command(BaseCommand):
    help = "Create or refresh the demo network and its demo accounts (idempotent)."

    def handle(self, *args, **options):
        with transaction.atomic():
            network = load_demo_network()
            load_demo_accounts(network)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo network ready: {network.name} ({network.structures.count()} structures)."
            )
        )
        if options["verbosity"] >= 1:
            self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
            for account in DEMO_ACCOUNTS:
                self.stdout.write(f"  {account.email:<40} {account.role_label}")
