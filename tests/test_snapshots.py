"""The copy the browser tests restore the demo from (tests/snapshots.py) gives each test the rows,
ids and sequences as built, whatever the test before wrote."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command

from maillage.directory.models import Network, Structure
from tests.factories import NetworkFactory, StructureFactory
from tests.snapshots import restored

pytestmark = pytest.mark.django_db(transaction=True)


def build():
    network = NetworkFactory(name="Réseau copié")
    StructureFactory(name="Intermade", networks=[network])
    StructureFactory(name="APEAS", networks=[network])
    return network


def rows():
    return sorted(Structure.objects.values_list("pk", "name", "networks__pk"))


def test_a_restored_database_is_the_built_one_whatever_was_written_since():
    network = restored("test_snapshots", build)
    built = rows()
    next_pk = StructureFactory(name="Created after").pk
    # What happens between two tests: the tables emptied, the content types put back (or made
    # again by the first flush of the process: new ids), read into ContentType's cache.
    call_command("flush", verbosity=0, interactive=False)
    ContentType.objects.get_for_model(Structure)
    # What a test may write: rows like the built ones, other ids.
    StructureFactory(name="Intermade")
    StructureFactory(name="APEAS")
    NetworkFactory(name="Another network")

    assert restored("test_snapshots", build) == network
    assert rows() == built
    assert list(Network.objects.values_list("pk", flat=True)) == [network.pk]
    # The sequences are where the build left them: the next row takes the same id again.
    assert StructureFactory(name="Created after").pk == next_pk
    # The content types read from the cache are those of the restored table.
    content_type = ContentType.objects.get_for_model(Structure)
    assert ContentType.objects.get(pk=content_type.pk).model == "structure"
