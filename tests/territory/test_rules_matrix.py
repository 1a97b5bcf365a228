"""Who may open, read and change an actor system: every role and every action, at no query cost
for the structure's system (the network's system reads the member networks once, then cached)."""

import pytest

from maillage.accounts.rules import can
from maillage.territory.models import ActorSystem, Framework
from tests.factories import (
    NetworkFactory,
    NetworkRoleFactory,
    StructureFactory,
    StructureMembershipFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

ROLES = (
    "advisor",
    "structure_admin",
    "other_staff",
    "coordinator",
    "funder",
    "platform_admin",
    "nobody",
)

# (action, owner kind) -> roles allowed
MATRIX = {
    ("open_actor_system", "structure"): {"advisor", "structure_admin"},
    ("open_actor_system", "network"): {"coordinator"},
    ("view_actor_system", "structure"): {"advisor", "structure_admin", "coordinator"},
    ("view_actor_system", "network"): {"advisor", "structure_admin", "other_staff", "coordinator"},
    ("change_actor_system", "structure"): {"advisor", "structure_admin"},
    ("change_actor_system", "network"): {"coordinator"},
    # Social-utility frameworks: the same owner rule; templates are for anyone on a territory.
    ("view_framework", "structure"): {"advisor", "structure_admin", "coordinator"},
    ("view_framework", "network"): {"advisor", "structure_admin", "other_staff", "coordinator"},
    ("change_framework", "structure"): {"advisor", "structure_admin"},
    ("change_framework", "network"): {"coordinator"},
    ("publish_framework", "structure"): {"advisor", "structure_admin"},
    ("publish_framework", "network"): {"coordinator"},
    ("use_framework_template", "structure"): {
        "advisor",
        "structure_admin",
        "other_staff",
        "coordinator",
    },
    ("use_framework_template", "network"): {
        "advisor",
        "structure_admin",
        "other_staff",
        "coordinator",
    },
    ("use_framework_template", "unpublished"): set(),
}


@pytest.fixture
def world():
    network = NetworkFactory()
    structure = StructureFactory(networks=[network])
    other = StructureFactory(networks=[network])
    users = {
        "advisor": StructureMembershipFactory(structure=structure).user,
        "structure_admin": StructureMembershipFactory(structure=structure, admin=True).user,
        "other_staff": StructureMembershipFactory(structure=other).user,
        "coordinator": NetworkRoleFactory(network=network).user,
        "funder": NetworkRoleFactory(network=network, funder=True).user,
        "platform_admin": UserFactory(platform_admin=True),
        "nobody": UserFactory(),
    }
    return {
        "users": users,
        "structure": structure,
        "network": network,
        "systems": {
            "structure": ActorSystem(structure=structure),
            "network": ActorSystem(network=network),
        },
        "frameworks": {
            "structure": Framework(structure=structure, is_template=True),
            "network": Framework(network=network, is_template=True),
            "unpublished": Framework(structure=other),
        },
    }


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("action", "owner_kind"), sorted(MATRIX))
def test_rules_matrix(world, role, action, owner_kind, django_assert_max_num_queries):
    user = world["users"][role]
    if action == "open_actor_system":
        obj = world[owner_kind]
    elif "framework" in action:
        obj = world["frameworks"][owner_kind]
    else:
        obj = world["systems"][owner_kind]
    can(user, "access_backoffice")  # load the roles once
    with django_assert_max_num_queries(1 if owner_kind == "network" else 0):
        allowed = can(user, action, obj)
    assert allowed == (role in MATRIX[(action, owner_kind)])
