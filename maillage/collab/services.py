"""Every write of the network's life: keyword-only arguments, one transaction, translated
ValidationErrors (nothing saved when one is raised)."""

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from maillage.accounts.rules import can, forget_collab_groups
from maillage.core.states import move, started

from . import notify, selectors
from .models import (
    Action,
    ActionStatus,
    AgendaItem,
    Attendance,
    AttendanceStatus,
    Audience,
    Budget,
    BudgetLine,
    CalendarToken,
    Contribution,
    Decision,
    Event,
    EventDocument,
    GroupMember,
    JoinPolicy,
    Meeting,
    MemberRole,
    MemberStatus,
    Minutes,
    MinutesStatus,
    Representative,
    WorkingGroup,
)
from .states import MINUTES

# --- Groups -------------------------------------------------------------------------------------


@transaction.atomic
def create_group(
    *,
    network,
    name: str,
    facilitator,
    facilitator_structure=None,
    purpose: str = "",
    public_description: str = "",
    is_public: bool = False,
    join_policy: str = JoinPolicy.BY_REQUEST,
) -> WorkingGroup:
    group = WorkingGroup(
        network=network,
        name=name,
        purpose=purpose,
        public_description=public_description,
        is_public=is_public,
        join_policy=join_policy,
    )
    group.full_clean()
    group.save()
    GroupMember.objects.create(
        group=group,
        user=facilitator,
        structure=facilitator_structure,
        role=MemberRole.FACILITATOR,
        status=MemberStatus.ACTIVE,
    )
    forget_collab_groups(facilitator)
    return group


@transaction.atomic
def update_group(
    *,
    group: WorkingGroup,
    by,
    name: str,
    purpose: str = "",
    public_description: str = "",
    is_public: bool = False,
    join_policy: str = JoinPolicy.BY_REQUEST,
) -> WorkingGroup:
    """The group's facilitators change its name, purpose, public description and joining."""
    if not can(by, "collab_facilitate_group", group):
        raise PermissionDenied
    group.name, group.purpose, group.public_description = name, purpose, public_description
    group.is_public, group.join_policy = is_public, join_policy
    group.full_clean()
    group.save()
    return group


@transaction.atomic
def request_to_join(*, group: WorkingGroup, user, structure=None) -> GroupMember:
    """Open groups take the user at once; the others wait for a facilitator."""
    if not can(user, "collab_join_group", group):
        raise ValidationError(_("You cannot join this group."), code="cannot_join")
    if (
        structure is not None
        and not user.structure_memberships.filter(structure=structure).exists()
    ):
        raise ValidationError(_("You do not work in this structure."), code="not_your_structure")
    if structure is None:
        membership = user.structure_memberships.filter(structure__networks=group.network_id).first()
        structure = membership.structure if membership else None
    status = MemberStatus.ACTIVE if group.join_policy == JoinPolicy.OPEN else MemberStatus.PENDING
    member = GroupMember.objects.create(group=group, user=user, structure=structure, status=status)
    forget_collab_groups(user)
    if status == MemberStatus.PENDING:
        notify.join_requested(member)
    return member


@transaction.atomic
def approve_join_request(*, member: GroupMember, by) -> GroupMember:
    if not can(by, "collab_facilitate_group", member.group):
        raise PermissionDenied
    if member.status != MemberStatus.PENDING:
        raise ValidationError(_("This request was already answered."), code="answered")
    member.status = MemberStatus.ACTIVE
    member.save(update_fields=["status"])
    forget_collab_groups(member.user)
    notify.join_approved(member)
    return member


@transaction.atomic
def decline_join_request(*, member: GroupMember, by) -> None:
    """A facilitator declines a request to join: the request goes, the person may ask again."""
    if not can(by, "collab_facilitate_group", member.group):
        raise PermissionDenied
    if member.status != MemberStatus.PENDING:
        raise ValidationError(_("This request was already answered."), code="answered")
    member.delete()
    forget_collab_groups(member.user)


# --- Meetings -----------------------------------------------------------------------------------


