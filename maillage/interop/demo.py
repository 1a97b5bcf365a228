"""Demo step of the open-data app: a few outside resources of the Bouches-du-Rhône.

Invented organisations and services (our own words), imported through the same service as a
coordinator's upload; importing them again changes nothing.
"""

from pathlib import Path

from . import services

FILES = Path(__file__).with_name("demo_files")


def load_demo(demo) -> None:
    with (
        (FILES / "structures.json").open("rb") as structures,
        (FILES / "services.json").open("rb") as services_file,
    ):
        services.import_data_inclusion(
            network=demo.network, structures_file=structures, services_file=services_file
        )
