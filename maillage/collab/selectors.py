"""Reads of the network's life: one `<record>_visible_to(user)` per record kind.

Pages, the API, the iCalendar feeds and the exports all start from these, so "who may see this"
is answered once. `user` may be anonymous: then only what the network made public.
"""

from django.db.models import Exists, OuterRef, Prefetch, Q, Sum

from maillage.accounts.rules import collab_groups_of, collab_network_ids, roles_of

from .models import (
    Action,
    ActionStatus,
    AgendaItem,
    Audience,
    Budget,
    Event,
    GroupMember,
    Meeting,
    MemberStatus,
    Minutes,
    MinutesStatus,
    WorkingGroup,
)


def _active_group_ids(user) -> set[int]:
    return {g for g, (_role, status) in collab_groups_of(user).items() if status == "active"}


def group_visible_to(user):
    """Groups of the user's networks (coordinators see all of theirs), public groups for all."""
    networks = collab_network_ids(user)
    return WorkingGroup.objects.filter(
        Q(is_public=True) | Q(network_id__in=networks) | Q(pk__in=_active_group_ids(user))
    ).select_related("network")


def group_internals_visible_to(user):
    """Groups whose internals (members, agenda, draft minutes, actions) the user reads: active
    members, and the coordinators of the group's network."""
    return WorkingGroup.objects.filter(
        Q(pk__in=_active_group_ids(user)) | Q(network_id__in=roles_of(user).coordinator_of)
    )


def meeting_visible_to(user):
    """Meetings (date, place, agenda) of the groups whose internals the user reads; meetings of
    public groups are listed to everyone with their date only (the public calendar)."""
    return Meeting.objects.filter(
        Q(group__in=group_internals_visible_to(user))
        | Q(group__in=group_visible_to(user).filter(is_public=True))
        | Q(minutes__in=minutes_visible_to(user))
    ).select_related("group", "group__network")


def meeting_internals_visible_to(user):
    return Meeting.objects.filter(group__in=group_internals_visible_to(user)).select_related(
        "group", "group__network"
    )


def minutes_visible_to(user):
    """Published minutes for their audience; drafts and amended minutes for the group only."""
    internals = group_internals_visible_to(user)
    return Minutes.objects.filter(
        Q(meeting__group__in=internals)
        | Q(status=MinutesStatus.PUBLISHED, audience=Audience.PUBLIC)
        | Q(
            status=MinutesStatus.PUBLISHED,
            audience=Audience.NETWORK,
            meeting__group__network_id__in=collab_network_ids(user),
        )
    ).select_related("meeting", "meeting__group")


def items_of_minutes_for(user, minutes):
    """The agenda items of minutes as `user` may read them: internal items for the group only."""
    items = minutes.meeting.items.select_related("proposed_by", "carried_action__owner")
    if not group_internals_visible_to(user).filter(pk=minutes.meeting.group_id).exists():
        items = items.filter(internal=False)
    return items.prefetch_related(
        "decisions__budget_lines__budget",
        Prefetch("actions", queryset=Action.objects.select_related("owner")),
    )


def action_visible_to(user):
    return Action.objects.filter(
        Q(owner_id=getattr(user, "pk", None)) | Q(group__in=group_internals_visible_to(user))
    ).select_related("group", "owner", "item__meeting")


def my_actions(user):
    return action_visible_to(user).filter(owner_id=user.pk).order_by("status", "due_on", "pk")


def members_of(group):
    return (
        GroupMember.objects.filter(group=group)
        .select_related("user", "structure")
        .order_by("status", "user__full_name", "user__email")
    )


def next_meeting_of(meeting):
    return (
        Meeting.objects.filter(group_id=meeting.group_id, starts_at__gt=meeting.starts_at)
        .order_by("starts_at")
        .first()
    )


def open_actions_not_on(meeting):
    """The group's open actions decided before `meeting` and not yet on its agenda."""
    carried = AgendaItem.objects.filter(meeting=meeting, carried_action=OuterRef("pk"))
    return (
        Action.objects.filter(
            group_id=meeting.group_id,
            status=ActionStatus.OPEN,
            item__meeting__starts_at__lt=meeting.starts_at,
        )
        .exclude(Exists(carried))
        .select_related("owner")
    )


def event_visible_to(user):
    return Event.objects.filter(
        Q(is_public=True) | Q(network_id__in=collab_network_ids(user))
    ).select_related("network")


def budget_visible_to(user):
    """Any member of the network reads its budgets; the public reads those made public."""
    return Budget.objects.filter(
        Q(is_public=True) | Q(network_id__in=collab_network_ids(user))
    ).select_related("network", "group")


def pending_requests(group):
    return members_of(group).filter(status=MemberStatus.PENDING)


def contributions_by_structure(budget):
    return list(
        budget.contributions.values("structure__name", "kind")
        .annotate(total=Sum("amount"))
        .order_by("structure__name", "kind")
    )


# --- Pooling ------------------------------------------------------------------------------------


def pooling_visible_to(user):
    """Offers and needs are shared within the network: its members read them."""
    from .models import PoolingEntry

    return (
        PoolingEntry.objects.filter(network_id__in=collab_network_ids(user))
        .select_related("structure", "network")
        .prefetch_related("shares__structure")
    )


def matches_for(entry, user):
    """The open entries of the other direction, same kind, same network, other structures."""
    from .models import PoolingDirection

    other = (
        PoolingDirection.NEED
        if entry.direction == PoolingDirection.OFFER
        else PoolingDirection.OFFER
    )
    return (
        pooling_visible_to(user)
        .filter(network_id=entry.network_id, kind=entry.kind, direction=other, is_open=True)
        .exclude(structure_id=entry.structure_id)
    )


def arrangement_visible_to(user):
    from .models import Arrangement

    return Arrangement.objects.filter(
        offer__network_id__in=collab_network_ids(user)
    ).select_related("offer__structure", "need__structure")


def decisions_of(group):
    """The group's decisions, newest meeting first, each with its meeting, its item and the
    budget lines it approved (the timeline of the group's page, for those who read its
    internals)."""
    from .models import Decision

    return (
        Decision.objects.filter(item__meeting__group=group)
        .select_related("item__meeting")
        .prefetch_related("budget_lines__budget")
        .order_by("-item__meeting__starts_at", "-pk")
    )
