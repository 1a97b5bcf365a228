"""The network's life (issue 22): working groups, meetings and their minutes, decisions and owned
actions, public events and who represents the network there, budgets readable by all.

Writes go through `services`, reads through `selectors` (one `<record>_visible_to(user)` per
record kind), state changes of minutes through `states.MINUTES`.
"""

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class JoinPolicy(models.TextChoices):
    OPEN = "open", _("Open: members join at once")
    BY_REQUEST = "request", _("By request: a facilitator approves")


class MemberRole(models.TextChoices):
    FACILITATOR = "facilitator", _("Facilitator")
    MEMBER = "member", _("Member")


class MemberStatus(models.TextChoices):
    PENDING = "pending", _("Request pending")
    ACTIVE = "active", _("Member")


class WorkingGroup(models.Model):
    """A working group of a network (thematic or territorial)."""

    uuid = models.UUIDField(_("stable identifier"), default=uuid.uuid4, unique=True, editable=False)
    network = models.ForeignKey(
        "directory.Network",
        on_delete=models.CASCADE,
        related_name="working_groups",
        verbose_name=_("network"),
    )
    name = models.CharField(_("name"), max_length=200)
    purpose = models.TextField(_("purpose"), blank=True)
    public_description = models.TextField(
        _("public description"),
        blank=True,
        help_text=_("Shown to visitors when the group is public."),
    )
    is_public = models.BooleanField(_("shown on the public site"), default=False)
    join_policy = models.CharField(
        _("joining"), max_length=10, choices=JoinPolicy.choices, default=JoinPolicy.BY_REQUEST
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("working group")
        verbose_name_plural = _("working groups")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["network", "name"],
                name="collab_group_name_unique",
                violation_error_message=_("This network already has a group of this name."),
            ),
            models.CheckConstraint(
                condition=models.Q(join_policy__in=JoinPolicy.values),
                name="collab_group_join_policy_valid",
            ),
        ]

    def __str__(self):
        return self.name


class GroupMember(models.Model):
    """A user in a working group, with the structure they come from."""

    group = models.ForeignKey(
        WorkingGroup, on_delete=models.CASCADE, related_name="members", verbose_name=_("group")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="group_memberships",
        verbose_name=_("user"),
    )
    structure = models.ForeignKey(
        "directory.Structure",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("structure"),
    )
    role = models.CharField(
        _("role"), max_length=12, choices=MemberRole.choices, default=MemberRole.MEMBER
    )
    status = models.CharField(
        _("status"), max_length=10, choices=MemberStatus.choices, default=MemberStatus.ACTIVE
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("group member")
        verbose_name_plural = _("group members")
        ordering = ["group", "user__full_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["group", "user"],
                name="collab_member_once",
                violation_error_message=_("This person is already in the group."),
            ),
            models.CheckConstraint(
                condition=models.Q(role__in=MemberRole.values)
                & models.Q(status__in=MemberStatus.values),
                name="collab_member_role_status_valid",
            ),
        ]

    def __str__(self):
        return f"{self.user} · {self.group}"


class Meeting(models.Model):
    uuid = models.UUIDField(_("stable identifier"), default=uuid.uuid4, unique=True, editable=False)
    group = models.ForeignKey(
        WorkingGroup, on_delete=models.CASCADE, related_name="meetings", verbose_name=_("group")
    )
    title = models.CharField(_("title"), max_length=200, blank=True)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=255, blank=True)
    video_url = models.URLField(_("video link"), blank=True)
    invitations_sent_at = models.DateTimeField(_("invitations sent at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__isnull=True)
                | models.Q(ends_at__gt=models.F("starts_at")),
                name="collab_meeting_ends_after_start",
                violation_error_message=_("A meeting cannot end before it starts."),
            ),
        ]

    def __str__(self):
        return self.title or f"{self.group} ({self.starts_at:%d/%m/%Y})"


class AgendaItem(models.Model):
    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="items", verbose_name=_("meeting")
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("proposed by"),
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    minutes = models.TextField(_("minutes of this item"), blank=True)
    internal = models.BooleanField(
        _("internal"),
        default=False,
        help_text=_("Internal items never leave the group, even in published minutes."),
    )
    # An open action carried forward from an earlier meeting.
    carried_action = models.ForeignKey(
        "Action",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="carried_onto",
        verbose_name=_("action carried forward"),
    )

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        ordering = ["meeting", "position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "carried_action"],
                name="collab_item_carried_once",
            ),
        ]

    def __str__(self):
        return self.title


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", _("Present")
    EXCUSED = "excused", _("Excused")


