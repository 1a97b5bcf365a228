"""Pathway tracking: persons, projects, consents, applications, referrals, acts, outcomes, plans.

Every row here is personal data (GDPR). Who may read what is decided by `accounts.rules` and
the permission-filtered querysets of `pathways.visibility`; every write goes through the
features' services (`pathways.<feature>.services`), which keep the invariants that the
database cannot hold by itself (state machines, transition logs, visibility links, optimistic
locking).

No history table (django-simple-history) is kept for persons on purpose: erasing a person must
leave no copy of their name anywhere. Transitions are logged in their own tables instead.
"""

from uuid import uuid4

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from maillage.core.french import fill
from maillage.core.models import Referential
from maillage.directory.models import phone_validator

# --- Referentials (rows loaded from referentials/*.json; a coordinator may add their own) ------


class NetworkReferential(Referential):
    """A referential entry shared by every network (no network) or added by one network."""

    network = models.ForeignKey(
        "directory.Network",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("network"),
        help_text=_("Empty for the entries shared by every network."),
    )

    class Meta(Referential.Meta):
        abstract = True


class ActType(NetworkReferential):
    """A kind of professional act: reception, individual interview, collective workshop…"""

    is_collective = models.BooleanField(
        _("collective"),
        default=False,
        help_text=_("Usually held with several people, recorded once with an attendance list."),
    )

    class Meta(NetworkReferential.Meta):
        verbose_name = _("act type")
        verbose_name_plural = _("act types")


class OutcomeFamily(models.TextChoices):
    """The families reports group outcomes by; every family counts, not only creation."""

    ACTIVITY_CREATED = "activity_created", _("Activity created")
    CAE = "cae", _("Entrepreneur-employee in a CAE")
    EMPLOYMENT = "employment", _("Salaried job")
    TRAINING = "training", _("Training")
    REORIENTATION = "reorientation", _("Re-orientation")
    STOPPED = "stopped", _("Project stopped with accompaniment")
    REPOSITIONING = "repositioning", _("Repositioning")
    PAUSED = "paused", _("Paused")
    LOST_CONTACT = "lost_contact", _("Lost contact")
    OTHER = "other", _("Other")


class OutcomeType(NetworkReferential):
    family = models.CharField(
        _("family"), max_length=30, choices=OutcomeFamily.choices, default=OutcomeFamily.OTHER
    )

    class Meta(NetworkReferential.Meta):
        verbose_name = _("outcome type")
        verbose_name_plural = _("outcome types")


class DeclineReason(NetworkReferential):
    """Why a structure declined a referral."""

    requires_note = models.BooleanField(_("requires a note"), default=False)

    class Meta(NetworkReferential.Meta):
        verbose_name = _("decline reason")
        verbose_name_plural = _("decline reasons")


class NoNextStepReason(NetworkReferential):
    """Why an applicant who was not selected was not referred anywhere."""

    requires_note = models.BooleanField(_("requires a note"), default=False)

    class Meta(NetworkReferential.Meta):
        verbose_name = _("reason for no next step")
        verbose_name_plural = _("reasons for no next step")


class EndReason(NetworkReferential):
    """Why a person dropped out of a programme."""

    requires_note = models.BooleanField(_("requires a note"), default=False)

    class Meta(NetworkReferential.Meta):
        verbose_name = _("drop-out reason")
        verbose_name_plural = _("drop-out reasons")


class Situation(NetworkReferential):
    """A person's situation: job seeker, RSA recipient, employee, student…"""

    class Meta(NetworkReferential.Meta):
        verbose_name = _("situation")
        verbose_name_plural = _("situations")


class Sector(NetworkReferential):
    """The sector of activity of a project."""

    class Meta(NetworkReferential.Meta):
        verbose_name = _("sector")
        verbose_name_plural = _("sectors")


# --- Persons -----------------------------------------------------------------------------------


