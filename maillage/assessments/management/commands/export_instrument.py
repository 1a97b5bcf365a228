"""Write an instrument version back as its YAML file (to stdout)."""

from django.core.management.base import BaseCommand, CommandError

from maillage.assessments.loading import export_version
from maillage.assessments.models import InstrumentVersion


class Command(BaseCommand):
    help = "Export an instrument version as YAML (the latest version unless --version is given)."

    def add_arguments(self, parser):
        parser.add_argument("code")
        parser.add_argument("--number", type=int, default=None)

    def handle(self, *args, code, number, **options):
        versions = InstrumentVersion.objects.filter(instrument__code=code).order_by("-number")
        if number is not None:
            versions = versions.filter(number=number)
        version = versions.first()
        if version is None:
            raise CommandError(f"No such instrument version: {code} {number or ''}".strip())
        self.stdout.write(export_version(version), ending="")
