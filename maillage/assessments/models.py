"""Instruments (grilles) as versioned data, and the assessments made with them (issue 19).

An instrument version is loaded from a YAML file (`definition.py`, `loading.py`); its sections,
criteria and items are stored as rows so answers can point at them, and the parsed content is
kept (`InstrumentVersion.content`) so that the scoring engine (`scoring.py`) and the export read
exactly what was loaded. A version is never changed once an assessment uses it.
"""

from uuid import uuid4

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


def in_language(text: dict | None) -> str:
    """The French or English text of a `{"fr": …, "en": …}` pair, following the active language."""
    if not text:
        return ""
    language = (get_language() or "fr")[:2]
    return text.get(language) or text.get("fr") or ""


class Scoring(models.TextChoices):
    MEAN = "mean", _("Mean")
    WEIGHTED_MEAN = "weighted_mean", _("Weighted mean")
    SUM = "sum", _("Sum")


class ItemType(models.TextChoices):
    SCALE = "scale", _("Scale with levels")
    CURSOR = "cursor", _("Cursor between two poles")
    YES_NO = "yes_no", _("Yes / no")
    NUMBER = "number", _("Number")
    SINGLE_CHOICE = "single_choice", _("Single choice")
    MULTIPLE_CHOICE = "multiple_choice", _("Multiple choice")
    TEXT = "text", _("Free text")


class SubjectKind(models.TextChoices):
    PROJECT = "project", _("Project")
    ACCOMPANIMENT = "accompaniment", _("A person's accompaniment")
    STRUCTURE = "structure", _("Structure")
    SESSION = "session", _("Offer session's cohort")
    NETWORK = "network", _("Network")


class Instrument(models.Model):
    """A grid, known by its code; its content lives in its versions."""

    code = models.SlugField(_("code"), max_length=80, unique=True)
    family = models.SlugField(_("family"), max_length=80)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("instrument")
        verbose_name_plural = _("instruments")
        ordering = ["code"]

    def __str__(self):
        return self.code


class InstrumentVersion(models.Model):
    instrument = models.ForeignKey(
        Instrument, on_delete=models.PROTECT, related_name="versions", verbose_name=_("instrument")
    )
    number = models.PositiveIntegerField(_("version"))
    title_fr = models.CharField(_("title (French)"), max_length=300)
    title_en = models.CharField(_("title (English)"), max_length=300)
    # The parsed file, as validated against the schema: what the engine and the export read.
    content = models.JSONField(_("content"))
    # The file as loaded, kept verbatim.
    source = models.TextField(_("source file"))
    continues = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("continues version"),
    )
    loaded_at = models.DateTimeField(_("loaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("instrument version")
        verbose_name_plural = _("instrument versions")
        ordering = ["instrument__code", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["instrument", "number"], name="assessments_version_unique"
            ),
        ]

    def __str__(self):
        return f"{self.instrument.code} v{self.number}"

    @property
    def title(self) -> str:
        return in_language({"fr": self.title_fr, "en": self.title_en})


class Section(models.Model):
    version = models.ForeignKey(
        InstrumentVersion, on_delete=models.CASCADE, related_name="sections"
    )
    key = models.SlugField(_("key"), max_length=80)
    position = models.PositiveSmallIntegerField(_("position"))
    title = models.JSONField(_("title"))
    weight = models.DecimalField(_("weight"), max_digits=8, decimal_places=3, default=1)
    scoring = models.CharField(_("scoring"), max_length=20, choices=Scoring.choices)

    class Meta:
        verbose_name = _("section")
        verbose_name_plural = _("sections")
        ordering = ["version", "position"]
        constraints = [
            models.UniqueConstraint(fields=["version", "key"], name="assessments_section_unique"),
        ]

    def __str__(self):
        return in_language(self.title)


class Criterion(models.Model):
    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="criteria")
    version = models.ForeignKey(InstrumentVersion, on_delete=models.CASCADE, related_name="+")
    key = models.SlugField(_("key"), max_length=80)
    position = models.PositiveSmallIntegerField(_("position"))
    title = models.JSONField(_("title"))
    weight = models.DecimalField(_("weight"), max_digits=8, decimal_places=3, default=1)
    priority = models.BooleanField(_("priority"), default=False)
    scoring = models.CharField(_("scoring"), max_length=20, choices=Scoring.choices)

    class Meta:
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        ordering = ["section__position", "position"]
        constraints = [
            models.UniqueConstraint(fields=["version", "key"], name="assessments_criterion_unique"),
        ]

    def __str__(self):
        return in_language(self.title)


