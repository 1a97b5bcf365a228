"""The read API lists what the selectors give, and the permission matrix of the collab block."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from maillage.accounts.rules import can, forget_collab_groups, forget_roles
from maillage.collab import selectors, services
from maillage.collab.models import JoinPolicy


def test_api_lists_the_groups_and_meetings_the_selectors_give(world, meeting, login):
    services.propose_agenda_item(
        meeting=meeting, title="Point interne", internal=True, by=world.member
    )
    hidden = services.create_group(
        network=world.network, name="Caché", facilitator=world.facilitator
    )
    services.plan_meeting(
        group=hidden, starts_at=meeting.starts_at, place="Ici", by=world.facilitator
    )
    for user in (world.member, world.outsider, world.stranger):
        forget_collab_groups(user)
        client = login(user)
        groups = client.get(reverse("api:group-list")).json()["results"]
        assert {g["uuid"] for g in groups} == {
            str(g.uuid) for g in selectors.group_visible_to(user)
        }
        meetings = client.get(reverse("api:meeting-list")).json()["results"]
        assert {m["uuid"] for m in meetings} == {
            str(m.uuid) for m in selectors.meeting_visible_to(user)
        }
    member_view = login(world.member).get(reverse("api:meeting-detail", args=[meeting.uuid]))
    assert member_view.json()["agenda"][0]["title"] == "Point interne"
    assert (
        login(world.outsider).get(reverse("api:meeting-detail", args=[meeting.uuid])).status_code
        == 404
    )


def _roles(world):
    return {
        "coordinator": world.coordinator,
        "facilitator": world.facilitator,
        "member": world.member,
        "network_member": world.outsider,
        "stranger": world.stranger,
        "anonymous": AnonymousUser(),
    }


MATRIX = [
    # action, object, roles allowed
    ("collab_manage_network_life", "network", {"coordinator"}),
    ("collab_view_group_internals", "group", {"coordinator", "facilitator", "member"}),
    ("collab_join_group", "group", {"coordinator", "network_member"}),
    ("collab_facilitate_group", "group", {"coordinator", "facilitator"}),
    ("collab_propose_agenda_item", "meeting", {"facilitator", "member"}),
    ("collab_write_minutes", "meeting", {"coordinator", "facilitator"}),
    ("collab_amend_minutes", "meeting", {"facilitator", "member"}),
    ("collab_manage_budget", "budget", {"coordinator"}),
]


@pytest.mark.parametrize(("action", "target", "allowed"), MATRIX)
def test_collab_permission_matrix(
    world, meeting, action, target, allowed, django_assert_num_queries
):
    budget = services.create_budget(
        network=world.network, year=2027, title="Budget", by=world.coordinator
    )
    objects = {"network": world.network, "group": world.group, "meeting": meeting, "budget": budget}
    for name, user in _roles(world).items():
        forget_roles(user) if user.is_authenticated else None
        forget_collab_groups(user)
        can(user, action, objects[target])  # load the roles once
        with django_assert_num_queries(0):
            assert can(user, action, objects[target]) is (name in allowed), (name, action)


def test_a_group_facilitator_manages_the_groups_budget(world):
    group = services.create_group(
        network=world.network,
        name="Salon",
        facilitator=world.member,
        join_policy=JoinPolicy.OPEN,
    )
    budget = services.create_budget(
        network=world.network, group=group, year=2027, title="Salon", by=world.member
    )
    assert can(world.member, "collab_manage_budget", budget)
    assert not can(world.outsider, "collab_manage_budget", budget)