class Attendance(models.Model):
    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="attendances", verbose_name=_("meeting")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("person"),
    )
    structure = models.ForeignKey(
        "directory.Structure",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("structure"),
    )
    status = models.CharField(_("attendance"), max_length=10, choices=AttendanceStatus.choices)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendances")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "user"], name="collab_attendance_once"),
            models.CheckConstraint(
                condition=models.Q(status__in=AttendanceStatus.values),
                name="collab_attendance_status_valid",
            ),
        ]

    def __str__(self):
        return f"{self.user} · {self.get_status_display()}"


class MinutesStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    AMENDED = "amended", _("Amended by attendees")
    PUBLISHED = "published", _("Published")


class Audience(models.TextChoices):
    GROUP = "group", _("The group")
    NETWORK = "network", _("The network")
    PUBLIC = "public", _("The public")


class Minutes(models.Model):
    """The minutes of a meeting: its items' notes, decisions and actions, and their state."""

    meeting = models.OneToOneField(
        Meeting, on_delete=models.CASCADE, related_name="minutes", verbose_name=_("meeting")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=MinutesStatus.choices, default=MinutesStatus.DRAFT
    )
    audience = models.CharField(
        _("published to"), max_length=10, choices=Audience.choices, default=Audience.GROUP
    )
    summary = models.TextField(_("summary"), blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    class Meta:
        verbose_name = _("minutes")
        verbose_name_plural = _("minutes")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=MinutesStatus.values)
                & models.Q(audience__in=Audience.values),
                name="collab_minutes_status_audience_valid",
            ),
        ]

    def __str__(self):
        return str(self.meeting)


class MinutesTransition(models.Model):
    """The log of the minutes' states (core.states)."""

    minutes = models.ForeignKey(
        Minutes, on_delete=models.CASCADE, related_name="transitions", verbose_name=_("minutes")
    )
    from_status = models.CharField(_("from"), max_length=10, blank=True)
    to_status = models.CharField(_("to"), max_length=10)
    at = models.DateTimeField(_("at"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("minutes transition")
        verbose_name_plural = _("minutes transitions")
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.from_status} → {self.to_status}"


class DecisionMethod(models.TextChoices):
    CONSENSUS = "consensus", _("Consensus")
    CONSENT = "consent", _("Consent (no objection)")
    VOTE = "vote", _("Vote")
    FACILITATOR = "facilitator", _("Facilitator's decision")


class Decision(models.Model):
    item = models.ForeignKey(
        AgendaItem, on_delete=models.CASCADE, related_name="decisions", verbose_name=_("item")
    )
    text = models.TextField(_("decision"))
    method = models.CharField(_("how it was taken"), max_length=12, choices=DecisionMethod.choices)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(method__in=DecisionMethod.values),
                name="collab_decision_method_valid",
            ),
        ]

    def __str__(self):
        return self.text[:80]


class ActionStatus(models.TextChoices):
    OPEN = "open", _("To do")
    DONE = "done", _("Done")
    DROPPED = "dropped", _("Dropped")


class Action(models.Model):
    """A follow-up decided in a meeting: one owner, a due date, a status."""

    uuid = models.UUIDField(_("stable identifier"), default=uuid.uuid4, unique=True, editable=False)
    item = models.ForeignKey(
        AgendaItem, on_delete=models.CASCADE, related_name="actions", verbose_name=_("item")
    )
    group = models.ForeignKey(
        WorkingGroup, on_delete=models.CASCADE, related_name="actions", verbose_name=_("group")
    )
    title = models.CharField(_("action"), max_length=255)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="collab_actions",
        verbose_name=_("owner"),
    )
    due_on = models.DateField(_("due on"))
    status = models.CharField(
        _("status"), max_length=10, choices=ActionStatus.choices, default=ActionStatus.OPEN
    )
    reminded_at = models.DateTimeField(_("reminded at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("action")
        verbose_name_plural = _("actions")
        ordering = ["due_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=ActionStatus.values),
                name="collab_action_status_valid",
            ),
        ]

    def __str__(self):
        return self.title


class CalendarToken(models.Model):
    """The secret of a person's calendar feed URL (no login); revoked by deleting or replacing."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="calendar_token",
        verbose_name=_("user"),
    )
    key = models.CharField(_("key"), max_length=64, unique=True, default=secrets.token_urlsafe)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("calendar feed key")
        verbose_name_plural = _("calendar feed keys")

    def __str__(self):
        return str(self.user)


class EventKind(models.TextChoices):
    FAIR = "fair", _("Fair")
    FORUM = "forum", _("Forum")
    OTHER = "other", _("Other event")


class Event(models.Model):
    """An event of the network's calendar (a fair, a forum) where the network may hold a stand."""

    uuid = models.UUIDField(_("stable identifier"), default=uuid.uuid4, unique=True, editable=False)
    network = models.ForeignKey(
        "directory.Network",
        on_delete=models.CASCADE,
        related_name="collab_events",
        verbose_name=_("network"),
    )
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=EventKind.choices)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=255, blank=True)
    description = models.TextField(_("description"), blank=True)
    is_public = models.BooleanField(_("public"), default=True)

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=EventKind.values), name="collab_event_kind_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(ends_at__isnull=True)
                | models.Q(ends_at__gt=models.F("starts_at")),
                name="collab_event_ends_after_start",
                violation_error_message=_("An event cannot end before it starts."),
            ),
        ]

    def __str__(self):
        return self.title


