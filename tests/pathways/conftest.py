"""A small network for the pathways tests: Intermade and APEAS, one advisor each."""

import pytest

from tests.factories import (
    NetworkFactory,
    OfferFactory,
    OfferSessionFactory,
    StructureFactory,
    StructureMembershipFactory,
)


@pytest.fixture
def net(db):
    network = NetworkFactory(name="Réseau test")
    intermade = StructureFactory(name="Intermade", networks=[network])
    apeas = StructureFactory(name="APEAS", networks=[network])
    starter = OfferFactory(structure=intermade, title="Starter")
    piles = OfferFactory(structure=apeas, title="PILES")

    class World:
        pass

    world = World()
    world.network = network
    world.intermade = intermade
    world.apeas = apeas
    world.starter = starter
    world.starter_session = OfferSessionFactory(offer=starter)
    world.piles = piles
    world.intermade_advisor = StructureMembershipFactory(structure=intermade).user
    world.apeas_advisor = StructureMembershipFactory(structure=apeas).user
    return world