def _carry_open_actions(meeting: Meeting) -> list[AgendaItem]:
    """Put the group's open actions decided before `meeting` on its agenda (once each)."""
    position = (meeting.items.order_by("-position").values_list("position", flat=True).first()) or 0
    items = []
    for action in selectors.open_actions_not_on(meeting):
        position += 1
        items.append(
            AgendaItem(
                meeting=meeting,
                title=_("Follow-up: %(action)s") % {"action": action.title},
                description=_("Owner: %(owner)s, due %(due)s")
                % {
                    "owner": action.owner.full_name or action.owner.email,
                    "due": action.due_on.strftime("%d/%m/%Y"),
                },
                position=position,
                carried_action=action,
            )
        )
    return AgendaItem.objects.bulk_create(items)


@transaction.atomic
def plan_meeting(
    *,
    group: WorkingGroup,
    starts_at: datetime.datetime,
    by,
    ends_at: datetime.datetime | None = None,
    title: str = "",
    place: str = "",
    video_url: str = "",
) -> Meeting:
    if not can(by, "collab_facilitate_group", group):
        raise PermissionDenied
    if not place and not video_url:
        raise ValidationError({"place": _("Give a place or a video link.")}, code="place_or_video")
    meeting = Meeting(
        group=group,
        title=title,
        starts_at=starts_at,
        ends_at=ends_at,
        place=place,
        video_url=video_url,
    )
    meeting.full_clean()
    meeting.save()
    minutes = Minutes.objects.create(meeting=meeting, status=MinutesStatus.DRAFT)
    started(MINUTES, minutes, by=by)
    _carry_open_actions(meeting)
    return meeting


@transaction.atomic
def update_meeting(
    *,
    meeting: Meeting,
    starts_at: datetime.datetime,
    by,
    ends_at: datetime.datetime | None = None,
    title: str = "",
    place: str = "",
    video_url: str = "",
) -> Meeting:
    """Reschedule or move a meeting; open actions decided before its new date join its agenda."""
    if not can(by, "collab_facilitate_group", meeting.group):
        raise PermissionDenied
    if not place and not video_url:
        raise ValidationError({"place": _("Give a place or a video link.")}, code="place_or_video")
    meeting.title, meeting.starts_at, meeting.ends_at = title, starts_at, ends_at
    meeting.place, meeting.video_url = place, video_url
    meeting.full_clean()
    meeting.save()
    _carry_open_actions(meeting)
    return meeting


@transaction.atomic
def propose_agenda_item(
    *, meeting: Meeting, title: str, by, description: str = "", internal: bool = False
) -> AgendaItem:
    if not can(by, "collab_view_group_internals", meeting.group):
        raise PermissionDenied
    if meeting.starts_at <= timezone.now():
        raise ValidationError(
            _("Agenda items are proposed before the meeting."), code="meeting_started"
        )
    title = title.strip()
    if not title:
        raise ValidationError({"title": _("Give the item a title.")}, code="required")
    last = meeting.items.order_by("-position").values_list("position", flat=True).first() or 0
    item = AgendaItem(
        meeting=meeting,
        title=title,
        description=description,
        internal=internal,
        proposed_by=by,
        position=last + 1,
    )
    item.full_clean()
    item.save()
    return item


@transaction.atomic
def record_attendance(*, meeting: Meeting, user, status: str, by, structure=None) -> Attendance:
    if not can(by, "collab_write_minutes", meeting):
        raise PermissionDenied
    if status not in AttendanceStatus.values:
        raise ValidationError({"status": _("Choose present or excused.")}, code="invalid")
    if structure is None:
        member = GroupMember.objects.filter(group=meeting.group, user=user).first()
        structure = member.structure if member else None
    attendance, _created = Attendance.objects.update_or_create(
        meeting=meeting, user=user, defaults={"status": status, "structure": structure}
    )
    return attendance


def _writable_minutes(meeting: Meeting, by) -> Minutes:
    if not can(by, "collab_write_minutes", meeting):
        raise PermissionDenied
    return meeting.minutes


@transaction.atomic
def write_item_minutes(*, item: AgendaItem, text: str, by) -> AgendaItem:
    _writable_minutes(item.meeting, by)
    item.minutes = text
    item.save(update_fields=["minutes"])
    return item


@transaction.atomic
def record_decision(*, item: AgendaItem, text: str, method: str, by) -> Decision:
    _writable_minutes(item.meeting, by)
    decision = Decision(item=item, text=text.strip(), method=method)
    decision.full_clean()
    decision.save()
    return decision


