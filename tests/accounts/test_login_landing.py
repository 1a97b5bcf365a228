"""After logging in, each role lands on its place, and a safe `next` wins (issue 17, point 3)."""

import pytest
from django.urls import reverse

from maillage.accounts.models import NetworkRoleKind
from tests.factories import (
    PASSWORD,
    NetworkFactory,
    NetworkRoleFactory,
    StructureFactory,
    StructureMembershipFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

LOGIN_URL = reverse("accounts:login")


def make_user(role):
    network = NetworkFactory(name="Réseau ESS")
    structure = StructureFactory(name="Intermade", networks=[network])
    if role == "advisor":
        return StructureMembershipFactory(structure=structure).user
    if role == "structure_admin":
        return StructureMembershipFactory(structure=structure, admin=True).user
    if role in ("coordinator", "funder"):
        return NetworkRoleFactory(network=network, role=role).user
    if role == "coordinator_of_two":
        user = NetworkRoleFactory(network=network).user
        NetworkRoleFactory(user=user, network=NetworkFactory(name="Autre réseau"))
        return user
    if role == "advisor_and_coordinator":
        user = StructureMembershipFactory(structure=structure).user
        NetworkRoleFactory(user=user, network=network)
        return user
    if role == "platform_admin":
        return UserFactory(platform_admin=True)
    return UserFactory()


LANDINGS = [
    ("advisor", reverse("pathways:home")),
    ("structure_admin", reverse("backoffice:dashboard")),
    ("coordinator", reverse("reporting:network", kwargs={"slug": "reseau-ess"})),
    ("coordinator_of_two", reverse("reporting:index")),
    ("funder", reverse("reporting:network", kwargs={"slug": "reseau-ess"})),
    ("advisor_and_coordinator", reverse("pathways:home")),
    ("platform_admin", reverse("admin:index")),
    ("no_role", reverse("accounts:account")),
]


@pytest.mark.parametrize(("role", "landing"), LANDINGS)
def test_each_role_lands_on_its_place(client, role, landing):
    user = make_user(role)
    response = client.post(LOGIN_URL, {"username": user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response.url == landing
    # The place is open to them.
    assert client.get(landing).status_code == 200


def test_a_logged_in_user_opening_the_login_page_goes_to_their_place(client):
    user = make_user("advisor")
    client.force_login(user)
    response = client.get(LOGIN_URL)
    assert response.status_code == 302
    assert response.url == reverse("pathways:home")


def test_a_safe_next_is_respected(client):
    user = make_user("advisor")
    wanted = reverse("accounts:account") + "?tab=roles"
    response = client.post(
        f"{LOGIN_URL}?next={wanted}", {"username": user.email, "password": PASSWORD, "next": wanted}
    )
    assert response.url == wanted


@pytest.mark.parametrize(
    "unsafe", ["https://evil.example/", "//evil.example/suivi/", "javascript:alert(1)"]
)
def test_a_next_to_another_host_is_ignored(client, unsafe):
    user = make_user("funder")
    data = {"username": user.email, "password": PASSWORD, "next": unsafe}
    response = client.post(LOGIN_URL, data)
    assert response.url == reverse("reporting:network", kwargs={"slug": "reseau-ess"})


def test_every_network_role_kind_has_a_landing():
    # A new kind of network role must be given a place in `landing_url`.
    assert set(NetworkRoleKind.values) == {"coordinator", "funder"}
