"""Spreadsheet imports: each run kept with its file, mapping, report and what it wrote.

An `ImportRun` goes uploaded → analysed (the dry run: counts, errors, warnings, duplicates to
resolve) → imported (one transaction) → possibly undone. `ImportedRow` remembers, per structure
and entity, the stable key of every row ever imported (the file's own id, or a key built from
the row when the file has none, kept as a keyed hash: never the names or birth dates in
clear) with the object it became and a hash of its values: a second
import of the same file finds every key with the same hash and writes nothing, a corrected file
updates only the rows whose hash changed.

Personal data (what an erasure must scrub, issue 13): on `ImportRun`, `file` (the uploaded
spreadsheet itself, under MEDIA_ROOT/imports/<structure id>/<run uuid>, until the run is
finished: imported, or refused by the import), `file_name` (a name may say whose file it is),
`preview` (the header and the first rows of the file, as text), `errors`, `warnings` and
`unknown_values` (each
entry's "value" is a cell of the file: names, birth dates, e-mails…), `duplicates` (each
entry's "label" is the row, each candidate's "label" a person's name and birth year) and
`duplicate_decisions` (person ids). `ImportedRow.key` holds only a keyed hash, `row_hash` a
hash of the row's values; `SavedMapping` holds column headers, and the values of referential
columns the advisor mapped to entries ("RSA socle"), only.
"""

from uuid import uuid4

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Entity(models.TextChoices):
    PERSONS = "persons", _("Persons")
    PROJECTS = "projects", _("Projects")
    APPLICATIONS = "applications", _("Applications")
    REFERRALS = "referrals", _("Referrals")
    ACTS = "acts", _("Acts")
    OUTCOMES = "outcomes", _("Outcomes")


class ImportStatus(models.TextChoices):
    UPLOADED = "uploaded", _("Uploaded, mapping to check")
    ANALYSING = "analysing", _("Dry run in progress")
    READY = "ready", _("Dry run passed, ready to import")
    REFUSED = "refused", _("Refused: the file has errors")
    IMPORTING = "importing", _("Import in progress")
    IMPORTED = "imported", _("Imported")
    FAILED = "failed", _("Failed")
    UNDONE = "undone", _("Undone")


def import_upload_path(run, filename: str) -> str:
    return f"imports/{run.structure_id}/{run.uuid}"


class ImportRun(models.Model):
    """One file imported (or tried) into one structure, for one entity."""

    uuid = models.UUIDField(_("stable identifier"), default=uuid4, unique=True, editable=False)
    structure = models.ForeignKey(
        "directory.Structure",
        on_delete=models.PROTECT,
        related_name="import_runs",
        verbose_name=_("structure"),
    )
    entity = models.CharField(_("what the file holds"), max_length=20, choices=Entity.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("imported by"),
    )
    # Personal data: the spreadsheet, deleted once the run is finished (services) and with the
    # run (signals); its name.
    file = models.FileField(_("file"), upload_to=import_upload_path, blank=True)
    file_name = models.CharField(_("file name"), max_length=255)
    file_hash = models.CharField(_("SHA-256 of the file"), max_length=64)
    file_size = models.PositiveBigIntegerField(_("size in bytes"), default=0)
    file_format = models.CharField(_("format"), max_length=10, blank=True)  # csv, xlsx, ods
    sheet = models.CharField(_("sheet"), max_length=100, blank=True)
    # {field code: column header as the file writes it}
    mapping = models.JSONField(_("mapping"), default=dict, blank=True)
    mapping_name = models.CharField(_("saved mapping used"), max_length=100, blank=True)
    # {field code: {value as the file writes it: code of the entry it means}}: the advisor's
    # answers for values of referential columns that match no entry ("RSA socle" → "rsa").
    value_mappings = models.JSONField(_("value mappings"), default=dict, blank=True)
    # The advisor confirmed that the file has no identifier of its rows (its rows are then
    # recognised by their content), although a column looks like one.
    without_identifier = models.BooleanField(_("file without row identifier"), default=False)
    # Personal data: {"header": [...], "header_line": n, "sheets": [...], "rows": [[line,
    # [cell as text, …]], …]}: what the mapping page shows, read once at the upload.
    preview = models.JSONField(_("preview"), default=dict, blank=True)
    # {"line number as text": person id, or "new"}: how the user resolved probable duplicates.
    duplicate_decisions = models.JSONField(default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=ImportStatus.choices, default=ImportStatus.UPLOADED
    )
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    # When a dry run or an import last showed it was alive (it started, or moved on): a run
    # "in progress" silent for IMPORT_STALE_MINUTES has died with its process or connection.
    progress_at = models.DateTimeField(null=True, blank=True)
    # {"created": n, "updated": n, "unchanged": n, "skipped": n}
    counts = models.JSONField(_("counts"), default=dict, blank=True)
    # Personal data (the "value" of each entry is a cell of the file):
    # [{"line": 734, "column": "Date du RDV", "value": "31/02/2025", "reason": "…"}]
    errors = models.JSONField(_("errors"), default=list, blank=True)
    warnings = models.JSONField(_("warnings"), default=list, blank=True)
    # Personal data: [{"line": 12, "label": "…", "candidates": [{"id": 3, "label": "Camille D.,
    # 1990"}]}]
    duplicates = models.JSONField(_("probable duplicates"), default=list, blank=True)
    # Personal data (each entry's "value" is a cell of the file): values of referential
    # columns that match no entry, to map in the dry run: [{"field": "situation", "column":
    # "Situation", "value": "RSA socle", "count": 3, "lines": [2, 5, 9], "candidates":
    # [["rsa", "Allocataire du RSA"]], "options": [[code, label], …]}]
    unknown_values = models.JSONField(_("values to map"), default=list, blank=True)
    # Headers of the unmapped columns that look like the file's identifier of its rows.
    identifier_columns = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    analysed_at = models.DateTimeField(_("dry run at"), null=True, blank=True)
    imported_at = models.DateTimeField(_("imported at"), null=True, blank=True)
    undone_at = models.DateTimeField(_("undone at"), null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("undone by"),
    )

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["structure", "-created_at"])]

    def __str__(self):
        return f"{self.file_name} → {self.structure} ({self.get_entity_display()})"