@transaction.atomic
def record_action(*, item: AgendaItem, title: str, owner, due_on: datetime.date, by) -> Action:
    """An action has exactly one owner, a member of the group; it goes onto the agenda of the
    group's next meeting at once if that meeting is already planned."""
    meeting = item.meeting
    _writable_minutes(meeting, by)
    if owner is None:
        raise ValidationError({"owner": _("An action needs an owner.")}, code="no_owner")
    if not GroupMember.objects.filter(
        group=meeting.group, user=owner, status=MemberStatus.ACTIVE
    ).exists():
        raise ValidationError(
            {"owner": _("The owner must be a member of the group.")}, code="owner_not_member"
        )
    if due_on is None:
        raise ValidationError({"due_on": _("An action needs a due date.")}, code="no_due_date")
    action = Action(item=item, group=meeting.group, title=title.strip(), owner=owner, due_on=due_on)
    action.full_clean()
    action.save()
    notify.action_assigned(action, by)
    following = selectors.next_meeting_of(meeting)
    if following is not None:
        _carry_open_actions(following)
    return action


@transaction.atomic
def set_action_status(*, action: Action, status: str, by) -> Action:
    if by.pk != action.owner_id and not can(by, "collab_facilitate_group", action.group):
        raise PermissionDenied
    if status not in ActionStatus.values:
        raise ValidationError({"status": _("Unknown status.")}, code="invalid")
    action.status = status
    action.save(update_fields=["status"])
    return action


@transaction.atomic
def move_minutes(*, minutes: Minutes, to_status: str, by, audience: str | None = None, note=""):
    """Attendees (present) amend; the facilitator publishes, to the group, network or public."""
    meeting = minutes.meeting
    if to_status == MinutesStatus.PUBLISHED:
        if not can(by, "collab_write_minutes", meeting):
            raise PermissionDenied
        if audience is not None:
            if audience not in Audience.values:
                raise ValidationError({"audience": _("Unknown audience.")}, code="invalid")
            minutes.audience = audience
        minutes.published_at = timezone.now()
    else:
        present = meeting.attendances.filter(user=by, status=AttendanceStatus.PRESENT).exists()
        if not (present or can(by, "collab_write_minutes", meeting)):
            raise ValidationError(_("Only the attendees amend the minutes."), code="not_attendee")
    move(
        MINUTES,
        minutes,
        to_status,
        by=by,
        note=note,
        update_fields=["audience", "published_at"],
    )
    if to_status == MinutesStatus.PUBLISHED:
        notify.minutes_published(minutes, by)
    return minutes


@transaction.atomic
def amend_minutes(*, minutes: Minutes, summary: str, by, note: str = "") -> Minutes:
    """An attendee's amendment: the summary is replaced and the minutes become "amended"."""
    minutes.summary = summary
    minutes.save(update_fields=["summary"])
    return move_minutes(minutes=minutes, to_status=MinutesStatus.AMENDED, by=by, note=note)


def send_invitations(*, meeting: Meeting, by, base_url: str = "") -> int:
    """E-mail the active members an invitation with the meeting as an .ics attachment."""
    from .invitations import send_meeting_invitations

    if not can(by, "collab_facilitate_group", meeting.group):
        raise PermissionDenied
    if meeting.starts_at <= timezone.now():
        raise ValidationError(
            _("Invitations cannot be sent for a meeting in the past."), code="meeting_past"
        )
    with transaction.atomic():
        sent = send_meeting_invitations(meeting=meeting, base_url=base_url)
        Meeting.objects.filter(pk=meeting.pk).update(invitations_sent_at=timezone.now())
    return sent


def send_action_reminders(*, today: datetime.date, days_before: int = 3, base_url: str = "") -> int:
    """Remind each owner of their open actions due within `days_before` days (once per action).

    The owner's notification preference (pathways.NotificationPreference) is followed: with
    the daily digest, one e-mail lists all their actions due; otherwise one e-mail per action.
    Returns the number of actions reminded.
    """
    from maillage.pathways.models import NotificationPreference

    from .invitations import send_action_digest, send_action_reminder

    due = Action.objects.filter(
        status=ActionStatus.OPEN,
        reminded_at__isnull=True,
        due_on__lte=today + datetime.timedelta(days=days_before),
        owner__is_active=True,
    ).select_related("owner", "group")
    by_owner: dict[int, list[Action]] = {}
    for action in due:
        by_owner.setdefault(action.owner_id, []).append(action)
    digest = set(
        NotificationPreference.objects.filter(user_id__in=by_owner, daily_digest=True).values_list(
            "user_id", flat=True
        )
    )
    count = 0
    for owner_id, actions in by_owner.items():
        with transaction.atomic():
            if owner_id in digest:
                send_action_digest(actions=actions, base_url=base_url)
            else:
                for action in actions:
                    send_action_reminder(action=action, base_url=base_url)
            Action.objects.filter(pk__in=[a.pk for a in actions]).update(reminded_at=timezone.now())
        count += len(actions)
    return count


