"""Knowledge sheets: families, sheets and their versions, typed links, reviews and comments.

A sheet keeps every version it had. The public sees the last validated version (`published`);
authors work on the next one meanwhile. Writes and rules live in `services.py`.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

DEFAULT_CODE_PATTERN = r"[A-Z0-9]+(?:-[A-Za-z0-9]+)*"


class Family(models.Model):
    """A family of sheets of a network (method sheets, experience sheets, thematic dossiers…)."""

    network = models.ForeignKey(
        "directory.Network",
        on_delete=models.CASCADE,
        related_name="sheet_families",
        verbose_name=_("network"),
    )
    slug = models.SlugField(_("slug"), max_length=80)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    code_pattern = models.CharField(
        _("code pattern"),
        max_length=200,
        default=DEFAULT_CODE_PATTERN,
        help_text=_("A regular expression every code of the family matches, e.g. I-C-2-a."),
    )
    is_public = models.BooleanField(
        _("public"), default=True, help_text=_("Unticked: only the network's members read it.")
    )
    quorum = models.PositiveSmallIntegerField(
        _("validations needed"),
        default=2,
        help_text=_("How many reviewers of other structures must validate a version."),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("family of sheets")
        verbose_name_plural = _("families of sheets")
        ordering = ["network", "position", "name"]
        constraints = [
            models.UniqueConstraint("network", "slug", name="knowledge_family_network_slug"),
            models.CheckConstraint(condition=models.Q(quorum__gte=1), name="knowledge_quorum_1"),
        ]

    def __str__(self):
        return self.name


class LinkType(models.Model):
    """A kind of link between sheets (see also, method for…), with the label read backwards."""

    SEE_ALSO = "see-also"

    network = models.ForeignKey(
        "directory.Network",
        on_delete=models.CASCADE,
        related_name="sheet_link_types",
        verbose_name=_("network"),
    )
    code = models.SlugField(_("code"), max_length=40)
    label = models.CharField(_("label"), max_length=100)
    inverse_label = models.CharField(_("label read backwards"), max_length=100)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("type of link")
        verbose_name_plural = _("types of link")
        ordering = ["network", "position", "code"]
        constraints = [
            models.UniqueConstraint("network", "code", name="knowledge_linktype_network_code"),
        ]

    def __str__(self):
        return self.label


class Tag(models.Model):
    network = models.ForeignKey(
        "directory.Network", on_delete=models.CASCADE, related_name="+", verbose_name=_("network")
    )
    slug = models.SlugField(_("slug"), max_length=80)
    label = models.CharField(_("label"), max_length=100)

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ["label"]
        constraints = [
            models.UniqueConstraint("network", "slug", name="knowledge_tag_network_slug"),
        ]

    def __str__(self):
        return self.label


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PROPOSED = "proposed", _("Proposed")
    UNDER_REVIEW = "under_review", _("Under review")
    VALIDATED = "validated", _("Validated")
    SENT_BACK = "sent_back", _("Sent back")


class Sheet(models.Model):
    network = models.ForeignKey(
        "directory.Network", on_delete=models.CASCADE, related_name="+", verbose_name=_("network")
    )
    family = models.ForeignKey(
        Family, on_delete=models.PROTECT, related_name="sheets", verbose_name=_("family")
    )
    code = models.CharField(_("code"), max_length=40)
    # The title readers see: the published version's, or the first draft's until one is validated.
    title = models.CharField(_("title"), max_length=200)
    is_public = models.BooleanField(
        _("public"), default=True, help_text=_("Unticked: only the network's members read it.")
    )
    structure = models.ForeignKey(
        "directory.Structure",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("author structure"),
        help_text=_("Reviewers come from other structures than this one."),
    )
    authors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="+", blank=True, verbose_name=_("authors")
    )
    tags = models.ManyToManyField(Tag, related_name="sheets", blank=True, verbose_name=_("tags"))
    stages = models.ManyToManyField(
        "directory.Stage", related_name="+", blank=True, verbose_name=_("stages")
    )
    structures = models.ManyToManyField(
        "directory.Structure", related_name="+", blank=True, verbose_name=_("structures")
    )
    offers = models.ManyToManyField(
        "directory.Offer", related_name="+", blank=True, verbose_name=_("offers")
    )
    instruments = models.ManyToManyField(
        "assessments.Instrument",
        related_name="+",
        blank=True,
        verbose_name=_("assessment instruments"),
    )
    working_groups = models.ManyToManyField(
        "collab.WorkingGroup", related_name="+", blank=True, verbose_name=_("working groups")
    )
    published = models.ForeignKey(
        "SheetVersion",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("published version"),
    )
    review_by = models.DateField(_("review by"), null=True, blank=True)
    # The "review by" date its authors were last reminded of (one reminder per date).
    reminded_for = models.DateField(
        _("authors reminded for"), null=True, blank=True, editable=False
    )
    # Folded (lower case, no accents) for the search: code and title, then the published body.
    search_title = models.TextField(editable=False, default="")
    search_body = models.TextField(editable=False, default="")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("sheet")
        verbose_name_plural = _("sheets")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(
                "network",
                "code",
                name="knowledge_sheet_network_code",
                violation_error_message=_("Another sheet of this network has this code."),
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.title}"


class SheetVersion(models.Model):
    """One version of a sheet's text; every version is kept."""

    sheet = models.ForeignKey(
        Sheet, on_delete=models.CASCADE, related_name="versions", verbose_name=_("sheet")
    )
    number = models.PositiveIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text (Markdown)"), blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=VersionStatus.choices, default=VersionStatus.DRAFT
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("author"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        verbose_name = _("sheet version")
        verbose_name_plural = _("sheet versions")
        ordering = ["sheet", "-number"]
        constraints = [
            models.UniqueConstraint("sheet", "number", name="knowledge_version_number"),
            models.CheckConstraint(
                condition=models.Q(status__in=VersionStatus.values),
                name="knowledge_version_status_valid",
            ),
        ]

    def __str__(self):
        return f"{self.sheet.code} v{self.number}"


class VersionStatusLog(models.Model):
    version = models.ForeignKey(
        SheetVersion, on_delete=models.CASCADE, related_name="status_log", verbose_name=_("version")
    )
    from_status = models.CharField(_("from"), max_length=20, blank=True)
    to_status = models.CharField(_("to"), max_length=20)
    at = models.DateTimeField(_("at"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("by"),
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("status change of a version")
        verbose_name_plural = _("status changes of versions")
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.from_status or '∅'} → {self.to_status}"


class SheetLink(models.Model):
    """A typed link from one sheet to another; the target shows it backwards."""

    source = models.ForeignKey(
        Sheet, on_delete=models.CASCADE, related_name="links_out", verbose_name=_("from")
    )
    target = models.ForeignKey(
        Sheet, on_delete=models.CASCADE, related_name="links_in", verbose_name=_("to")
    )
    link_type = models.ForeignKey(
        LinkType, on_delete=models.PROTECT, related_name="+", verbose_name=_("type of link")
    )
    # Written in the text ([[CODE]]): recomputed from each new version; else added by hand.
    from_text = models.BooleanField(_("from the text"), default=False)

    class Meta:
        verbose_name = _("link between sheets")
        verbose_name_plural = _("links between sheets")
        constraints = [
            models.UniqueConstraint(
                "source", "target", "link_type", "from_text", name="knowledge_link_unique"
            ),
            models.CheckConstraint(
                condition=~models.Q(source=models.F("target")), name="knowledge_link_not_self"
            ),
        ]

    def __str__(self):
        return f"{self.source_id} → {self.target_id} ({self.link_type_id})"


class BrokenReference(models.Model):
    """A reference in the text of a sheet's latest version to a code no sheet has."""

    sheet = models.ForeignKey(
        Sheet, on_delete=models.CASCADE, related_name="broken_references", verbose_name=_("sheet")
    )
    code = models.CharField(_("code"), max_length=40)

    class Meta:
        verbose_name = _("broken reference")
        verbose_name_plural = _("broken references")
        constraints = [
            models.UniqueConstraint("sheet", "code", name="knowledge_broken_unique"),
        ]

    def __str__(self):
        return self.code


class ReviewDecision(models.TextChoices):
    VALIDATE = "validate", _("Validate")
    SEND_BACK = "send_back", _("Send back")


class Review(models.Model):
    version = models.ForeignKey(
        SheetVersion, on_delete=models.CASCADE, related_name="reviews", verbose_name=_("version")
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("reviewer"),
    )
    structure = models.ForeignKey(
        "directory.Structure",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("reviewer's structure"),
    )
    decision = models.CharField(_("decision"), max_length=20, choices=ReviewDecision.choices)
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint("version", "reviewer", name="knowledge_review_once"),
            models.CheckConstraint(
                condition=models.Q(decision__in=ReviewDecision.values),
                name="knowledge_review_decision_valid",
            ),
        ]

    def __str__(self):
        return f"{self.get_decision_display()} · {self.reviewer}"


class Comment(models.Model):
    """A comment on a passage of a version: the quoted text and where it starts and ends."""

    version = models.ForeignKey(
        SheetVersion, on_delete=models.CASCADE, related_name="comments", verbose_name=_("version")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("author"),
    )
    quote = models.TextField(_("passage"))
    start = models.PositiveIntegerField(_("start"))
    end = models.PositiveIntegerField(_("end"))
    body = models.TextField(_("comment"))
    created_at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["start", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")), name="knowledge_comment_span"
            ),
        ]

    def __str__(self):
        return self.quote[:50]


