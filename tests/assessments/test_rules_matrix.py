"""Who may open and facilitate a collective appraisal session: every role and every action, at no
query cost once the user's roles are loaded."""

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser

from maillage.accounts.rules import can
from maillage.assessments.models import Appraisal, SubjectKind
from tests.factories import (
    NetworkFactory,
    NetworkRoleFactory,
    StructureFactory,
    StructureMembershipFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

ROLES = (
    "anonymous",
    "facilitator",
    "participant",
    "structure_admin",
    "other_staff",
    "coordinator",
    "funder",
    "platform_admin",
    "nobody",
)

# (action, target) -> roles allowed. S1: the structure holding the session; S2: another one of
# the network; APP1: S1's session (facilitated by "facilitator", "participant" present).
MATRIX = {
    ("open_appraisal", "S1"): {"facilitator", "participant", "structure_admin"},
    ("open_appraisal", "S2"): {"other_staff"},
    ("facilitate_appraisal", "APP1"): {"facilitator"},
}


@pytest.fixture
def world():
    network = NetworkFactory()
    s1, s2 = StructureFactory(networks=[network]), StructureFactory(networks=[network])
    users = {
        "anonymous": AnonymousUser(),
        "facilitator": StructureMembershipFactory(structure=s1).user,
        "participant": StructureMembershipFactory(structure=s1).user,
        "structure_admin": StructureMembershipFactory(structure=s1, admin=True).user,
        "other_staff": StructureMembershipFactory(structure=s2).user,
        "coordinator": NetworkRoleFactory(network=network).user,
        "funder": NetworkRoleFactory(network=network, funder=True).user,
        "platform_admin": UserFactory(platform_admin=True),
        "nobody": UserFactory(),
    }
    from tests.assessments.factories import tiny_version

    appraisal = Appraisal.objects.create(
        version=tiny_version(),
        subject_kind=SubjectKind.STRUCTURE,
        subject_structure=s1,
        structure=s1,
        facilitator=users["facilitator"],
        held_on=datetime.date(2026, 3, 2),
    )
    appraisal.participants.add(users["participant"])
    return users, {"S1": s1, "S2": s2, "APP1": appraisal}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("action", "target"), sorted(MATRIX))
def test_rules_matrix(world, role, action, target, django_assert_num_queries):
    users, targets = world
    user = users[role]
    can(user, "access_backoffice")  # load the roles once
    with django_assert_num_queries(0):
        allowed = can(user, action, targets[target])
    assert allowed == (role in MATRIX[(action, target)])