class ImportRunEvent(models.Model):
    """One change of a run's status (`imports.states`): from, to, when, by whom (if known)."""

    run = models.ForeignKey(
        ImportRun, on_delete=models.CASCADE, related_name="events", verbose_name=_("import")
    )
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

    class Meta:
        verbose_name = _("import status change")
        verbose_name_plural = _("import status changes")
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.from_status or '∅'} → {self.to_status}"


class ImportedRow(models.Model):
    """A row once imported into a structure: its stable key, what it became, its values' hash."""

    structure = models.ForeignKey("directory.Structure", on_delete=models.CASCADE, related_name="+")
    entity = models.CharField(max_length=20, choices=Entity.choices)
    # An HMAC of the row's key (`pipeline.core.protect_key`): never the key fields in clear.
    key = models.CharField(max_length=200)
    object_id = models.PositiveBigIntegerField()
    row_hash = models.CharField(max_length=64)
    created_by_run = models.ForeignKey(
        ImportRun, on_delete=models.SET_NULL, null=True, related_name="created_rows"
    )
    updated_by_run = models.ForeignKey(
        ImportRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="updated_rows"
    )
    # The object's `version` right after the import wrote it: a higher one means it was changed
    # since, and the import can no longer be undone.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["structure", "entity", "key"], name="imports_row_unique_key"
            )
        ]
        indexes = [models.Index(fields=["created_by_run"])]

    def __str__(self):
        return f"{self.entity} {self.key} → {self.object_id}"


class SavedMapping(models.Model):
    """A mapping a structure keeps for its next files of the same kind."""

    structure = models.ForeignKey(
        "directory.Structure",
        on_delete=models.CASCADE,
        related_name="import_mappings",
        verbose_name=_("structure"),
    )
    entity = models.CharField(_("what the file holds"), max_length=20, choices=Entity.choices)
    name = models.CharField(_("name"), max_length=100)
    mapping = models.JSONField(_("mapping"), default=dict)
    # {field code: {value as the files write it: entry code}} (see ImportRun.value_mappings)
    value_mappings = models.JSONField(_("value mappings"), default=dict, blank=True)
    without_identifier = models.BooleanField(_("files without row identifier"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("saved mapping")
        verbose_name_plural = _("saved mappings")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["structure", "entity", "name"], name="imports_mapping_unique_name"
            )
        ]

    def __str__(self):
        return self.name
