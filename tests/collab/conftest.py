"""A small network's life: a network of two structures, a coordinator, a group with its
facilitator and a member, a network member outside the group, and someone from elsewhere."""

import datetime
from types import SimpleNamespace

import pytest
from django.utils import timezone

from maillage.collab import services
from maillage.collab.models import JoinPolicy
from tests.factories import (
    NetworkFactory,
    NetworkRoleFactory,
    StructureFactory,
    StructureMembershipFactory,
)


def in_days(days: int, hour: int = 14) -> datetime.datetime:
    moment = timezone.localtime() + datetime.timedelta(days=days)
    return moment.replace(hour=hour, minute=0, second=0, microsecond=0)


@pytest.fixture
def world(db):
    network = NetworkFactory(name="Réseau Test", slug="reseau-test")
    first = StructureFactory(name="Intermade", networks=[network])
    second = StructureFactory(name="Couveuse Sud", networks=[network])
    elsewhere = StructureFactory(name="Ailleurs")
    coordinator = NetworkRoleFactory(network=network).user
    facilitator = StructureMembershipFactory(structure=first, admin=True).user
    member = StructureMembershipFactory(structure=second).user
    outsider = StructureMembershipFactory(structure=second).user  # in the network, not the group
    stranger = StructureMembershipFactory(structure=elsewhere).user
    group = services.create_group(
        network=network,
        name="Groupe emploi",
        purpose="Coordonner les actions emploi",
        public_description="Un groupe ouvert aux structures du réseau.",
        join_policy=JoinPolicy.OPEN,
        facilitator=facilitator,
        facilitator_structure=first,
    )
    services.request_to_join(group=group, user=member)
    return SimpleNamespace(
        network=network,
        first=first,
        second=second,
        elsewhere=elsewhere,
        coordinator=coordinator,
        facilitator=facilitator,
        member=member,
        outsider=outsider,
        stranger=stranger,
        group=group,
    )


@pytest.fixture
def meeting(world):
    return services.plan_meeting(
        group=world.group,
        starts_at=in_days(7),
        place="Maison des associations",
        by=world.facilitator,
    )