class Gender(models.TextChoices):
    FEMALE = "female", _("Woman")
    MALE = "male", _("Man")
    OTHER = "other", _("Other")
    UNKNOWN = "unknown", _("Not given")


class Person(models.Model):
    """A project holder followed by one or more structures of the network.

    One record per human across the network: each structure sees it only as `rules` allows.
    `public_id` is the stable pseudonymous id used by statistics; reports never show more.
    """

    uuid = models.UUIDField(_("stable identifier"), default=uuid4, unique=True, editable=False)
    public_id = models.UUIDField(
        _("pseudonymous identifier"), default=uuid4, unique=True, editable=False
    )
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    # Kept after erasure so that counts by age band do not change.
    birth_year = models.PositiveSmallIntegerField(_("birth year"), null=True, blank=True)
    gender = models.CharField(
        _("gender"), max_length=10, choices=Gender.choices, default=Gender.UNKNOWN
    )
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True, validators=[phone_validator])
    postal_code = models.CharField(_("postal code"), max_length=5, blank=True)
    commune = models.ForeignKey(
        "directory.Territory",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("commune"),
    )
    # The commune as a file wrote it, when it matched no commune (imports): kept, not guessed.
    commune_text = models.CharField(_("commune as written"), max_length=100, blank=True)
    situation = models.ForeignKey(
        Situation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("situation"),
    )
    priority_neighbourhood = models.BooleanField(
        _("lives in a priority neighbourhood"), default=False
    )
    # Kept equal to "an active consent of scope network_sharing exists" by the consent services:
    # the visibility queries read this column instead of joining the consents.
    shares_with_network = models.BooleanField(_("shares with the network"), default=False)
    # Accent-, case- and hyphen-free "last first", for the duplicate search.
    name_key = models.CharField(max_length=210, blank=True, db_index=True, editable=False)
    last_activity_on = models.DateField(_("last activity"), null=True, blank=True)
    created_by_structure = models.ForeignKey(
        "directory.Structure",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by structure"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # Optimistic locking: every update states the version it read (see services.update_person).
    version = models.PositiveIntegerField(default=1, editable=False)
    anonymised_at = models.DateTimeField(_("anonymised at"), null=True, blank=True)
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_from",
        verbose_name=_("merged into"),
    )

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("persons")
        ordering = ["last_name", "first_name", "pk"]
        indexes = [
            models.Index(fields=["birth_year", "name_key"], name="pathways_person_dup_idx"),
            models.Index(fields=["last_activity_on"], name="pathways_person_activity_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(merged_into__isnull=True) | ~Q(merged_into=F("pk")),
                name="pathways_person_not_merged_into_itself",
            ),
        ]

    def __str__(self):
        return self.display_name

    @property
    def display_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def short_name(self) -> str:
        """First name and initial: all an e-mail may carry."""
        initial = f" {self.last_name[:1]}." if self.last_name else ""
        return f"{self.first_name}{initial}"

    @property
    def is_anonymised(self) -> bool:
        return self.anonymised_at is not None


class IdentityKind(models.TextChoices):
    NAME = "name", _("name and birth year")
    EMAIL = "email", _("e-mail")
    PHONE = "phone", _("phone")