def attachment_upload_path(attachment, filename: str) -> str:
    """MEDIA_ROOT/knowledge/<network id>/<sheet id>/<uuid>/<name>: never served by MEDIA_URL,
    always through the sheet's download view (which applies the sheet's visibility)."""
    sheet = attachment.sheet
    return f"knowledge/{sheet.network_id}/{sheet.pk}/{attachment.uuid}/{filename}"


class Attachment(models.Model):
    """A file attached to a sheet. It goes with the versions: added while version N is written,
    readers of version N and later see it; removed while version M is written, version M and
    later no longer show it (the validated version keeps it until the next one is validated)."""

    uuid = models.UUIDField(_("stable identifier"), default=uuid.uuid4, unique=True, editable=False)
    sheet = models.ForeignKey(
        Sheet, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("sheet")
    )
    file = models.FileField(_("file"), upload_to=attachment_upload_path, max_length=300)
    name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveIntegerField(_("size (bytes)"))
    content_type = models.CharField(_("type"), max_length=100)
    added_in = models.PositiveIntegerField(_("added in version"))
    removed_in = models.PositiveIntegerField(_("removed in version"), null=True, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("added by"),
    )
    created_at = models.DateTimeField(_("added at"), auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["sheet", "name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(removed_in__isnull=True)
                | models.Q(removed_in__gt=models.F("added_in")),
                name="knowledge_attachment_removed_after_added",
            ),
        ]

    def __str__(self):
        return self.name

    def in_version(self, number: int) -> bool:
        return self.added_in <= number and (self.removed_in is None or self.removed_in > number)
