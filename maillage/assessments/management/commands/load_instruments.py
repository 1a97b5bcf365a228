"""Load instrument files: the shipped ones (no argument) or the files given. All or nothing."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from maillage.assessments.definition import InstrumentFileError
from maillage.assessments.loading import load_paths, shipped_files


class Command(BaseCommand):
    help = "Load instrument files (YAML) into instrument versions; nothing is loaded on an error."

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="*", help="instrument files (default: the shipped ones)")

    def handle(self, *args, files, **options):
        paths = [Path(f) for f in files] or shipped_files()
        try:
            loaded = load_paths(paths)
        except InstrumentFileError as error:
            raise CommandError(str(error)) from error
        for row in loaded:
            state = "loaded" if row.created else "unchanged"
            self.stdout.write(f"{row.version}: {state}")
