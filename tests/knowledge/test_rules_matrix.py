"""Who may manage a network's families and types of link, attach files to a sheet and say what
it is about: the rule (`can`) and the pages agree, for every role."""

import pytest
from django.db import transaction
from django.test import override_settings
from django.urls import reverse

from maillage.accounts.rules import can, forget_roles
from maillage.knowledge import services
from tests.factories import (
    NetworkFactory,
    NetworkRoleFactory,
    StructureFactory,
    StructureMembershipFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

ROLES = [
    "anonymous",
    "no_role",
    "author_advisor",  # staff of S1, the sheet's structure
    "author_admin",
    "other_advisor",  # staff of S3, same network
    "coordinator",
    "funder",
    "coordinator_elsewhere",
    "platform_admin",
]

# (action, target) -> the roles allowed; every other role is refused.
MATRIX = {
    ("manage_knowledge", "N1"): {"coordinator", "platform_admin"},
    ("edit_sheet", "SH1"): {"author_advisor", "author_admin"},
}

# The pages of those actions: (url name, target) -> the action that opens them.
PAGES = {
    "knowledge:referential": "manage_knowledge",
    "knowledge:family_create": "manage_knowledge",
    "knowledge:link_type_create": "manage_knowledge",
    "knowledge:subjects": "edit_sheet",
}


def build_world():
    n1, n2 = NetworkFactory(), NetworkFactory()
    s1, s3 = StructureFactory(networks=[n1]), StructureFactory(networks=[n1])
    users = {
        "anonymous": None,
        "no_role": UserFactory(),
        "author_advisor": StructureMembershipFactory(structure=s1).user,
        "author_admin": StructureMembershipFactory(structure=s1, admin=True).user,
        "other_advisor": StructureMembershipFactory(structure=s3).user,
        "coordinator": NetworkRoleFactory(network=n1).user,
        "funder": NetworkRoleFactory(network=n1, funder=True).user,
        "coordinator_elsewhere": NetworkRoleFactory(network=n2).user,
        "platform_admin": UserFactory(platform_admin=True),
    }
    family = services.upsert_family(network=n1, slug="methodes", name="Méthodes")
    sheet = services.create_sheet(
        user=users["author_advisor"], family=family, code="SH-1", title="Fiche", structure=s1
    )
    return users, {"N1": n1, "SH1": sheet}


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Built once for the module inside a transaction rolled back at the end."""
    fast = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with django_db_blocker.unblock(), fast:
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield build_world()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("action", "target"), list(MATRIX))
def test_rule(world, role, action, target):
    from django.contrib.auth.models import AnonymousUser

    users, targets = world
    user = users[role] or AnonymousUser()
    forget_roles(user)
    assert can(user, action, targets[target]) == (role in MATRIX[action, target])


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", list(PAGES))
def test_pages_follow_the_rule(world, client, role, name):
    users, targets = world
    action = PAGES[name]
    target = "N1" if action == "manage_knowledge" else "SH1"
    kwargs = {"network": targets["N1"].slug}
    if target == "SH1":
        kwargs["code"] = targets["SH1"].code
    if users[role] is not None:
        forget_roles(users[role])
        client.force_login(users[role])
    status = client.get(reverse(name, kwargs=kwargs)).status_code
    if role in MATRIX[action, target]:
        assert status == 200
    else:
        assert status in (302, 403, 404)
