"""Who may do the actions added for the network-life pages (maillage/accounts/rules.py, the
end of the collab block): events and their roster, shared job posts, arrangements."""

import pytest
from django.contrib.auth.models import AnonymousUser

from maillage.accounts.rules import can, forget_collab_groups, forget_roles
from maillage.collab import services

ROLES = ("coordinator", "facilitator", "member", "network_member", "stranger", "anonymous")


def _users(world):
    return dict(
        zip(
            ROLES,
            (
                world.coordinator,
                world.facilitator,  # admin of the first structure
                world.member,  # staff of the second structure
                world.outsider,  # staff of the second structure, not in the group
                world.stranger,
                AnonymousUser(),
            ),
            strict=True,
        )
    )


MATRIX = [
    # action, object, roles allowed
    ("collab_manage_event", "event", {"coordinator"}),
    ("collab_change_job_post", "job_post", {"facilitator"}),
    ("collab_change_job_post", "offer", set()),  # not a job post
    ("collab_arrange_pooling", "offer", {"member", "network_member"}),
    ("collab_arrange_pooling", "arranged", set()),  # already arranged
]


@pytest.mark.parametrize(("action", "target", "allowed"), MATRIX)
def test_collab_page_actions_matrix(world, action, target, allowed):
    def entry(structure, kind, title, **extra):
        return services.post_pooling_entry(
            network=world.network,
            structure=structure,
            direction="offer",
            kind=kind,
            title=title,
            by=world.facilitator if structure == world.first else world.member,
            **extra,
        )

    objects = {
        "event": services.plan_event(
            network=world.network,
            title="Salon",
            kind="fair",
            starts_at=world.group.created_at,
            by=world.coordinator,
        ),
        "job_post": entry(world.first, "job_post", "Poste partagé"),
        "offer": entry(world.second, "premises", "Salle"),
    }
    arranged = entry(world.second, "skills", "Compta")
    arranged.is_open = False
    objects["arranged"] = arranged
    for name, user in _users(world).items():
        if user.is_authenticated:
            forget_roles(user)
            forget_collab_groups(user)
        assert can(user, action, objects[target]) is (name in allowed), (name, action, target)