# --- Calendar feed keys -------------------------------------------------------------------------


@transaction.atomic
def renew_calendar_token(*, user) -> CalendarToken:
    """A new secret URL for the user's feed; the former one stops answering."""
    CalendarToken.objects.filter(user=user).delete()
    return CalendarToken.objects.create(user=user)


@transaction.atomic
def revoke_calendar_token(*, user) -> None:
    CalendarToken.objects.filter(user=user).delete()


# --- Events and representation ------------------------------------------------------------------


@transaction.atomic
def plan_event(
    *, network, title, kind, starts_at, by, ends_at=None, place="", description="", is_public=True
) -> Event:
    if not can(by, "collab_manage_network_life", network):
        raise PermissionDenied
    event = Event(
        network=network,
        title=title,
        kind=kind,
        starts_at=starts_at,
        ends_at=ends_at,
        place=place,
        description=description,
        is_public=is_public,
    )
    event.full_clean()
    event.save()
    return event


@transaction.atomic
def add_representative(*, event: Event, user, structures, by, slot: str = "") -> Representative:
    """Someone stands for the network and for structures of the network."""
    if not can(by, "collab_manage_network_life", event.network):
        raise PermissionDenied
    if not people_of_network(event.network).filter(pk=user.pk).exists():
        raise ValidationError(
            {"user": _("%(name)s does not work in the network.") % {"name": user}},
            code="outside_network",
        )
    structures = list(structures)
    if not structures:
        raise ValidationError(
            {"structures": _("Name at least one structure represented.")}, code="required"
        )
    outside = [s for s in structures if not s.networks.filter(pk=event.network_id).exists()]
    if outside:
        raise ValidationError(
            {"structures": _("%(name)s is not a member of the network.") % {"name": outside[0]}},
            code="outside_network",
        )
    representative, _created = Representative.objects.update_or_create(
        event=event, user=user, defaults={"slot": slot}
    )
    representative.structures.set(structures)
    return representative


@transaction.atomic
def update_event(
    *,
    event: Event,
    title,
    kind,
    starts_at,
    by,
    ends_at=None,
    place="",
    description="",
    is_public=True,
) -> Event:
    if not can(by, "collab_manage_network_life", event.network):
        raise PermissionDenied
    event.title, event.kind, event.starts_at, event.ends_at = title, kind, starts_at, ends_at
    event.place, event.description, event.is_public = place, description, is_public
    event.full_clean()
    event.save()
    return event


def people_of_network(network):
    """Who may stand for the network: the staff of its structures and its coordinators (not its
    funders)."""
    from django.contrib.auth import get_user_model
    from django.db.models import Q

    from maillage.accounts.models import NetworkRoleKind

    return (
        get_user_model()
        .objects.filter(
            Q(structure_memberships__structure__networks=network)
            | Q(network_roles__network=network, network_roles__role=NetworkRoleKind.COORDINATOR),
            is_active=True,
        )
        .distinct()
        .order_by("full_name", "email")
    )


@transaction.atomic
def remove_representative(*, representative: Representative, by) -> None:
    if not can(by, "collab_manage_network_life", representative.event.network):
        raise PermissionDenied
    representative.delete()


@transaction.atomic
def add_event_document(*, event: Event, title: str, by, url: str = "") -> EventDocument:
    if not can(by, "collab_manage_network_life", event.network):
        raise PermissionDenied
    document = EventDocument(event=event, title=title.strip(), url=url)
    document.full_clean()
    document.save()
    return document


@transaction.atomic
def remove_event_document(*, document: EventDocument, by) -> None:
    if not can(by, "collab_manage_network_life", document.event.network):
        raise PermissionDenied
    document.delete()


# --- Budgets ------------------------------------------------------------------------------------


