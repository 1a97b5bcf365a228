"""Import data·inclusion files as outside resources of a network (all or nothing)."""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from maillage.directory.models import Network
from maillage.interop import services as interop_services


class Command(BaseCommand):
    help = "Import data·inclusion v1 structures and/or services files into a network."

    def add_arguments(self, parser):
        parser.add_argument("--network", required=True, help="Slug of the network.")
        parser.add_argument("--structures", type=Path, help="JSON file of structures.")
        parser.add_argument("--services", type=Path, help="JSON file of services.")

    def handle(self, *args, network, structures, services, **options):
        target = Network.objects.filter(slug=network).first()
        if target is None:
            raise CommandError(f"No network has the slug {network!r}.")
        files = {}
        for name, path in (("structures_file", structures), ("services_file", services)):
            if path is not None:
                if not path.is_file():
                    raise CommandError(f"No such file: {path}")
                files[name] = path.open("rb")
        try:
            batch = interop_services.import_data_inclusion(network=target, by=None, **files)
        except interop_services.ImportRefused as refused:
            for error in refused.item_errors:
                self.stderr.write(str(error))
            raise CommandError(
                f"Nothing imported: {len(refused.item_errors)} error(s).", returncode=1
            ) from None
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        finally:
            for file in files.values():
                file.close()
        self.stdout.write(
            f"Imported into {target.slug}: {batch.created} new, {batch.updated} updated, "
            f"{batch.unchanged} unchanged."
        )
