"""The actor system of a structure or a network (seed 004, sheet II-1).

An `ActorSystem` belongs to one owner (a structure or a network). Its `Actor`s keep their identity
from year to year; each year the group fills a `Snapshot`: which actors are in it
(`SnapshotActor`), what each actor brings (Grid I: `ProfileProposal`) and how each pair relates
(Grid II: `RelationProposal`). Nothing is overwritten: every entry is a proposal that keeps who
made it and when, and the current value of a cell is its latest accepted proposal. Once the group
validates a snapshot it is frozen; next year's starts as a copy of it.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class ActorKind(models.TextChoices):
    ORGANISATION = "organisation", _("Organisation")
    INSTITUTION = "institution", _("Institution")
    ELECTED_BODY = "elected_body", _("Elected body")
    NETWORK = "network", _("Network")
    OTHER = "other", _("Other")


class ActorLevel(models.TextChoices):
    EUROPEAN = "european", _("European")
    NATIONAL = "national", _("National")
    REGIONAL = "regional", _("Regional")
    DEPARTMENTAL = "departmental", _("Departmental")
    LOCAL = "local", _("Local")


class RelationNature(models.TextChoices):
    """The dominant nature of a relation between two actors (Grid II)."""

    ALLIANCE = "alliance", _("Alliance")
    OPPOSITION = "opposition", _("Opposition")
    NEGOTIATION = "negotiation", _("Negotiation")
    NEUTRALITY = "neutrality", _("Neutrality")
    INTERDEPENDENCE = "interdependence", _("Interdependence")
    ADAPTABLE = "adaptable", _("Adaptable")


class RelationObject(models.TextChoices):
    """What the relation is mostly about (Grid II)."""

    VALUES = "values", _("Values")
    PRACTICES = "practices", _("Practices")
    MEANS = "means", _("Means")
    GLOBAL = "global", _("Global")


class SnapshotStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    VALIDATED = "validated", _("Validated")


class ProposalStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")


# The six kinds of resources an actor mobilises (Grid I), each scored from 0 (none) to 3 (strong).
RESOURCES = (
    ("technical", _("Technical")),
    ("financial", _("Financial")),
    ("rules", _("Rules")),
    ("information", _("Information")),
    ("symbolic", _("Symbolic")),
    ("means", _("Means")),
)
RESOURCE_FIELDS = tuple(f"resource_{name}" for name, _label in RESOURCES)
RESOURCE_MAX = 3


class ActorSystem(models.Model):
    """The actors a structure or a network deals with on its territory."""

    structure = models.OneToOneField(
        "directory.Structure",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="actor_system",
        verbose_name=_("structure"),
    )
    network = models.OneToOneField(
        "directory.Network",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="actor_system",
        verbose_name=_("network"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("actor system")
        verbose_name_plural = _("actor systems")
        constraints = [
            models.CheckConstraint(
                condition=Q(structure__isnull=True, network__isnull=False)
                | Q(structure__isnull=False, network__isnull=True),
                name="territory_system_one_owner",
                violation_error_message=_(
                    "An actor system belongs to a structure or to a network."
                ),
            )
        ]

    def __str__(self):
        return str(self.owner)

    @property
    def owner(self):
        return self.structure if self.structure_id else self.network


class Actor(models.Model):
    """Someone who plays on the territory: an organisation, an institution, an elected body…"""

    system = models.ForeignKey(
        ActorSystem, on_delete=models.CASCADE, related_name="actors", verbose_name=_("system")
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=ActorKind.choices)
    level = models.CharField(_("level"), max_length=20, choices=ActorLevel.choices)
    structure = models.ForeignKey(
        "directory.Structure",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("structure in the directory"),
    )
    # The owner of the system as an actor of it: positioning reads its relations.
    is_owner = models.BooleanField(_("the system's owner"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("actor")
        verbose_name_plural = _("actors")
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(
                "system",
                "name",
                name="territory_actor_unique_name",
                violation_error_message=_("This system already has an actor of that name."),
            ),
            models.UniqueConstraint(
                "system",
                condition=Q(is_owner=True),
                name="territory_actor_one_owner",
                violation_error_message=_("The owner is already an actor of this system."),
            ),
            models.CheckConstraint(
                condition=Q(kind__in=ActorKind.values), name="territory_actor_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(level__in=ActorLevel.values), name="territory_actor_level_valid"
            ),
        ]

    def __str__(self):
        return self.name


class Snapshot(models.Model):
    """The system as the group sees it one year."""

    system = models.ForeignKey(
        ActorSystem, on_delete=models.CASCADE, related_name="snapshots", verbose_name=_("system")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    status = models.CharField(
        _("status"), max_length=20, choices=SnapshotStatus.choices, default=SnapshotStatus.DRAFT
    )
    copied_from = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("copied from"),
    )
    actors = models.ManyToManyField(
        Actor, through="SnapshotActor", related_name="snapshots", verbose_name=_("actors")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("started by"),
    )
    validated_at = models.DateTimeField(_("validated at"), null=True, blank=True)
    validated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("validated by"),
    )

    class Meta:
        verbose_name = _("snapshot")
        verbose_name_plural = _("snapshots")
        ordering = ["system", "-year"]
        constraints = [
            models.UniqueConstraint(
                "system",
                "year",
                name="territory_snapshot_one_per_year",
                violation_error_message=_("This system already has a snapshot for that year."),
            ),
            models.CheckConstraint(
                condition=Q(status__in=SnapshotStatus.values),
                name="territory_snapshot_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(status=SnapshotStatus.DRAFT, validated_at__isnull=True)
                | Q(status=SnapshotStatus.VALIDATED, validated_at__isnull=False),
                name="territory_snapshot_validated_when",
            ),
        ]

    def __str__(self):
        return f"{self.system} · {self.year}"

    @property
    def is_frozen(self):
        return self.status == SnapshotStatus.VALIDATED


class SnapshotActor(models.Model):
    """An actor is part of a snapshot."""

    snapshot = models.ForeignKey(Snapshot, on_delete=models.CASCADE, related_name="memberships")
    actor = models.ForeignKey(Actor, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint("snapshot", "actor", name="territory_snapshot_actor_once")
        ]

    def __str__(self):
        return f"{self.snapshot_id} · {self.actor_id}"


class Proposal(models.Model):
    """Who proposed what, when; and whether it was accepted."""

    snapshot = models.ForeignKey(
        Snapshot, on_delete=models.CASCADE, related_name="+", verbose_name=_("snapshot")
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=ProposalStatus.choices,
        default=ProposalStatus.ACCEPTED,
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("proposed by"),
    )
    proposed_at = models.DateTimeField(_("proposed at"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    # A copy of last year's current value, made when the snapshot was started.
    carried_over = models.BooleanField(_("carried over from the previous year"), default=False)

    class Meta:
        abstract = True


class ProfileProposal(Proposal):
    """Grid I for one actor: its references, its practices, the resources it mobilises."""

    actor = models.ForeignKey(Actor, on_delete=models.CASCADE, related_name="profile_proposals")
    references = models.TextField(_("references and values"), blank=True)
    practices = models.TextField(_("practices and stakes"), blank=True)
    resource_technical = models.PositiveSmallIntegerField(
        _("technical resources"), default=0, validators=[MaxValueValidator(RESOURCE_MAX)]
    )
    resource_financial = models.PositiveSmallIntegerField(
        _("financial resources"), default=0, validators=[MaxValueValidator(RESOURCE_MAX)]
    )
    resource_rules = models.PositiveSmallIntegerField(
        _("rules"), default=0, validators=[MaxValueValidator(RESOURCE_MAX)]
    )
    resource_information = models.PositiveSmallIntegerField(
        _("information"), default=0, validators=[MaxValueValidator(RESOURCE_MAX)]
    )
    resource_symbolic = models.PositiveSmallIntegerField(
        _("symbolic resources"), default=0, validators=[MaxValueValidator(RESOURCE_MAX)]
    )
    resource_means = models.PositiveSmallIntegerField(
        _("material and human means"), default=0, validators=[MaxValueValidator(RESOURCE_MAX)]
    )
    resources_note = models.TextField(_("about the resources"), blank=True)

    is_relation = False

    class Meta:
        verbose_name = _("actor profile proposal")
        verbose_name_plural = _("actor profile proposals")
        ordering = ["proposed_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    **{f"{name}__lte": RESOURCE_MAX for name in RESOURCE_FIELDS},
                ),
                name="territory_profile_resources_scale",
            ),
            models.CheckConstraint(
                condition=Q(status__in=ProposalStatus.values),
                name="territory_profile_status_valid",
            ),
        ]

    def __str__(self):
        return f"{self.actor} · {self.proposed_at:%Y-%m-%d}"

    @property
    def total_resources(self):
        return sum(getattr(self, name) for name in RESOURCE_FIELDS)


class RelationProposal(Proposal):
    """Grid II for one unordered pair (stored with the smaller actor id first). A blank nature
    says the pair has no relation (a relation of last year that ended)."""

    actor_a = models.ForeignKey(Actor, on_delete=models.CASCADE, related_name="+")
    actor_b = models.ForeignKey(Actor, on_delete=models.CASCADE, related_name="+")
    nature = models.CharField(
        _("dominant nature"), max_length=20, choices=RelationNature.choices, blank=True
    )
    object = models.CharField(
        _("object"), max_length=20, choices=RelationObject.choices, blank=True
    )
    note = models.TextField(_("comment"), blank=True)

    is_relation = True

    class Meta:
        verbose_name = _("relation proposal")
        verbose_name_plural = _("relation proposals")
        ordering = ["proposed_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(actor_a__lt=F("actor_b")), name="territory_relation_pair_ordered"
            ),
            models.CheckConstraint(
                condition=Q(nature="", object="")
                | (Q(nature__in=RelationNature.values) & Q(object__in=RelationObject.values)),
                name="territory_relation_nature_and_object",
                violation_error_message=_("A relation has both a nature and an object."),
            ),
            models.CheckConstraint(
                condition=Q(status__in=ProposalStatus.values),
                name="territory_relation_status_valid",
            ),
        ]

    def __str__(self):
        return f"{self.actor_a} / {self.actor_b} · {self.nature or '—'}"


# --- Social utility (seed 004, sheet II-2) --------------------------------------------------------
# Social utility is not defined in advance: a structure or a network agrees with its stakeholders
# on dimensions, the criteria of each, and the indicators of each criterion, then measures them
# year after year.


class MeasurementKind(models.TextChoices):
    ENTERED = "entered", _("Entered each period")
    COMPUTED = "computed", _("Computed from Maillage's report")
    ASSESSMENT = "assessment", _("An assessment's score")


class ScorePart(models.TextChoices):
    """Which score of an assessment measures an indicator."""

    TOTAL = "total", _("Total score")
    SECTION = "section", _("Score of a section")
    CRITERION = "criterion", _("Score of a criterion")


class ScoreAggregate(models.TextChoices):
    """How the scores of a period's submitted assessments make one value."""

    MEDIAN = "median", _("Median of the submitted assessments")
    MEAN = "mean", _("Mean of the submitted assessments")
    LATEST = "latest", _("Latest submitted assessment")


