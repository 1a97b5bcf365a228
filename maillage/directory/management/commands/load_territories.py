import time

from django.core.management.base import BaseCommand, CommandError

from maillage.directory.territories import DEFAULT_DATA_DIR, TerritoryDataError, load_territories


class Command(BaseCommand):
    help = (
        "Create or update the French territories (regions, départements, EPCIs, communes, "
        "municipal arrondissements) from Etalab's decoupage-administratif files. Idempotent."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--data-dir",
            default=str(DEFAULT_DATA_DIR),
            help="Folder holding regions.json, departements.json, epci.json and communes.json "
            "(default: the npm package installed by make).",
        )
        parser.add_argument(
            "--departement",
            nargs="+",
            default=[],
            metavar="CODE",
            help="Load only these départements (with their regions and EPCIs), e.g. 13 84.",
        )

    def handle(self, *args, data_dir, departement, verbosity, **options):
        started = time.monotonic()
        progress = self.stdout.write if verbosity >= 2 else None
        try:
            report = load_territories(
                data_dir=data_dir, departements=departement, progress=progress
            )
        except TerritoryDataError as error:
            raise CommandError(str(error)) from error
        if verbosity >= 2:
            for line in report.lines():
                self.stdout.write(f"  {line}")
        if verbosity >= 1:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Territories: {report.total_created} created, {report.total_updated} "
                    f"updated, {sum(report.unchanged.values())} unchanged "
                    f"({time.monotonic() - started:.1f} s)."
                )
            )
