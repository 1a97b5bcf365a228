"""What the pipeline tests share (imports-engine): a small network, files, runs.

from tests.imports.engine import *  # noqa: F403 (fixtures: world, media)
"""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from maillage.imports import services
from maillage.pathways.common import name_key
from maillage.pathways.models import Accompaniment, Person
from tests.factories import (
    NetworkFactory,
    OfferFactory,
    OfferSessionFactory,
    StructureFactory,
    StructureMembershipFactory,
)
from tests.imports.files import csv_bytes, ods_bytes, xlsx_bytes

ACT_HEADER = ["N° dossier", "Date du RDV", "Type d'acte", "Durée", "Commentaire"]
PERSON_HEADER = ["N° dossier", "Nom", "Prénom", "Date de naissance", "Courriel", "Téléphone"]


class World:
    pass


def use_tmp_media(settings, tmp_path) -> None:
    """Uploaded files go to a temporary directory."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    use_tmp_media(settings, tmp_path)


@pytest.fixture
def world(db):
    return build_world()


def build_world() -> World:
    network = NetworkFactory(name="Réseau des imports")
    w = World()
    w.network = network
    w.intermade = StructureFactory(name="Intermade", networks=[network])
    w.apeas = StructureFactory(name="APEAS", networks=[network])
    w.starter = OfferFactory(structure=w.intermade, title="Starter")
    w.session = OfferSessionFactory(offer=w.starter)
    w.piles = OfferFactory(structure=w.apeas, title="PILES")
    w.advisor = StructureMembershipFactory(structure=w.intermade).user
    w.outsider = StructureMembershipFactory(structure=w.apeas).user
    return w


def file_bytes(header, rows, fmt: str = "csv", **options) -> tuple[str, bytes]:
    """(file name, content) of a table in a format."""
    if fmt == "csv":
        return "import.csv", csv_bytes([header, *rows], **options)
    if fmt == "xlsx":
        return "import.xlsx", xlsx_bytes({options.get("sheet", "Feuille 1"): [header, *rows]})
    return "import.ods", ods_bytes({options.get("sheet", "Feuille 1"): [header, *rows]})


def upload(w, entity, header, rows, *, fmt="csv", user=None, name=None, **options):
    file_name, data = file_bytes(header, rows, fmt, **options)
    return services.upload(
        structure=w.intermade,
        entity=entity,
        user=user or w.advisor,
        uploaded_file=SimpleUploadedFile(name or file_name, data),
    )


def commit(w, entity, header, rows, **options):
    """Upload then import (as the command does); the run."""
    user = options.pop("user", None) or w.advisor
    run = upload(w, entity, header, rows, user=user, **options)
    return services.commit(run=run, user=user, new_persons_for_duplicates=True)


def person(w, number: str, first="Camille", last="Durand", birth=datetime.date(1990, 5, 17)):
    """A person accompanied by Intermade under `number`."""
    someone = Person.objects.create(
        first_name=first,
        last_name=last,
        birth_date=birth,
        birth_year=birth.year if birth else None,
        name_key=name_key(first, last),
        created_by_structure=w.intermade,
    )
    Accompaniment.objects.create(
        person=someone,
        structure=w.intermade,
        started_on=datetime.date(2024, 1, 8),
        file_number=number,
    )
    return someone


__all__ = [
    "ACT_HEADER",
    "PERSON_HEADER",
    "World",
    "build_world",
    "commit",
    "file_bytes",
    "media",
    "person",
    "upload",
    "use_tmp_media",
    "world",
]
