"""The token page of a structure: its administrators create (key shown once) and revoke tokens."""

import pytest
from django.urls import reverse

from maillage.pathways.models import ApiToken
from maillage.pathways.tokens import services
from maillage.pathways.tokens.services import hash_key
from tests.factories import NetworkRoleFactory, StructureMembershipFactory
from tests.pathways.api_helpers import token_client, url

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(net):
    return StructureMembershipFactory(structure=net.intermade, admin=True).user


def tokens_url(net):
    return reverse("pathways:api_tokens", kwargs={"slug": net.intermade.slug})


def test_an_admin_creates_a_token_and_sees_its_key_once(net, admin, login):
    client = login(admin)
    response = client.post(tokens_url(net), {"name": "  CRM   de l'accueil "})
    assert response.status_code == 200
    token = ApiToken.objects.get()
    assert (token.name, token.structure, token.user) == ("CRM de l'accueil", net.intermade, admin)
    page = response.content.decode()
    assert "Clé du jeton" in page
    raw_key = page.split("Authorization: Bearer ")[1].split("<")[0].strip()
    assert raw_key.startswith(token.prefix)
    assert token.key_hash == hash_key(raw_key)
    assert raw_key not in token.key_hash
    # The key works, and is never shown again.
    assert token_client(raw_key).get(url("persons")).status_code == 200
    again = client.get(tokens_url(net)).content.decode()
    assert raw_key not in again
    assert token.prefix in again
    assert "Jamais" not in again  # it was just used


def test_a_token_needs_a_name(net, admin, login):
    response = login(admin).post(tokens_url(net), {"name": "   "})
    assert response.status_code == 200
    assert "Le formulaire n'a pas pu être envoyé" in response.content.decode()
    assert not ApiToken.objects.exists()


def test_an_admin_revokes_a_token(net, admin, login):
    token, raw_key = services.create_api_token(structure=net.intermade, user=admin, name="CRM")
    client = login(admin)
    revoke = reverse(
        "pathways:api_token_revoke", kwargs={"slug": net.intermade.slug, "pk": token.pk}
    )
    assert client.get(revoke).status_code == 405
    response = client.post(revoke, follow=True)
    assert "est révoqué" in response.content.decode()
    assert "Révoqué le" in response.content.decode()
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert token_client(raw_key).get(url("persons")).status_code == 401


def test_tokens_of_another_structure_cannot_be_revoked_from_this_page(net, admin, login):
    apeas_admin = StructureMembershipFactory(structure=net.apeas, admin=True).user
    token, _key = services.create_api_token(structure=net.apeas, user=apeas_admin, name="CRM")
    revoke = reverse(
        "pathways:api_token_revoke", kwargs={"slug": net.intermade.slug, "pk": token.pk}
    )
    assert login(admin).post(revoke).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


@pytest.mark.parametrize("role", ["advisor", "coordinator", "other_admin"])
def test_only_the_structures_admins_manage_its_tokens(net, login, role):
    user = {
        "advisor": lambda: net.intermade_advisor,
        "coordinator": lambda: NetworkRoleFactory(network=net.network).user,
        "other_admin": lambda: StructureMembershipFactory(structure=net.apeas, admin=True).user,
    }[role]()
    client = login(user)
    assert client.get(tokens_url(net)).status_code == 403
    assert client.post(tokens_url(net), {"name": "CRM"}).status_code == 403
    assert not ApiToken.objects.exists()


def test_anonymous_visitors_are_sent_to_the_login_page(client, net):
    response = client.get(tokens_url(net))
    assert response.status_code == 302
    assert "/compte/" in response["Location"]


def test_the_token_page_runs_few_queries(net, admin, login, django_assert_max_num_queries):
    for number in range(6):
        services.create_api_token(structure=net.intermade, user=admin, name=f"Programme {number}")
    client = login(admin)
    with django_assert_max_num_queries(10):
        response = client.get(tokens_url(net))
    assert response.content.decode().count("<td>Programme ") == 6


def test_the_team_page_leads_its_administrators_to_the_token_page(net, admin, login):
    team = reverse("accounts:structure_team", kwargs={"slug": net.intermade.slug})
    assert tokens_url(net) in login(admin).get(team).content.decode()