class IdentityKey(models.Model):
    """One keyed pseudonym of a person's identity (`pathways/identity.py`): a 64-bit HMAC,
    under a server secret, of a name variant and birth year, an e-mail or a phone number. Kept
    apart from the person's row; deleted at erasure and from a merged duplicate. Lets the
    duplicate check find a person across the whole network with one indexed query, without
    storing anything a reader could turn back into an identity."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="identity_keys")
    kind = models.CharField(max_length=5, choices=IdentityKind.choices)
    key = models.BigIntegerField()

    class Meta:
        verbose_name = _("identity key")
        verbose_name_plural = _("identity keys")
        # (key, person): the lookup reads the index only.
        indexes = [models.Index(fields=["key", "person"], name="pathways_identitykey_key_idx")]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.person_id}"


class NetworkPerson(models.Model):
    """The human a record belongs to, for the network's statistics (`pathways/identity.py`):
    records with the same normalised name (in either order) and the same full birth date share
    one `human`, a negative 63-bit keyed pseudonym; a record without a row (no birth date,
    erased, merged into another) is its own human, its id. Written with the identity keys,
    deleted at erasure; reporting copies it on its tables (docs/network-identity.md)."""

    person = models.OneToOneField(
        Person, on_delete=models.CASCADE, primary_key=True, related_name="network_person"
    )
    human = models.BigIntegerField(db_index=True)

    class Meta:
        verbose_name = _("network person")
        verbose_name_plural = _("network persons")

    def __str__(self):
        return f"{self.person_id} · {self.human}"


class PersonMerge(models.Model):
    """Two records of one human merged (`gdpr.merge.merge_persons`), with what the undo needs
    to separate them again (`undo_merge`): the duplicate's identity and keep's fields before the
    merge, and which rows moved or were joined. Personal (the duplicate's identity): cleared when
    the person is erased, emptied once undone."""

    keep = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="merges", verbose_name=_("record kept")
    )
    duplicate = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="+", verbose_name=_("duplicate")
    )
    structure = models.ForeignKey(
        "directory.Structure",
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("asked by structure"),
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("merged by"),
    )
    at = models.DateTimeField(_("merged at"))
    undone_at = models.DateTimeField(_("separated again at"), null=True, blank=True)
    undo = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("merge of two records")
        verbose_name_plural = _("merges of two records")
        ordering = ["-at", "-pk"]

    def __str__(self):
        return f"{self.duplicate_id} → {self.keep_id}"


class Accompaniment(models.Model):
    """A structure accompanies a person: its staff see the person (DOMAIN §5)."""

    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="accompaniments", verbose_name=_("person")
    )
    structure = models.ForeignKey(
        "directory.Structure",
        on_delete=models.PROTECT,
        related_name="accompaniments",
        verbose_name=_("structure"),
    )
    referent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="caseload",
        verbose_name=_("referent advisor"),
    )
    started_on = models.DateField(_("started on"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    # The structure's own file number for the person ("N° dossier"), as its spreadsheets write it.
    file_number = models.CharField(_("file number"), max_length=50, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("accompaniment")
        verbose_name_plural = _("accompaniments")
        ordering = ["started_on", "pk"]
        indexes = [
            # A structure's caseload (visibility.py) read from the index alone (issue 18).
            models.Index(fields=["structure", "person"], name="pathways_accomp_caseload_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "structure"], name="pathways_accompaniment_unique"
            ),
            models.UniqueConstraint(
                fields=["structure", "file_number"],
                condition=~Q(file_number=""),
                name="pathways_accompaniment_file_number",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("started_on")),
                name="pathways_accompaniment_dates",
            ),
        ]

    def __str__(self):
        return f"{self.structure} · {self.person}"


class ConsentScope(models.TextChoices):
    NETWORK_SHARING = "network_sharing", _("Share within the network for orientation")
    DIAGNOSTIC_SHARING = "diagnostic_sharing", _("Share the diagnostic")
    STATISTICS = "statistics", _("Anonymous statistics")
    # Given on the public contact form: the structure asked may keep the details to reply.
    CONTACT = "contact", _("Be contacted by the structure asked")


class ConsentMethod(models.TextChoices):
    WRITTEN = "written", _("Signed form")
    ORAL = "oral", _("Oral, in an interview")
    ONLINE = "online", _("Online form")


class Consent(models.Model):
    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="consents", verbose_name=_("person")
    )
    scope = models.CharField(_("scope"), max_length=30, choices=ConsentScope.choices)
    method = models.CharField(_("how it was given"), max_length=20, choices=ConsentMethod.choices)
    proof = models.CharField(
        _("proof"),
        max_length=300,
        blank=True,
        help_text=_("Where the proof is kept, e.g. 'signed form filed on 3 March'."),
    )
    given_at = models.DateTimeField(_("given at"))
    # The wording the person agreed to, as it was shown (the public contact form's checkbox).
    text = models.TextField(_("text shown"), blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    structure = models.ForeignKey(
        "directory.Structure",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by structure"),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("withdrawal recorded by"),
    )

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        ordering = ["-given_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "scope"],
                condition=Q(withdrawn_at__isnull=True),
                name="pathways_consent_one_active_per_scope",
                violation_error_message=_("This consent is already given."),
            ),
            models.CheckConstraint(
                condition=Q(withdrawn_at__isnull=True) | Q(withdrawn_at__gte=F("given_at")),
                name="pathways_consent_dates",
            ),
        ]

    def __str__(self):
        return f"{self.get_scope_display()} · {self.person}"

    @property
    def is_active(self) -> bool:
        return self.withdrawn_at is None


class PersonNote(models.Model):
    """An internal note: seen inside the author's structure only, unless shared."""

    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="notes", verbose_name=_("person")
    )
    structure = models.ForeignKey(
        "directory.Structure",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("structure"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("author"),
    )
    body = models.TextField(_("note"))
    is_shared = models.BooleanField(
        _("shared with the partner structures"),
        default=False,
        help_text=_(
            "Shared notes are seen by the other structures that follow this person, "
            "when the person agreed to share within the network."
        ),
    )
    created_at = models.DateTimeField(_("written at"), auto_now_add=True)

    class Meta:
        verbose_name = _("note")
        verbose_name_plural = _("notes")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.structure} · {self.created_at:%Y-%m-%d}"


