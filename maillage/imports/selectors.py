"""Reads of the imports app: the runs a user may see, a file's preview, the error report."""

from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from maillage.accounts.rules import roles_of

from . import readers
from .entities import ENTITIES, FieldSpec
from .mapping import known_headers
from .models import Entity, ImportedRow, ImportRun, ImportStatus, SavedMapping
from .pipeline import stored_path
from .pipeline.cells import display


def runs_for(user, structure=None) -> QuerySet[ImportRun]:
    """The runs of the structures the user works in (import_records), newest first."""
    staff = sorted(roles_of(user).staff_of)
    runs = ImportRun.objects.filter(structure_id__in=staff).select_related(
        "structure", "user", "undone_by"
    )
    if structure is not None:
        runs = runs.filter(structure=structure)
    return runs.order_by("-created_at", "-pk")


@dataclass
class Preview:
    header: list[str]
    rows: list[tuple[int, list[str]]] = field(default_factory=list)  # (line, cells as text)
    sheets: list[str] = field(default_factory=list)
    sheet: str = ""
    header_line: int = 0
    format: str = ""
    error: str = ""  # the file can no longer be read: why


def preview(run, rows: int = 5) -> Preview:
    """The file's header and its first rows, as text (and the sheets of a workbook): as the
    upload kept them on the run (the file is not read again), else from the file."""
    kept = run.preview or {}
    if kept.get("header") is not None:
        return Preview(
            header=kept["header"],
            rows=[(line, cells) for line, cells in kept.get("rows", [])[:rows]],
            sheets=kept.get("sheets", []),
            sheet=run.sheet,
            header_line=kept.get("header_line", 0),
            format=run.file_format,
        )
    try:
        with stored_path(run) as path:
            sheets = readers.sheet_names(path) if run.file_format != "csv" else []
            with readers.open_table(
                path, sheet=run.sheet, known_headers=known_headers(run.entity)
            ) as table:
                sample = []
                for row in table.rows:
                    sample.append((row.line, [display(value) for value in row.cells]))
                    if len(sample) >= rows:
                        break
                return Preview(
                    header=table.header,
                    rows=sample,
                    sheets=sheets,
                    sheet=table.sheet,
                    header_line=table.header_line,
                    format=table.format,
                )
    except (readers.FileRefused, FileNotFoundError, ValueError) as error:
        message = getattr(error, "message", "") or _(
            "The file of this import can no longer be read: upload it again."
        )
        return Preview(header=[], error=message)


def fields_for(entity: str) -> tuple[FieldSpec, ...]:
    return ENTITIES[entity].fields


def identifier_field(entity: str) -> FieldSpec:
    """The field of a kind of file that holds the rows' own identifier."""
    spec = ENTITIES[entity]
    return spec[spec.external_id_field]


def can_undo(run) -> bool:
    """Whether to offer undoing the run (no query; `services.undo` checks the records)."""
    return run.status == ImportStatus.IMPORTED and bool((run.counts or {}).get("created"))


def saved_mappings(structure, entity: str | None = None) -> QuerySet[SavedMapping]:
    mappings = SavedMapping.objects.filter(structure=structure)
    if entity:
        mappings = mappings.filter(entity=entity)
    return mappings.order_by("entity", "name")


def unresolved_duplicates(run) -> list[dict]:
    """The probable duplicates the advisor has not answered for yet."""
    decisions = run.duplicate_decisions or {}
    return [entry for entry in run.duplicates if str(entry["line"]) not in decisions]


def may_import(run) -> bool:
    """Whether to offer the import: a clean dry run with every duplicate answered (the
    services check it again)."""
    return run.status == ImportStatus.READY and not run.errors and not unresolved_duplicates(run)


def error_report_rows(run) -> tuple[list[str], list[list]]:
    """The errors then the warnings of the run, one row each, for the CSV download."""
    header = [_("Line"), _("Column"), _("Value"), _("Problem"), _("Kind")]
    rows = [
        [entry["line"], entry["column"], entry["value"], entry["reason"], _("Error")]
        for entry in run.errors
    ]
    rows += [
        [entry["line"], entry["column"], entry["value"], entry["reason"], _("Warning")]
        for entry in run.warnings
    ]
    return header, rows


def persons_touched(run, user, limit: int = 20) -> list:
    """Some persons the run's rows are about, among those the user may see (to open their
    timelines after an import)."""
    from maillage.pathways.visibility import persons_visible_to

    objects = ImportedRow.objects.filter(Q(created_by_run=run) | Q(updated_by_run=run)).values(
        "object_id"
    )
    persons = persons_visible_to(user)
    lookups = {
        Entity.PERSONS: {"pk__in": objects},
        Entity.ACTS: {"participations__act_id__in": objects},
        Entity.PROJECTS: {"projects__in": objects},
        Entity.APPLICATIONS: {"applications__in": objects},
        Entity.REFERRALS: {"referrals__in": objects},
        Entity.OUTCOMES: {"outcomes__in": objects},
    }
    return list(
        persons.filter(**lookups[run.entity]).distinct().order_by("last_name", "first_name")[:limit]
    )
