import pytest

from maillage.territory import services
from maillage.territory.models import ActorKind, ActorLevel
from tests.factories import StructureFactory, StructureMembershipFactory


@pytest.fixture
def staff():
    return StructureMembershipFactory(structure=StructureFactory(name="Intermade")).user


@pytest.fixture
def system(staff):
    structure = staff.structure_memberships.get().structure
    return services.create_actor_system(structure=structure)


def add_actors(snapshot, user, *names):
    return [
        services.add_actor(
            snapshot=snapshot,
            user=user,
            name=name,
            kind=ActorKind.INSTITUTION,
            level=ActorLevel.REGIONAL,
        )
        for name in names
    ]