class Item(models.Model):
    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="items")
    version = models.ForeignKey(InstrumentVersion, on_delete=models.CASCADE, related_name="items")
    key = models.SlugField(_("key"), max_length=80)
    position = models.PositiveSmallIntegerField(_("position"))
    type = models.CharField(_("type"), max_length=20, choices=ItemType.choices)
    text = models.JSONField(_("text"))
    weight = models.DecimalField(_("weight"), max_digits=8, decimal_places=3, default=1)
    priority = models.BooleanField(_("priority"), default=False)
    allows_not_applicable = models.BooleanField(_("may be not applicable"), default=False)
    # The item as declared in the file (levels, poles, bounds, choices…).
    spec = models.JSONField(_("definition"))
    # The item of the version this one continues (the version's mapping), for comparisons.
    continues = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="continued_by",
        verbose_name=_("continues item"),
    )

    class Meta:
        verbose_name = _("item")
        verbose_name_plural = _("items")
        ordering = ["criterion__section__position", "criterion__position", "position"]
        constraints = [
            models.UniqueConstraint(fields=["version", "key"], name="assessments_item_unique"),
        ]

    def __str__(self):
        return in_language(self.text)


class Context(models.TextChoices):
    SELF = "self", _("Self-assessment")
    COMMITTEE = "committee", _("Admission committee")
    BEFORE = "before", _("Before a programme")
    AFTER = "after", _("After a programme")
    COLLECTIVE = "collective", _("Collective appraisal")
    DIAGNOSTIC = "diagnostic", _("Shared diagnostic")


class AssessmentStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")


SUBJECT_FIELDS = {
    SubjectKind.PROJECT: "project",
    SubjectKind.ACCOMPANIMENT: "accompaniment",
    SubjectKind.STRUCTURE: "subject_structure",
    SubjectKind.SESSION: "offer_session",
    SubjectKind.NETWORK: "network",
}


def _subject_condition(kind: str) -> Q:
    """Exactly the subject field of `kind` is set (the offer session may also be a context)."""
    condition = Q(subject_kind=kind)
    for other_kind, name in SUBJECT_FIELDS.items():
        if other_kind == kind:
            condition &= Q(**{f"{name}__isnull": False})
        elif name != "offer_session":
            condition &= Q(**{f"{name}__isnull": True})
    return condition


class Assessment(models.Model):
    """One use of an instrument version on a subject, by a structure (or the network)."""

    uuid = models.UUIDField(_("stable identifier"), default=uuid4, unique=True, editable=False)
    version = models.ForeignKey(
        InstrumentVersion,
        on_delete=models.PROTECT,
        related_name="assessments",
        verbose_name=_("instrument version"),
    )
    subject_kind = models.CharField(_("subject"), max_length=20, choices=SubjectKind.choices)
    project = models.ForeignKey(
        "pathways.Project",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("project"),
    )
    accompaniment = models.ForeignKey(
        "pathways.Accompaniment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("accompaniment"),
    )
    subject_structure = models.ForeignKey(
        "directory.Structure",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assessed structure"),
    )
    network = models.ForeignKey(
        "directory.Network",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("network"),
    )
    # The subject when it is a cohort; else the programme a before/after pair belongs to.
    offer_session = models.ForeignKey(
        "directory.OfferSession",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("offer session"),
    )
    context = models.CharField(_("context"), max_length=20, choices=Context.choices)
    # The structure that made it (and holds it); None for the network's own assessments.
    structure = models.ForeignKey(
        "directory.Structure",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("made by structure"),
    )
    title = models.CharField(_("title"), max_length=200, blank=True)
    assessed_on = models.DateField(_("assessed on"))
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=AssessmentStatus.choices,
        default=AssessmentStatus.DRAFT,
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

    class Meta:
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        ordering = ["-assessed_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=_subject_condition(SubjectKind.PROJECT)
                | _subject_condition(SubjectKind.ACCOMPANIMENT)
                | _subject_condition(SubjectKind.STRUCTURE)
                | _subject_condition(SubjectKind.SESSION)
                | _subject_condition(SubjectKind.NETWORK),
                name="assessments_assessment_one_subject",
                violation_error_message=_("An assessment is about exactly one subject."),
            ),
        ]

    def __str__(self):
        return self.title or f"{self.version} · {self.assessed_on}"

    @property
    def subject(self):
        return getattr(self, SUBJECT_FIELDS[self.subject_kind])


class Answer(models.Model):
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="answers")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+")
    # The value as validated for the item's type (number, bool, key, list of keys, text).
    value = models.JSONField(_("value"), null=True, blank=True)
    not_applicable = models.BooleanField(_("not applicable"), default=False)
    comment = models.TextField(_("comment"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("answered by"),
    )
    answered_at = models.DateTimeField(_("answered at"), auto_now=True)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "item"], name="assessments_answer_unique"
            ),
        ]

    def __str__(self):
        return f"{self.assessment_id} · {self.item_id}"


