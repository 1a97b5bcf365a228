import re

import pytest
from django.urls import reverse

from maillage.accounts.models import StructureRole
from maillage.territory import selectors, services
from tests.factories import (
    NetworkFactory,
    NetworkRoleFactory,
    StructureFactory,
    StructureMembershipFactory,
)
from tests.territory.conftest import add_actors

pytestmark = pytest.mark.django_db


@pytest.fixture
def snapshot(system, staff):
    snapshot = services.start_snapshot(system=system, year=2025, user=staff)
    owner = snapshot.actors.get(is_owner=True)
    region, bank, mayor = add_actors(snapshot, staff, "Région Sud", "Banque", "Mairie")
    services.propose_profile(
        snapshot=snapshot,
        actor=region,
        user=staff,
        resource_financial=3,
        resource_rules=3,
        resource_symbolic=3,
        resource_information=2,
    )
    services.propose_profile(snapshot=snapshot, actor=bank, user=staff, resource_financial=2)
    for a, b, nature, obj in (
        (owner, region, "neutrality", "means"),
        (owner, bank, "alliance", "values"),
        (owner, mayor, "opposition", "practices"),
        (region, mayor, "interdependence", "global"),
    ):
        services.propose_relation(
            snapshot=snapshot, actor_a=a, actor_b=b, user=staff, nature=nature, object=obj
        )
    return snapshot


def _pairs(html, tag):
    return {
        (pair, nature)
        for pair, nature in re.findall(
            rf'<{tag}[^>]*data-pair="([0-9-]+)" data-nature="([a-z]+)"', html
        )
    }


def test_the_graph_and_the_matrix_show_the_same_relations(client, staff, snapshot):
    client.force_login(staff)
    response = client.get(reverse("territory:snapshot", args=[snapshot.pk]))
    html = response.content.decode()
    edges, cells = _pairs(html, "line"), _pairs(html, "td")
    expected = {
        (f"{min(a, b)}-{max(a, b)}", relation.nature)
        for (a, b), relation in selectors.current_relations(snapshot).items()
    }
    assert len(expected) == 4
    assert edges == cells == expected
    # Each pair is in the symmetric matrix twice, in the graph once.
    assert len(re.findall(r'<td[^>]*data-pair="', html)) == 8
    assert len(re.findall(r'<line[^>]*data-pair="', html)) == 4
    # Nodes are sized by resources: the region (11 points) is drawn larger than the bank (2).
    radii = dict(re.findall(r'data-actor="(\d+)" data-resources="(\d+)"', html))
    assert sorted(radii.values(), key=int) == ["0", "0", "2", "11"]


def test_a_cell_of_the_matrix_is_edited_by_its_form_and_the_proposer_is_kept(
    client, staff, snapshot
):
    owner = snapshot.actors.get(is_owner=True)
    mayor = snapshot.actors.get(name="Mairie")
    client.force_login(staff)
    url = reverse("territory:relation", args=[snapshot.pk, mayor.pk, owner.pk])
    assert "Opposition" in client.get(url).content.decode()
    response = client.post(
        url, {"nature": "negotiation", "object": "means", "note": "Nouveau maire"}
    )
    assert response.status_code == 302
    relation = selectors.actor_map(snapshot).relation(owner, mayor)
    assert (relation.nature, relation.proposed_by, relation.note) == (
        "negotiation",
        staff,
        "Nouveau maire",
    )
    refused = client.post(url, {"nature": "alliance", "object": ""})
    assert "une nature et un objet" in refused.content.decode()


def test_positioning_lists_allies_oppositions_and_actors_to_win(client, staff, snapshot):
    client.force_login(staff)
    response = client.get(reverse("territory:positioning", args=[snapshot.pk]))
    position = response.context["position"]
    assert [a.name for a, _r, _n in position["allies"]] == ["Banque"]
    assert [a.name for a, _r, _n in position["oppositions"]] == ["Mairie"]
    # Neutral towards us and strong (11 of 18 points): to win. The bank is an ally already.
    assert [a.name for a, _r, _n in position["to_win"]] == ["Région Sud"]


def test_who_reads_and_who_edits_a_structures_system(client, staff, snapshot):
    structure = snapshot.system.structure
    network = NetworkFactory()
    structure.networks.add(network)
    coordinator = NetworkRoleFactory(network=network).user
    stranger = StructureMembershipFactory(
        structure=StructureFactory(networks=[network]), role=StructureRole.STRUCTURE_ADMIN
    ).user
    page = reverse("territory:snapshot", args=[snapshot.pk])
    validate = reverse("territory:validate", args=[snapshot.pk])

    client.force_login(coordinator)
    assert client.get(page).status_code == 200
    assert client.post(validate).status_code == 403
    client.force_login(stranger)  # a fellow structure of the network: not its business
    assert client.get(page).status_code == 404
    client.force_login(staff)
    assert client.post(validate).status_code == 302
    snapshot.refresh_from_db()
    assert snapshot.is_frozen


def test_comparison_page_shows_the_relations_that_changed(client, staff, snapshot):
    services.validate_snapshot(snapshot=snapshot, user=staff)
    client.force_login(staff)
    response = client.post(reverse("territory:system", args=[snapshot.system.pk]), {"year": 2026})
    following = selectors.snapshots_visible_to(staff).get(year=2026)
    assert response.url == reverse("territory:snapshot", args=[following.pk])
    owner = following.actors.get(is_owner=True)
    services.propose_relation(
        snapshot=following,
        actor_a=owner,
        actor_b=following.actors.get(name="Région Sud"),
        user=staff,
        nature="alliance",
        object="means",
    )
    html = client.get(reverse("territory:compare", args=[snapshot.system.pk])).content.decode()
    assert "Entre 2025 et 2026" in html
    assert re.search(
        r"Relation modifiée.*Intermade — Région Sud.*Neutralité · Moyens.*Alliance · Moyens",
        html,
        re.S,
    )