@transaction.atomic
def create_budget(
    *, network, year: int, title: str, by, group=None, currency="EUR", is_public=False
) -> Budget:
    budget = Budget(
        network=network,
        group=group,
        year=year,
        title=title,
        currency=currency.strip().upper(),
        is_public=is_public,
    )
    if not can(by, "collab_manage_budget", budget):
        raise PermissionDenied
    budget.full_clean()
    budget.save()
    return budget


def _amount(value) -> str:
    """An amount as the reader writes it (1 100,00 in French)."""
    from django.utils.formats import number_format

    return number_format(value, decimal_pos=2, use_l10n=True, force_grouping=True)


def _check_line_fits(line: BudgetLine) -> None:
    """A line's sub-lines never plan more than the line itself."""
    if line.parent_id is not None:
        parent = BudgetLine.objects.select_for_update().get(pk=line.parent_id)
        if parent.budget_id != line.budget_id:
            raise ValidationError({"parent": _("The parent line belongs to another budget.")})
        siblings = parent.children.exclude(pk=line.pk).aggregate(total=Sum("planned"))[
            "total"
        ] or Decimal(0)
        if siblings + line.planned > parent.planned:
            raise ValidationError(
                {
                    "planned": _(
                        "The sub-lines of “%(parent)s” would plan %(total)s, more than its "
                        "%(planned)s."
                    )
                    % {
                        "parent": parent.label,
                        "total": _amount(siblings + line.planned),
                        "planned": _amount(parent.planned),
                    }
                },
                code="exceeds_parent",
            )
    if line.pk:
        children = line.children.aggregate(total=Sum("planned"))["total"] or Decimal(0)
        if children > line.planned:
            raise ValidationError(
                {
                    "planned": _("The sub-lines of this line already plan %(total)s.")
                    % {"total": _amount(children)}
                },
                code="below_children",
            )


@transaction.atomic
def save_budget_line(
    *,
    budget: Budget,
    code: str,
    label: str,
    by,
    planned=0,
    committed=0,
    actual=0,
    parent: BudgetLine | None = None,
    decision: Decision | None = None,
    line: BudgetLine | None = None,
    check_permission: bool = True,
) -> BudgetLine:
    """Create or update a line of the budget: `line` when given (its code may change), else the
    line of this code, else a new one."""
    if check_permission and not can(by, "collab_manage_budget", budget):
        raise PermissionDenied
    if line is not None:
        if line.budget_id != budget.pk:
            raise PermissionDenied
        line.code = code
    else:
        line = BudgetLine.objects.filter(budget=budget, code=code).first() or BudgetLine(
            budget=budget, code=code
        )
    if parent is not None and line.pk is not None:
        ancestor = parent
        while ancestor is not None:
            if ancestor.pk == line.pk:
                raise ValidationError(
                    {"parent": _("A line cannot be placed under itself or its own sub-lines.")},
                    code="cycle",
                )
            ancestor = ancestor.parent
    line.label = label
    line.planned, line.committed, line.actual = (
        Decimal(str(planned or 0)),
        Decimal(str(committed or 0)),
        Decimal(str(actual or 0)),
    )
    line.parent = parent
    line.decision = decision
    if decision is not None and decision.item.meeting.group.network_id != budget.network_id:
        raise ValidationError({"decision": _("The decision was taken in another network.")})
    line.full_clean()
    _check_line_fits(line)
    line.save()
    return line


@transaction.atomic
def add_contribution(
    *,
    budget: Budget,
    structure,
    kind: str,
    amount,
    by,
    currency: str | None = None,
    quantity=None,
    description: str = "",
    contribution: Contribution | None = None,
    check_permission: bool = True,
) -> Contribution:
    """Record what a structure brings (or change `contribution`), in the budget's currency."""
    if check_permission and not can(by, "collab_manage_budget", budget):
        raise PermissionDenied
    if contribution is not None and contribution.budget_id != budget.pk:
        raise PermissionDenied
    currency = (currency or budget.currency).upper()
    if currency != budget.currency:
        raise ValidationError(
            {
                "currency": _(
                    "This budget is kept in %(currency)s; convert the contribution first."
                )
                % {"currency": budget.currency}
            },
            code="other_currency",
        )
    if not structure.networks.filter(pk=budget.network_id).exists():
        raise ValidationError(
            {"structure": _("%(name)s is not a member of the network.") % {"name": structure}},
            code="outside_network",
        )
    contribution = contribution or Contribution(budget=budget)
    contribution.structure = structure
    contribution.kind = kind
    contribution.amount = Decimal(str(amount))
    contribution.currency = currency
    contribution.quantity = quantity
    contribution.description = description
    contribution.full_clean()
    contribution.save()
    return contribution


