from django.core.management.base import BaseCommand

from maillage.core.demos import run_demo


class Command(BaseCommand):
    help = "Create or refresh the demo network and its demo accounts (idempotent)."

    def handle(self, *args, **options):
        demo = run_demo()
        network = demo.network
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo network ready: {network.name} ({network.structures.count()} structures)."
            )
        )
        if options["verbosity"] >= 1 and demo.logins:
            self.stdout.write(f"Demo logins (password for all: {demo.password}):")
            for email, role in demo.logins:
                self.stdout.write(f"  {email:<40} {role}")