# --- Committees --------------------------------------------------------------------------------


class CommitteeStatus(models.TextChoices):
    SCORING = "scoring", _("Members are scoring")
    DISCUSSION = "discussion", _("Discussion open")
    CLOSED = "closed", _("Closed")


class Committee(models.Model):
    """An admission committee on an offer session's applications, with one grid."""

    uuid = models.UUIDField(_("stable identifier"), default=uuid4, unique=True, editable=False)
    offer_session = models.ForeignKey(
        "directory.OfferSession",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("offer session"),
    )
    # The offer's structure: its staff chair and sit on the committee.
    structure = models.ForeignKey(
        "directory.Structure",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("structure"),
    )
    version = models.ForeignKey(
        InstrumentVersion, on_delete=models.PROTECT, related_name="+", verbose_name=_("grid")
    )
    chair = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("chair"),
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="+", verbose_name=_("members")
    )
    status = models.CharField(
        _("status"), max_length=20, choices=CommitteeStatus.choices, default=CommitteeStatus.SCORING
    )
    held_on = models.DateField(_("held on"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("committee")
        verbose_name_plural = _("committees")
        ordering = ["-held_on", "-pk"]

    def __str__(self):
        return f"{self.offer_session} · {self.held_on}"


class ReviewState(models.TextChoices):
    DRAFT = "draft", _("Scoring")
    SUBMITTED = "submitted", _("Submitted")
    ABSTAINED = "abstained", _("Abstained")


class Review(models.Model):
    """One member's scoring of one application, alone until submitted (or abstention)."""

    committee = models.ForeignKey(Committee, on_delete=models.CASCADE, related_name="reviews")
    application = models.ForeignKey(
        "pathways.Application", on_delete=models.PROTECT, related_name="+"
    )
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    state = models.CharField(
        _("state"), max_length=20, choices=ReviewState.choices, default=ReviewState.DRAFT
    )
    abstention_reason = models.CharField(_("reason for abstaining"), max_length=300, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)

    class Meta:
        verbose_name = _("committee review")
        verbose_name_plural = _("committee reviews")
        constraints = [
            models.UniqueConstraint(
                fields=["committee", "application", "member"], name="assessments_review_unique"
            ),
        ]

    def __str__(self):
        return f"{self.committee_id} · {self.application_id} · {self.member_id}"


class ReviewScore(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="scores")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+")
    value = models.JSONField(_("value"), null=True, blank=True)
    not_applicable = models.BooleanField(_("not applicable"), default=False)

    class Meta:
        verbose_name = _("committee score")
        verbose_name_plural = _("committee scores")
        constraints = [
            models.UniqueConstraint(fields=["review", "item"], name="assessments_score_unique"),
        ]

    def __str__(self):
        return f"{self.review_id} · {self.item_id}"


class AgreedValue(models.Model):
    """The value the committee agrees on for a criterion of a candidate, with its reason."""

    committee = models.ForeignKey(Committee, on_delete=models.CASCADE, related_name="agreed")
    application = models.ForeignKey(
        "pathways.Application", on_delete=models.PROTECT, related_name="+"
    )
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="+")
    value = models.DecimalField(_("agreed value"), max_digits=8, decimal_places=2)
    reason = models.TextField(_("reason"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now=True)

    class Meta:
        verbose_name = _("agreed value")
        verbose_name_plural = _("agreed values")
        constraints = [
            models.UniqueConstraint(
                fields=["committee", "application", "criterion"], name="assessments_agreed_unique"
            ),
        ]

    def __str__(self):
        return f"{self.criterion} · {self.value}"


class ScoreChange(models.Model):
    """Every change of a committee score: a member's answer, an abstention, an agreed value."""

    committee = models.ForeignKey(Committee, on_delete=models.CASCADE, related_name="changes")
    application = models.ForeignKey(
        "pathways.Application", on_delete=models.PROTECT, related_name="+"
    )
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("at"), auto_now_add=True)
    # What changed: an item's score ("item:<key>"), a criterion's agreed value
    # ("agreed:<key>"), or the member's review state ("review").
    target = models.CharField(_("what"), max_length=100)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)

    class Meta:
        verbose_name = _("score change")
        verbose_name_plural = _("score changes")
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.target}: {self.before} → {self.after}"


# --- Collective appraisal sessions (seed 004, sheet II-3) ---------------------------------------


class AppraisalStatus(models.TextChoices):
    OPEN = "open", _("In progress")
    CLOSED = "closed", _("Closed")


class Side(models.TextChoices):
    FOR = "for", _("For")
    AGAINST = "against", _("Against")