class Representative(models.Model):
    """Someone who stands for the network at an event, and the structures they represent."""

    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="roster", verbose_name=_("event")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("person"),
    )
    structures = models.ManyToManyField(
        "directory.Structure", related_name="+", verbose_name=_("structures represented")
    )
    slot = models.CharField(_("time slot"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("representative")
        verbose_name_plural = _("representatives")
        constraints = [
            models.UniqueConstraint(fields=["event", "user"], name="collab_representative_once")
        ]

    def __str__(self):
        return f"{self.user} · {self.event}"


class EventDocument(models.Model):
    """A shared document to bring to an event (besides the network's brochure)."""

    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="documents", verbose_name=_("event")
    )
    title = models.CharField(_("title"), max_length=200)
    url = models.URLField(_("link"), blank=True)

    class Meta:
        verbose_name = _("document to bring")
        verbose_name_plural = _("documents to bring")
        ordering = ["event", "title", "pk"]

    def __str__(self):
        return self.title


class Budget(models.Model):
    """A budget of a network (or of one of its groups) for a year."""

    uuid = models.UUIDField(_("stable identifier"), default=uuid.uuid4, unique=True, editable=False)
    network = models.ForeignKey(
        "directory.Network",
        on_delete=models.CASCADE,
        related_name="collab_budgets",
        verbose_name=_("network"),
    )
    group = models.ForeignKey(
        WorkingGroup,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="budgets",
        verbose_name=_("group"),
    )
    year = models.PositiveIntegerField(_("year"))
    title = models.CharField(_("title"), max_length=200)
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    is_public = models.BooleanField(_("readable by the public"), default=False)

    class Meta:
        verbose_name = _("budget")
        verbose_name_plural = _("budgets")
        ordering = ["-year", "title"]
        constraints = [
            models.UniqueConstraint(
                fields=["network", "group", "year"],
                name="collab_budget_once_per_year",
                nulls_distinct=False,
                violation_error_message=_("A budget for this year already exists."),
            ),
        ]

    def __str__(self):
        return f"{self.title} {self.year}"


class BudgetLine(models.Model):
    budget = models.ForeignKey(
        Budget, on_delete=models.CASCADE, related_name="lines", verbose_name=_("budget")
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent line"),
    )
    code = models.CharField(_("code"), max_length=20)
    label = models.CharField(_("label"), max_length=200)
    planned = models.DecimalField(_("planned"), max_digits=12, decimal_places=2, default=0)
    committed = models.DecimalField(_("committed"), max_digits=12, decimal_places=2, default=0)
    actual = models.DecimalField(_("actual"), max_digits=12, decimal_places=2, default=0)
    decision = models.ForeignKey(
        Decision,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="budget_lines",
        verbose_name=_("approved by"),
    )

    class Meta:
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")
        ordering = ["budget", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["budget", "code"],
                name="collab_line_code_unique",
                violation_error_message=_("Two lines of a budget cannot share a code."),
            ),
            models.CheckConstraint(
                condition=models.Q(planned__gte=0)
                & models.Q(committed__gte=0)
                & models.Q(actual__gte=0),
                name="collab_line_amounts_positive",
                violation_error_message=_("Amounts cannot be negative."),
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.label}"


class ContributionKind(models.TextChoices):
    MONEY = "money", _("Money")
    STAFF_DAYS = "staff_days", _("Staff days")
    PREMISES = "premises", _("Premises")
    MATERIAL = "material", _("Material")


class Contribution(models.Model):
    """What a structure brings to a budget, valued in the budget's currency."""

    budget = models.ForeignKey(
        Budget, on_delete=models.CASCADE, related_name="contributions", verbose_name=_("budget")
    )
    structure = models.ForeignKey(
        "directory.Structure",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("structure"),
    )
    kind = models.CharField(_("kind"), max_length=12, choices=ContributionKind.choices)
    amount = models.DecimalField(_("value"), max_digits=12, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    quantity = models.DecimalField(
        _("quantity (days)"), max_digits=8, decimal_places=1, null=True, blank=True
    )
    description = models.CharField(_("description"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("contribution")
        verbose_name_plural = _("contributions")
        ordering = ["budget", "structure__name", "kind"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=ContributionKind.values),
                name="collab_contribution_kind_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(amount__gte=0),
                name="collab_contribution_amount_positive",
                violation_error_message=_("Amounts cannot be negative."),
            ),
        ]

    def __str__(self):
        return f"{self.structure} · {self.get_kind_display()}"


# --- Pooling (mutualisation) ----------------------------------------------------------------------


class PoolingDirection(models.TextChoices):
    OFFER = "offer", _("Offer")
    NEED = "need", _("Need")


class PoolingKind(models.TextChoices):
    STAFF_TIME = "staff_time", _("Staff time")
    PREMISES = "premises", _("Premises")
    EQUIPMENT = "equipment", _("Equipment")
    SKILLS = "skills", _("Skills")
    JOB_POST = "job_post", _("Shared job post")


class PoolingEntry(models.Model):
    """What a structure offers to, or needs from, the other structures of its network."""

    uuid = models.UUIDField(_("stable identifier"), default=uuid.uuid4, unique=True, editable=False)
    network = models.ForeignKey(
        "directory.Network",
        on_delete=models.CASCADE,
        related_name="pooling_entries",
        verbose_name=_("network"),
    )
    structure = models.ForeignKey(
        "directory.Structure",
        on_delete=models.CASCADE,
        related_name="pooling_entries",
        verbose_name=_("structure"),
    )
    direction = models.CharField(_("offer or need"), max_length=6, choices=PoolingDirection.choices)
    kind = models.CharField(_("kind"), max_length=12, choices=PoolingKind.choices)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    is_open = models.BooleanField(_("open"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("pooling entry")
        verbose_name_plural = _("pooling entries")
        ordering = ["kind", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(direction__in=PoolingDirection.values)
                & models.Q(kind__in=PoolingKind.values),
                name="collab_pooling_direction_kind_valid",
            ),
        ]

    def __str__(self):
        return self.title


class JobShare(models.Model):
    """The share of a shared job post that a structure carries (in percent of the post)."""

    entry = models.ForeignKey(
        PoolingEntry, on_delete=models.CASCADE, related_name="shares", verbose_name=_("job post")
    )
    structure = models.ForeignKey(
        "directory.Structure",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("structure"),
    )
    percent = models.PositiveSmallIntegerField(_("share (%)"))

    class Meta:
        verbose_name = _("job share")
        verbose_name_plural = _("job shares")
        constraints = [
            models.UniqueConstraint(fields=["entry", "structure"], name="collab_jobshare_once"),
            models.CheckConstraint(
                condition=models.Q(percent__gte=1) & models.Q(percent__lte=100),
                name="collab_jobshare_percent_range",
            ),
        ]

    def __str__(self):
        return f"{self.structure} {self.percent} %"


class Arrangement(models.Model):
    """An offer meets a need: the parties, the dates and the terms."""

    offer = models.ForeignKey(
        PoolingEntry,
        on_delete=models.CASCADE,
        related_name="arrangements_offered",
        verbose_name=_("offer"),
    )
    need = models.ForeignKey(
        PoolingEntry,
        on_delete=models.CASCADE,
        related_name="arrangements_needed",
        verbose_name=_("need"),
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    terms = models.TextField(_("terms"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("arrangement")
        verbose_name_plural = _("arrangements")
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__isnull=True)
                | models.Q(ends_on__gte=models.F("starts_on")),
                name="collab_arrangement_ends_after_start",
                violation_error_message=_("An arrangement cannot end before it starts."),
            ),
        ]

    def __str__(self):
        return f"{self.offer} → {self.need}"