@transaction.atomic
def update_budget(*, budget: Budget, title: str, year: int, by, is_public: bool = False) -> Budget:
    """The budget's title, year, and whether the public may read it (the network's choice)."""
    if not can(by, "collab_manage_budget", budget):
        raise PermissionDenied
    budget.title, budget.year, budget.is_public = title, year, is_public
    budget.full_clean()
    budget.save()
    return budget


@transaction.atomic
def delete_budget_line(*, line: BudgetLine, by) -> None:
    """A line goes with its sub-lines."""
    if not can(by, "collab_manage_budget", line.budget):
        raise PermissionDenied
    line.delete()


@transaction.atomic
def delete_contribution(*, contribution: Contribution, by) -> None:
    if not can(by, "collab_manage_budget", contribution.budget):
        raise PermissionDenied
    contribution.delete()


# --- Pooling ------------------------------------------------------------------------------------


@transaction.atomic
def post_pooling_entry(
    *, network, structure, direction: str, kind: str, title: str, by, description: str = ""
):
    from .models import PoolingEntry

    if not can(by, "collab_pool_for_structure", structure):
        raise PermissionDenied
    if not structure.networks.filter(pk=network.pk).exists():
        raise ValidationError(
            {"structure": _("%(name)s is not a member of the network.") % {"name": structure}}
        )
    entry = PoolingEntry(
        network=network,
        structure=structure,
        direction=direction,
        kind=kind,
        title=title,
        description=description,
    )
    entry.full_clean()
    entry.save()
    return entry


@transaction.atomic
def set_job_shares(*, entry, shares, by, description: str | None = None):
    """The share of a shared job post each structure carries; 100 % at most in all. With
    `description`, the post's description (the job description) changes too."""
    from .models import JobShare, PoolingKind

    if not can(by, "collab_pool_for_structure", entry.structure):
        raise PermissionDenied
    if entry.kind != PoolingKind.JOB_POST:
        raise ValidationError(_("Only a shared job post is shared between structures."))
    if description is not None:
        entry.description = description.strip()
        entry.full_clean()
        entry.save(update_fields=["description"])
    shares = list(shares)
    if sum(percent for _structure, percent in shares) > 100:
        raise ValidationError(
            {"shares": _("The shares of a job post cannot exceed 100 %.")}, code="over_100"
        )
    for structure, _percent in shares:
        if not structure.networks.filter(pk=entry.network_id).exists():
            raise ValidationError(
                {"shares": _("%(name)s is not a member of the network.") % {"name": structure}}
            )
    entry.shares.all().delete()
    JobShare.objects.bulk_create(
        [
            JobShare(entry=entry, structure=structure, percent=percent)
            for structure, percent in shares
        ]
    )
    return entry


@transaction.atomic
def arrange(*, offer, need, starts_on, terms: str, by, ends_on=None):
    """An offer meets a need of the same kind in the same network; both leave the open lists."""
    from .models import Arrangement, PoolingDirection, PoolingEntry

    # Read both again, locked: two arrangements of the same entry cannot both pass.
    locked = PoolingEntry.objects.select_for_update().in_bulk([offer.pk, need.pk])
    offer, need = locked[offer.pk], locked[need.pk]
    if not (
        can(by, "collab_pool_for_structure", offer.structure)
        or can(by, "collab_pool_for_structure", need.structure)
    ):
        raise PermissionDenied
    if offer.direction != PoolingDirection.OFFER or need.direction != PoolingDirection.NEED:
        raise ValidationError(_("An arrangement joins an offer and a need."))
    if offer.network_id != need.network_id or offer.kind != need.kind:
        raise ValidationError(_("The offer and the need must be of the same kind and network."))
    if offer.structure_id == need.structure_id:
        raise ValidationError(_("A structure does not arrange with itself."))
    if not (offer.is_open and need.is_open):
        raise ValidationError(_("This offer or need is already arranged."))
    arrangement = Arrangement(
        offer=offer, need=need, starts_on=starts_on, ends_on=ends_on, terms=terms.strip()
    )
    arrangement.full_clean()
    arrangement.save()
    type(offer).objects.filter(pk__in=[offer.pk, need.pk]).update(is_open=False)
    return arrangement