class Appraisal(models.Model):
    """A group (a facilitator and at least three people present) appraises a subject against an
    instrument's cursor items (the axes), argument by argument. Closing it writes the final
    positions as a collective assessment (`result`), compared like any assessment."""

    uuid = models.UUIDField(_("stable identifier"), default=uuid4, unique=True, editable=False)
    version = models.ForeignKey(
        InstrumentVersion,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("instrument version"),
    )
    subject_kind = models.CharField(_("subject"), max_length=20, choices=SubjectKind.choices)
    project = models.ForeignKey(
        "pathways.Project",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("project"),
    )
    subject_structure = models.ForeignKey(
        "directory.Structure",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("appraised structure"),
    )
    network = models.ForeignKey(
        "directory.Network",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("network"),
    )
    # The structure that holds the session; None for the network's own (its coordinators).
    structure = models.ForeignKey(
        "directory.Structure",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("held by structure"),
    )
    title = models.CharField(_("title"), max_length=200, blank=True)
    held_on = models.DateField(_("held on"))
    facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("facilitator"),
    )
    participants = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="+", verbose_name=_("participants")
    )
    # Keys of the items (axes) the group marks as priorities.
    priorities = models.JSONField(_("priority axes"), default=list, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=AppraisalStatus.choices, default=AppraisalStatus.OPEN
    )
    result = models.OneToOneField(
        Assessment,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="appraisal",
        verbose_name=_("result"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("collective appraisal")
        verbose_name_plural = _("collective appraisals")
        ordering = ["-held_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    subject_kind=SubjectKind.PROJECT,
                    project__isnull=False,
                    subject_structure__isnull=True,
                    network__isnull=True,
                )
                | Q(
                    subject_kind=SubjectKind.STRUCTURE,
                    project__isnull=True,
                    subject_structure__isnull=False,
                    network__isnull=True,
                )
                | Q(
                    subject_kind=SubjectKind.NETWORK,
                    project__isnull=True,
                    subject_structure__isnull=True,
                    network__isnull=False,
                ),
                name="assessments_appraisal_one_subject",
                violation_error_message=_("An appraisal is about exactly one subject."),
            ),
        ]

    def __str__(self):
        return self.title or f"{self.version.title} · {self.held_on}"

    @property
    def subject(self):
        return getattr(self, SUBJECT_FIELDS[self.subject_kind])


class Argument(models.Model):
    """One argument of an appraisal, in the order spoken: who, for or against, on which axis,
    and how far the group agreed it moves the cursor (the position after it is kept)."""

    appraisal = models.ForeignKey(Appraisal, on_delete=models.CASCADE, related_name="arguments")
    number = models.PositiveIntegerField(_("number"))
    speaker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    side = models.CharField(_("for or against"), max_length=10, choices=Side.choices)
    item = models.ForeignKey(
        Item, on_delete=models.PROTECT, related_name="+", verbose_name=_("axis")
    )
    text = models.TextField(_("argument"))
    amount = models.DecimalField(_("move"), max_digits=4, decimal_places=2)
    position_after = models.DecimalField(_("position after"), max_digits=4, decimal_places=2)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("argument")
        verbose_name_plural = _("arguments")
        ordering = ["appraisal", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["appraisal", "number"], name="assessments_argument_unique"
            ),
            models.CheckConstraint(
                condition=Q(amount__gte=0, amount__lte=1),
                name="assessments_argument_amount",
                violation_error_message=_("An argument moves the cursor by 0 to 1."),
            ),
            models.CheckConstraint(
                condition=Q(position_after__gte=-2, position_after__lte=2),
                name="assessments_argument_position",
                violation_error_message=_("The cursor goes from -2 to +2."),
            ),
        ]

    def __str__(self):
        return f"{self.appraisal_id} #{self.number}"


# --- Shared diagnostic → accompaniment plan -----------------------------------------------------


class PlanStepLink(models.Model):
    """A weak criterion of a project's diagnostic became a step of a carrier's plan: the next
    diagnostic of the project shows what became of the step."""

    assessment = models.ForeignKey(
        Assessment,
        on_delete=models.CASCADE,
        related_name="plan_links",
        verbose_name=_("diagnostic"),
    )
    criterion = models.ForeignKey(
        Criterion, on_delete=models.PROTECT, related_name="+", verbose_name=_("criterion")
    )
    step = models.OneToOneField(
        "pathways.PlanStep",
        on_delete=models.CASCADE,
        related_name="assessment_link",
        verbose_name=_("plan step"),
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

    class Meta:
        verbose_name = _("plan step from a diagnostic")
        verbose_name_plural = _("plan steps from diagnostics")
        ordering = ["assessment", "criterion__section__position", "criterion__position"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "criterion"], name="assessments_plan_link_unique"
            ),
        ]

    def __str__(self):
        return f"{self.criterion} → {self.step_id}"