class Framework(models.Model):
    """A social-utility framework of a structure or a network."""

    structure = models.ForeignKey(
        "directory.Structure",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("structure"),
    )
    network = models.ForeignKey(
        "directory.Network",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("network"),
    )
    title = models.CharField(_("title"), max_length=200)
    stakeholders = models.TextField(_("stakeholders who agreed on it"), blank=True)
    # Versions: a new version is a copy of the previous one; the previous one is then frozen
    # (its values stay attached to it), and its indicators are continued through
    # `UtilityIndicator.continues`.
    number = models.PositiveSmallIntegerField(_("version"), default=1)
    previous = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="next_version",
        verbose_name=_("previous version"),
    )
    # Templates: a framework published as a template may be copied by any structure or network;
    # the copy keeps where it comes from.
    is_template = models.BooleanField(_("published as a template"), default=False)
    copied_from = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("started from the template"),
    )
    provenance = models.CharField(_("provenance"), max_length=300, blank=True)
    # A group of structures builds one framework together: the owner and its partners, whose
    # staff read and change it as the owner's do.
    partners = models.ManyToManyField(
        "directory.Structure",
        blank=True,
        related_name="+",
        verbose_name=_("partner structures"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("social-utility framework")
        verbose_name_plural = _("social-utility frameworks")
        ordering = ["title", "-number", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(structure__isnull=True, network__isnull=False)
                | Q(structure__isnull=False, network__isnull=True),
                name="territory_framework_one_owner",
                violation_error_message=_("A framework belongs to a structure or to a network."),
            )
        ]

    def __str__(self):
        return self.title

    @property
    def owner(self):
        return self.structure if self.structure_id else self.network

    @property
    def is_superseded(self) -> bool:
        return Framework.objects.filter(previous=self).exists()


class Dimension(models.Model):
    framework = models.ForeignKey(
        Framework, on_delete=models.CASCADE, related_name="dimensions", verbose_name=_("framework")
    )
    name = models.CharField(_("name"), max_length=200)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("dimension")
        verbose_name_plural = _("dimensions")
        ordering = ["position", "pk"]

    def __str__(self):
        return self.name


class Criterion(models.Model):
    dimension = models.ForeignKey(
        Dimension, on_delete=models.CASCADE, related_name="criteria", verbose_name=_("dimension")
    )
    name = models.CharField(_("name"), max_length=200)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        ordering = ["position", "pk"]

    def __str__(self):
        return self.name


class UtilityIndicator(models.Model):
    """How a criterion is measured: a value entered each period, a figure of Maillage's
    report (`report_code`, an indicator of maillage/reporting's catalogue), or the score of the
    owner's assessments with an instrument (`instrument`, `score_part`, `score_key`, aggregated
    over a period's submitted assessments by `aggregate`; computed on reading, never stored)."""

    criterion = models.ForeignKey(
        Criterion, on_delete=models.CASCADE, related_name="indicators", verbose_name=_("criterion")
    )
    # Names the indicator in spreadsheets of values; unique within a framework version.
    code = models.SlugField(_("code"), max_length=60, blank=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("measurement"), max_length=20, choices=MeasurementKind.choices)
    report_code = models.CharField(_("indicator of the report"), max_length=60, blank=True)
    instrument = models.ForeignKey(
        "assessments.Instrument",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("instrument"),
    )
    score_part = models.CharField(_("score"), max_length=20, choices=ScorePart.choices, blank=True)
    score_key = models.SlugField(_("key of the section or criterion"), max_length=80, blank=True)
    aggregate = models.CharField(
        _("aggregate"), max_length=20, choices=ScoreAggregate.choices, blank=True
    )
    # The indicator of the previous version this one continues: their series join.
    continues = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="continued_by",
        verbose_name=_("continues the indicator"),
    )
    unit = models.CharField(_("unit"), max_length=60, blank=True)
    target = models.DecimalField(
        _("target"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    source = models.CharField(_("source"), max_length=255, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("social-utility indicator")
        verbose_name_plural = _("social-utility indicators")
        ordering = ["position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind=MeasurementKind.ENTERED, report_code="", instrument__isnull=True)
                | Q(kind=MeasurementKind.COMPUTED, instrument__isnull=True) & ~Q(report_code="")
                | Q(kind=MeasurementKind.ASSESSMENT, report_code="", instrument__isnull=False)
                & ~Q(score_part="")
                & ~Q(aggregate=""),
                name="territory_indicator_how_measured",
                violation_error_message=_(
                    "A computed indicator names a figure of the report, an indicator measured "
                    "by assessments names an instrument, its score and its aggregate, an "
                    "entered one names neither."
                ),
            )
        ]

    def __str__(self):
        return self.name


class Measurement(models.Model):
    """The value of an entered indicator for one year."""

    indicator = models.ForeignKey(
        UtilityIndicator,
        on_delete=models.CASCADE,
        related_name="measurements",
        verbose_name=_("indicator"),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    value = models.DecimalField(_("value"), max_digits=12, decimal_places=2)
    comment = models.TextField(_("comment"), blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("entered by"),
    )
    entered_at = models.DateTimeField(_("entered at"), auto_now=True)

    class Meta:
        verbose_name = _("measurement")
        verbose_name_plural = _("measurements")
        ordering = ["indicator", "year"]
        constraints = [
            models.UniqueConstraint(
                "indicator",
                "year",
                name="territory_measurement_one_per_year",
                violation_error_message=_("This indicator already has a value for that year."),
            )
        ]

    def __str__(self):
        return f"{self.indicator} · {self.year}"
