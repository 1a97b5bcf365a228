"""Write every person's network identity keys again (`pathways/identity.py`).

    .venv/bin/python manage.py rebuild_identity_keys

Run it after changing `IDENTITY_KEY` (or `SECRET_KEY` without it), and after loading persons
in bulk without the services (the generator's bulk writer does it itself). One transaction:
the duplicate check sees the old keys until the new ones are all written.
"""

from django.core.management.base import BaseCommand
from django.db import transaction

from maillage.pathways.identity import rebuild_keys


class Command(BaseCommand):
    help = "Write every person's network identity keys again (after a change of IDENTITY_KEY)."

    def handle(self, *args, **options):
        with transaction.atomic():
            written = rebuild_keys()
        self.stdout.write(f"{written} identity keys written.")