class PersonAccess(models.Model):
    """Every read of a person's record (page, API, export), granted or refused.

    A right-of-access export is made for the person: it records who asked for it
    (`requested_by`, and the name of a legal representative); `user` produced it.
    """

    class Channel(models.TextChoices):
        PAGE = "page", _("Page")
        API = "api", _("API")
        EXPORT = "export", _("Export")

    class Requester(models.TextChoices):
        PERSON_IN_PERSON = "person_in_person", _("The person, in person")
        PERSON_BY_MAIL = "person_by_mail", _("The person, by post")
        PERSON_BY_EMAIL = "person_by_email", _("The person, by e-mail")
        LEGAL_REPRESENTATIVE = "legal_representative", _("A legal representative of the person")

    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="access_log", verbose_name=_("person")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("user"),
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)
    granted = models.BooleanField(_("granted"))
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    requested_by = models.CharField(
        _("requested by"), max_length=30, choices=Requester.choices, blank=True
    )
    requester_name = models.CharField(_("name of the requester"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("access to a person's record")
        verbose_name_plural = _("accesses to persons' records")
        ordering = ["-at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(requested_by="legal_representative") | ~Q(requester_name=""),
                name="pathways_access_representative_named",
                violation_error_message=_("Give the name of the legal representative."),
            ),
        ]

    def __str__(self):
        return f"{self.user} · {self.person_id} · {self.at:%Y-%m-%d %H:%M}"


# --- Projects ----------------------------------------------------------------------------------


class ProjectKind(models.TextChoices):
    INDIVIDUAL = "individual", _("Individual")
    COLLECTIVE = "collective", _("Collective")


class Project(models.Model):
    """A project carried by one or more persons."""

    uuid = models.UUIDField(_("stable identifier"), default=uuid4, unique=True, editable=False)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    kind = models.CharField(
        _("kind"), max_length=20, choices=ProjectKind.choices, default=ProjectKind.INDIVIDUAL
    )
    persons = models.ManyToManyField(
        Person, related_name="projects", verbose_name=_("carried by"), blank=True
    )
    sector = models.ForeignKey(
        Sector,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sector"),
    )
    envisaged_legal_form = models.ForeignKey(
        "directory.LegalForm",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("envisaged legal form"),
    )
    current_stage = models.ForeignKey(
        "directory.Stage",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("current stage"),
    )
    created_by_structure = models.ForeignKey(
        "directory.Structure",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by structure"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        ordering = ["title", "pk"]

    def __str__(self):
        return self.title


# --- Referrals ---------------------------------------------------------------------------------


class ReferralStatus(models.TextChoices):
    SENT = "sent", _("Sent")
    RECEIVED = "received", _("Seen by the structure")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    REDIRECTED = "redirected", _("Redirected elsewhere")
    FIRST_MEETING = "first_meeting", _("First meeting held")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled by the sender")
    EXPIRED = "expired", _("Expired without an answer")


class ReferralOrigin(models.TextChoices):
    STRUCTURE = "structure", _("Sent by a structure")
    PUBLIC_FORM = "public_form", _("Contact request from the public site")


class Referral(models.Model):
    """An orientation of a person from one structure (or the public site) to another.

    `shares_person_data` is fixed when the referral is sent: true when the person consented to
    share within the network (or wrote to the structure themselves). Without it, the receiving
    structure sees an anonymous orientation until the person comes and is matched.
    """

    uuid = models.UUIDField(_("stable identifier"), default=uuid4, unique=True, editable=False)
    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="referrals", verbose_name=_("person")
    )
    project = models.ForeignKey(
        Project,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="referrals",
        verbose_name=_("project"),
    )
    origin = models.CharField(
        _("origin"), max_length=20, choices=ReferralOrigin.choices, default=ReferralOrigin.STRUCTURE
    )
    from_structure = models.ForeignKey(
        "directory.Structure",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="referrals_sent",
        verbose_name=_("from structure"),
    )
    from_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="referrals_sent",
        verbose_name=_("sent by"),
    )
    to_structure = models.ForeignKey(
        "directory.Structure",
        on_delete=models.PROTECT,
        related_name="referrals_received",
        verbose_name=_("to structure"),
    )
    to_offer = models.ForeignKey(
        "directory.Offer",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="referrals",
        verbose_name=_("to offer"),
    )
    reason = models.TextField(_("why this structure"), blank=True)
    shared_info = models.TextField(_("information shared with the structure"), blank=True)
    shares_person_data = models.BooleanField(_("person's data shared"), default=False)
    status = models.CharField(
        _("status"), max_length=20, choices=ReferralStatus.choices, default=ReferralStatus.SENT
    )
    sent_at = models.DateTimeField(_("sent at"))
    status_changed_at = models.DateTimeField(_("status changed at"))
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    first_meeting_on = models.DateField(_("first meeting on"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    decline_reason = models.ForeignKey(
        DeclineReason,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decline reason"),
    )
    decline_note = models.TextField(_("decline note"), blank=True)
    reason_shared_with_person = models.BooleanField(
        _("reason may be told to the person"), default=False
    )
    redirected_to = models.OneToOneField(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="redirected_from",
        verbose_name=_("redirected to"),
    )
    contact_request = models.OneToOneField(
        "directory.ContactRequest",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="referral",
        verbose_name=_("contact request"),
    )
    reminder_sent_at = models.DateTimeField(_("reminder sent at"), null=True, blank=True)
    matched_at = models.DateTimeField(_("person came and was matched at"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        ordering = ["-sent_at", "-pk"]
        indexes = [
            models.Index(fields=["to_structure", "status"], name="pathways_referral_inbox_idx"),
            models.Index(fields=["from_structure", "status"], name="pathways_referral_sent_idx"),
            models.Index(fields=["status", "sent_at"], name="pathways_referral_expiry_idx"),
            # Reports: the referrals sent in a period.
            models.Index(fields=["sent_at"], name="pathways_referral_sent_at_idx"),
            # The persons a structure sees through referrals (visibility.py), from the index
            # alone (issue 18).
            models.Index(
                fields=["to_structure", "person", "origin"],
                condition=Q(shares_person_data=True),
                name="pathways_referral_sight_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ReferralStatus.values), name="pathways_referral_status"
            ),
            models.CheckConstraint(
                condition=~Q(status=ReferralStatus.DECLINED) | Q(decline_reason__isnull=False),
                name="pathways_referral_declined_has_reason",
                violation_error_message=_("A declined referral needs a reason."),
            ),
            models.CheckConstraint(
                condition=Q(from_structure__isnull=True) | ~Q(from_structure=F("to_structure")),
                name="pathways_referral_not_to_itself",
                violation_error_message=_("A structure cannot refer a person to itself."),
            ),
            models.CheckConstraint(
                condition=Q(origin=ReferralOrigin.PUBLIC_FORM) | Q(from_structure__isnull=False),
                name="pathways_referral_has_sender",
            ),
        ]

    def __str__(self):
        return f"{self.from_structure or _('public site')} → {self.to_structure}"

    @property
    def is_anonymous(self) -> bool:
        return not self.shares_person_data


class Transition(models.Model):
    """One change of status, with its author: the log the closed loop is read from."""

    from_status = models.CharField(_("from"), max_length=20, blank=True)
    to_status = models.CharField(_("to"), max_length=20)
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
        abstract = True
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.from_status or '∅'} → {self.to_status}"


class ReferralTransition(Transition):
    referral = models.ForeignKey(
        Referral, on_delete=models.CASCADE, related_name="transitions", verbose_name=_("referral")
    )

    class Meta(Transition.Meta):
        verbose_name = _("referral transition")
        verbose_name_plural = _("referral transitions")


# --- Applications ------------------------------------------------------------------------------


class ApplicationStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    UNDER_REVIEW = "under_review", _("Under review")
    SELECTED = "selected", _("Selected")
    WAITLISTED = "waitlisted", _("Waitlisted")
    NOT_SELECTED = "not_selected", _("Not selected")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")
    DROPPED_OUT = "dropped_out", _("Dropped out")


class Application(models.Model):
    """A person applies to an offer (and, when it has sessions, one of them)."""

    uuid = models.UUIDField(_("stable identifier"), default=uuid4, unique=True, editable=False)
    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="applications", verbose_name=_("person")
    )
    project = models.ForeignKey(
        Project,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="applications",
        verbose_name=_("project"),
    )
    offer = models.ForeignKey(
        "directory.Offer",
        on_delete=models.PROTECT,
        related_name="applications",
        verbose_name=_("offer"),
    )
    session = models.ForeignKey(
        "directory.OfferSession",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="applications",
        verbose_name=_("session"),
    )
    # The offer's structure, kept here so that inboxes and reports filter without a join.
    structure = models.ForeignKey(
        "directory.Structure",
        on_delete=models.PROTECT,
        related_name="applications",
        verbose_name=_("structure"),
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=ApplicationStatus.choices,
        default=ApplicationStatus.SUBMITTED,
    )
    submitted_on = models.DateField(_("submitted on"))
    status_changed_at = models.DateTimeField(_("status changed at"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    next_step_referral = models.ForeignKey(
        Referral,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("next step: referral"),
    )
    no_next_step_reason = models.ForeignKey(
        NoNextStepReason,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reason for no next step"),
    )
    no_next_step_note = models.TextField(_("note on the next step"), blank=True)
    end_reason = models.ForeignKey(
        EndReason,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("drop-out reason"),
    )
    end_note = models.TextField(_("note on the end"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        ordering = ["-submitted_on", "-pk"]
        indexes = [
            models.Index(fields=["structure", "status"], name="pathways_application_inbox_idx"),
            # Reports: the applications submitted in a period.
            models.Index(fields=["submitted_on"], name="pathways_application_date_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ApplicationStatus.values), name="pathways_application_status"
            ),
            # What must never happen cannot be stored: "not selected" always has a next step.
            models.CheckConstraint(
                condition=~Q(status=ApplicationStatus.NOT_SELECTED)
                | Q(next_step_referral__isnull=False)
                | Q(no_next_step_reason__isnull=False),
                name="pathways_not_selected_has_next_step",
                violation_error_message=_(
                    "A 'not selected' decision needs a next step: a referral, or the reason "
                    "for none."
                ),
            ),
        ]

    def __str__(self):
        return f"{self.person} · {self.offer}"


class ApplicationTransition(Transition):
    application = models.ForeignKey(
        Application,
        on_delete=models.CASCADE,
        related_name="transitions",
        verbose_name=_("application"),
    )

    class Meta(Transition.Meta):
        verbose_name = _("application transition")
        verbose_name_plural = _("application transitions")


# --- Acts and outcomes -------------------------------------------------------------------------


class Act(models.Model):
    """A professional act: individual (one participant) or collective (an attendance list)."""

    uuid = models.UUIDField(_("stable identifier"), default=uuid4, unique=True, editable=False)
    act_type = models.ForeignKey(
        ActType, on_delete=models.PROTECT, related_name="acts", verbose_name=_("type")
    )
    structure = models.ForeignKey(
        "directory.Structure",
        on_delete=models.PROTECT,
        related_name="acts",
        verbose_name=_("structure"),
    )
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="acts",
        verbose_name=_("staff member"),
    )
    offer = models.ForeignKey(
        "directory.Offer",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="acts",
        verbose_name=_("offer"),
    )
    session = models.ForeignKey(
        "directory.OfferSession",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="acts",
        verbose_name=_("session"),
    )
    occurred_on = models.DateField(_("date"))
    duration_minutes = models.PositiveIntegerField(_("duration (minutes)"))
    is_collective = models.BooleanField(_("collective"), default=False)
    title = models.CharField(_("title"), max_length=200, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    persons = models.ManyToManyField(
        Person, through="ActParticipant", related_name="acts", verbose_name=_("participants")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("act")
        verbose_name_plural = _("acts")
        ordering = ["-occurred_on", "-pk"]
        indexes = [
            models.Index(fields=["structure", "occurred_on"], name="pathways_act_structure_idx"),
            models.Index(fields=["occurred_on"], name="pathways_act_date_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_minutes__gt=0),
                name="pathways_act_duration_positive",
                violation_error_message=_("The duration must be more than zero minutes."),
            ),
        ]

    def __str__(self):
        return f"{self.act_type} · {self.occurred_on}"


class ActParticipant(models.Model):
    act = models.ForeignKey(
        Act, on_delete=models.CASCADE, related_name="participants", verbose_name=_("act")
    )
    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="participations", verbose_name=_("person")
    )
    attended = models.BooleanField(_("attended"), default=True)

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        constraints = [
            models.UniqueConstraint(fields=["act", "person"], name="pathways_participant_unique"),
        ]

    def __str__(self):
        return f"{self.act_id} · {self.person_id}"


class Outcome(models.Model):
    """Where a pathway led: activity created, job, training, accompanied stop, repositioning…"""

    uuid = models.UUIDField(_("stable identifier"), default=uuid4, unique=True, editable=False)
    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="outcomes", verbose_name=_("person")
    )
    project = models.ForeignKey(
        Project,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="outcomes",
        verbose_name=_("project"),
    )
    structure = models.ForeignKey(
        "directory.Structure",
        on_delete=models.PROTECT,
        related_name="outcomes",
        verbose_name=_("structure"),
    )
    outcome_type = models.ForeignKey(
        OutcomeType, on_delete=models.PROTECT, related_name="outcomes", verbose_name=_("type")
    )
    occurred_on = models.DateField(_("date"))
    legal_form = models.ForeignKey(
        "directory.LegalForm",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("legal form of the activity"),
    )
    details = models.TextField(_("details"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("outcome")
        verbose_name_plural = _("outcomes")
        ordering = ["-occurred_on", "-pk"]
        # Reports: the outcomes of a period.
        indexes = [models.Index(fields=["occurred_on"], name="pathways_outcome_date_idx")]

    def __str__(self):
        return f"{self.outcome_type} · {self.occurred_on}"


# --- Shared accompaniment plan -----------------------------------------------------------------


class Plan(models.Model):
    """The shared accompaniment plan of a person: ordered steps across structures."""

    person = models.OneToOneField(
        Person, on_delete=models.CASCADE, related_name="plan", verbose_name=_("person")
    )
    project = models.ForeignKey(
        Project,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("project"),
    )
    revision = models.PositiveIntegerField(_("revision"), default=0)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("accompaniment plan")
        verbose_name_plural = _("accompaniment plans")

    def __str__(self):
        return fill(str(_("Plan of %(person)s")), person=self.person)


class PlanStepStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class PlanStep(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField(_("position"))
    offer = models.ForeignKey(
        "directory.Offer",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("offer"),
    )
    action = models.CharField(_("action"), max_length=300, blank=True)
    responsible_structure = models.ForeignKey(
        "directory.Structure",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("responsible structure"),
    )
    target_date = models.DateField(_("target date"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=PlanStepStatus.choices, default=PlanStepStatus.PLANNED
    )

    class Meta:
        verbose_name = _("plan step")
        verbose_name_plural = _("plan steps")
        ordering = ["position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(offer__isnull=False) | ~Q(action=""),
                name="pathways_plan_step_has_content",
                violation_error_message=_("A step is an offer or an action."),
            ),
        ]

    def __str__(self):
        return self.action or str(self.offer)


class PlanRevision(models.Model):
    """A snapshot of the plan's steps after each change: revisions are kept."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField(_("revision"))
    steps = models.JSONField(_("steps"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("author"),
    )
    structure = models.ForeignKey(
        "directory.Structure",
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("structure"),
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("plan revision")
        verbose_name_plural = _("plan revisions")
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "number"], name="pathways_plan_revision_unique"
            ),
        ]

    def __str__(self):
        return f"{self.plan_id} · {self.number}"


# --- Notifications and API tokens --------------------------------------------------------------


class NotificationKind(models.TextChoices):
    REFERRAL_RECEIVED = "referral_received", _("A referral arrived")
    CONTACT_REQUEST = "contact_request", _("A contact request arrived")
    REFERRAL_ANSWERED = "referral_answered", _("A referral was answered")
    REFERRAL_EXPIRED = "referral_expired", _("A referral expired")
    REFERRAL_REMINDER = "referral_reminder", _("A referral waits for an answer")
    TEAM_MEMBER_ADDED = "team_member_added", _("Someone joined your structure's team")
    # The network's life (collab, issue 22).
    GROUP_JOIN_REQUEST = "group_join_request", _("Someone asks to join your working group")
    GROUP_JOINED = "group_joined", _("You joined a working group")
    ACTION_ASSIGNED = "action_assigned", _("An action was given to you")
    MINUTES_PUBLISHED = "minutes_published", _("Minutes were published")


class Notification(models.Model):
    """A message for one user: e-mailed by a background task, at once or in the daily digest.

    Its text carries no personal data beyond a first name and an initial.
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("recipient"),
    )
    kind = models.CharField(_("kind"), max_length=30, choices=NotificationKind.choices)
    text = models.CharField(_("text"), max_length=300)
    path = models.CharField(_("link"), max_length=300)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return self.text


class NotificationPreference(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preference",
    )
    daily_digest = models.BooleanField(
        _("one daily digest instead of an e-mail each time"), default=False
    )

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self):
        return str(self.user)


class ApiToken(models.Model):
    """A key for a structure's software to call the API as one of its staff.

    Only a hash is stored; the key is shown once, when created. A token acts with its creator's
    rights restricted to its structure.
    """

    structure = models.ForeignKey(
        "directory.Structure",
        on_delete=models.CASCADE,
        related_name="api_tokens",
        verbose_name=_("structure"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        verbose_name=_("acts as"),
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=12, unique=True, editable=False)
    key_hash = models.CharField(max_length=128, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"
