"""Coordinators extend the pathways lists for their network; advisors then choose from them."""

import pytest

from maillage.pathways.models import ActType, OutcomeType
from maillage.pathways.referentials import entries_for_networks
from tests.factories import NetworkFactory, NetworkRoleFactory, StructureMembershipFactory

pytestmark = pytest.mark.django_db


def test_a_coordinator_adds_an_act_type_for_their_network_only(login):
    network, other = NetworkFactory(slug="reseau-13"), NetworkFactory()
    coordinator = NetworkRoleFactory(network=network).user
    client = login(coordinator)
    response = client.post(
        f"/suivi/referentiels/{network.slug}/act-types/ajouter/",
        {"label_fr": "Visite de terrain", "label_en": "", "is_collective": "on"},
    )
    assert response.status_code == 302
    entry = ActType.objects.get(label_fr="Visite de terrain")
    assert entry.network == network and entry.is_collective
    assert entry.code == "reseau-13-visite-de-terrain"
    assert entry.label_en == "Visite de terrain"
    assert entry in entries_for_networks(ActType, [network.pk])
    assert entry not in entries_for_networks(ActType, [other.pk])
    page = client.get(f"/suivi/referentiels/{network.slug}/")
    assert "Visite de terrain" in page.content.decode()


def test_a_label_already_used_is_refused_with_a_message(login):
    network = NetworkFactory()
    client = login(NetworkRoleFactory(network=network).user)
    response = client.post(
        f"/suivi/referentiels/{network.slug}/outcome-types/ajouter/",
        {"label_fr": "activité créée", "family": "activity_created"},
    )
    assert response.status_code == 200
    assert "existe déjà" in response.content.decode()
    assert OutcomeType.objects.filter(network=network).count() == 0


def test_a_network_entry_can_be_switched_off_but_not_a_shared_one(login):
    network = NetworkFactory()
    client = login(NetworkRoleFactory(network=network).user)
    client.post(
        f"/suivi/referentiels/{network.slug}/act-types/ajouter/", {"label_fr": "Permanence"}
    )
    entry = ActType.objects.get(label_fr="Permanence")
    client.post(f"/suivi/referentiels/{network.slug}/act-types/{entry.pk}/basculer/")
    entry.refresh_from_db()
    assert not entry.is_active
    assert entry not in entries_for_networks(ActType, [network.pk])
    shared = ActType.objects.get(code="reception")
    response = client.post(f"/suivi/referentiels/{network.slug}/act-types/{shared.pk}/basculer/")
    assert response.status_code == 404


@pytest.mark.parametrize("role", ["advisor", "funder", "other_coordinator"])
def test_only_the_network_coordinators_edit_its_lists(login, role):
    network = NetworkFactory()
    user = {
        "advisor": lambda: StructureMembershipFactory().user,
        "funder": lambda: NetworkRoleFactory(network=network, funder=True).user,
        "other_coordinator": lambda: NetworkRoleFactory().user,
    }[role]()
    client = login(user)
    assert client.get(f"/suivi/referentiels/{network.slug}/").status_code == 403
    response = client.post(
        f"/suivi/referentiels/{network.slug}/act-types/ajouter/", {"label_fr": "Intrus"}
    )
    assert response.status_code == 403
    assert not ActType.objects.filter(label_fr="Intrus").exists()
