"""Who may use the network-life pages added so that nobody needs the Django admin: every role
against every page (allowed: the page answers 200; refused: 403, or 404 when the object is not
even visible). The checks go through maillage/accounts/rules.py: `collab_manage_network_life`
(events, roster, new budgets), `collab_manage_budget` (lines, contributions, settings),
`collab_facilitate_group` (group and meeting editing), `collab_pool_for_structure` (job posts,
arrangements)."""

from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from maillage.accounts.rules import forget_collab_groups, forget_roles
from maillage.collab import services

ALL = {"coordinator", "facilitator", "member", "network_member", "stranger", "anonymous"}

# page -> roles allowed (facilitator: admin of the first structure and the group's facilitator;
# member: staff of the second structure, in the group; network_member: staff of the second
# structure, not in the group; stranger: staff of a structure outside the network)
MATRIX = {
    "event_create": {"coordinator"},
    "event_edit": {"coordinator"},
    "event_roster": {"coordinator"},
    "budget_create": {"coordinator"},
    "group_budget_create": {"coordinator", "facilitator"},
    "budget_edit": {"coordinator"},
    "line_create": {"coordinator"},
    "line_edit": {"coordinator"},
    "contribution_create": {"coordinator"},
    "group_edit": {"coordinator", "facilitator"},
    "meeting_edit": {"coordinator", "facilitator"},
    "job_post_edit": {"facilitator"},  # the posting structure's staff
    "offer_job_post_edit": set(),  # not a job post: nobody
    "arrangement_create": {"facilitator", "member", "network_member"},  # staff of either side
}


def test_who_may_use_each_network_life_page(world, meeting, client):
    event = services.plan_event(
        network=world.network,
        title="Salon",
        kind="fair",
        starts_at=meeting.starts_at,
        by=world.coordinator,
    )
    budget = services.create_budget(
        network=world.network, year=2027, title="Budget", by=world.coordinator
    )
    line = services.save_budget_line(
        budget=budget, code="1", label="Événements", planned=10, by=world.coordinator
    )

    def post(structure, direction, kind, by):
        return services.post_pooling_entry(
            network=world.network,
            structure=structure,
            direction=direction,
            kind=kind,
            title=kind,
            by=by,
        )

    job_post = post(world.first, "offer", "job_post", world.facilitator)
    offer = post(world.first, "offer", "premises", world.facilitator)
    post(world.second, "need", "premises", world.member)
    urls = {
        "event_create": reverse("collab:event_create", args=[world.network.slug]),
        "event_edit": reverse("collab:event_edit", args=[event.uuid]),
        "event_roster": reverse("collab:event_roster", args=[event.uuid]),
        "budget_create": reverse("collab:budget_create", args=[world.network.slug]),
        "group_budget_create": reverse("collab:group_budget_create", args=[world.group.uuid]),
        "budget_edit": reverse("collab:budget_edit", args=[budget.uuid]),
        "line_create": reverse("collab:line_create", args=[budget.uuid]),
        "line_edit": reverse("collab:line_edit", args=[budget.uuid, line.pk]),
        "contribution_create": reverse("collab:contribution_create", args=[budget.uuid]),
        "group_edit": reverse("collab:group_edit", args=[world.group.uuid]),
        "meeting_edit": reverse("collab:meeting_edit", args=[meeting.uuid]),
        "job_post_edit": reverse("collab:job_post_edit", args=[job_post.uuid]),
        "offer_job_post_edit": reverse("collab:job_post_edit", args=[offer.uuid]),
        "arrangement_create": reverse("collab:arrangement_create", args=[offer.uuid]),
    }
    users = {
        "coordinator": world.coordinator,
        "facilitator": world.facilitator,
        "member": world.member,
        "network_member": world.outsider,
        "stranger": world.stranger,
        "anonymous": AnonymousUser(),
    }
    seen = {}
    for role, user in users.items():
        client.logout()
        if user.is_authenticated:
            forget_roles(user)
            forget_collab_groups(user)
            client.force_login(user)
        for page, url in urls.items():
            status = client.get(url).status_code
            assert status in (200, 302, 403, 404), (role, page, status)
            seen[(role, page)] = status == 200
    assert seen == {(role, page): role in MATRIX[page] for role in ALL for page in MATRIX}
