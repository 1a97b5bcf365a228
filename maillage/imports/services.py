"""Every write of the imports app: upload, mapping, dry run, duplicates, commit, undo.

A run goes UPLOADED → (ANALYSING) → READY or REFUSED → (IMPORTING) → IMPORTED → UNDONE, or
FAILED when something unexpected broke (or stopped responding: `retry` starts it again): the
moves are declared in `states.py`, and every change goes through `_move`, which logs it
(`ImportRunEvent`). Each service checks `import_records` on the run's structure. The uploaded
file (personal data) is stored only once its run is saved, and kept only while the run may
still need it: it is deleted when the run is imported, refused by the import, abandoned
(`cancel`) or deleted; the run keeps its name, hash, counts and report. The upload reads the
file once and keeps its header and first rows on the run (`preview`) for the mapping page.
Files of more than `IMPORT_BACKGROUND_ROWS` rows (default 2,000) are read by a django-tasks task
(`start_analyse`, `start_commit`), never in the request (`hand_off`); smaller ones in it.
"""

import hashlib
import os
import threading
from contextlib import contextmanager
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from maillage.core.states import move, started
from maillage.pathways.common import require

from . import readers
from .entities import ENTITIES
from .mapping import auto_mapping, clean_mapping, known_headers, missing_fields
from .models import Entity, ImportedRow, ImportRun, ImportStatus, SavedMapping
from .pipeline import handler_class, run_pipeline, stored_path
from .pipeline.base import CHUNK
from .pipeline.cells import display
from .pipeline.core import Report
from .selectors import unresolved_duplicates
from .states import IMPORT_RUN_STATES
from .vocabulary import clean_value_mappings, merge_value_mappings, structure_value_mappings

BACKGROUND_ROWS = getattr(settings, "IMPORT_BACKGROUND_ROWS", 2_000)
PREVIEW_ROWS = 5  # rows kept on the run for the mapping page
PREVIEW_CELL = 100  # characters kept of each of their cells
LOCK_NAMESPACE = 6_060  # pg_advisory_lock(namespace, structure id): one import at a time

MAPPABLE = (ImportStatus.UPLOADED, ImportStatus.READY, ImportStatus.REFUSED)
ANALYSABLE = (*MAPPABLE, ImportStatus.ANALYSING)


def _check(user, run_or_structure) -> None:
    structure = getattr(run_or_structure, "structure", run_or_structure)
    require(user, "import_records", structure)


def _move(run, to_status: str, *, user, update_fields=None, only_from=None) -> bool:
    """The one way a run changes status: checked against `states`, saved and logged."""
    return move(
        IMPORT_RUN_STATES,
        run,
        to_status,
        by=user,
        update_fields=update_fields,
        only_from=only_from,
    )


@contextmanager
def structure_lock(structure_id: int):
    """One import (or undo) at a time per structure, across processes (PostgreSQL)."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s, %s)", [LOCK_NAMESPACE, structure_id])
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [LOCK_NAMESPACE, structure_id])


# --- Upload and mapping ------------------------------------------------------------------------


def _count_rows(table) -> int:
    return sum(1 for _row in table.rows)


def _entity_sheet(names: list[str], entity: str) -> str:
    """The sheet named after the entity ("Actes", "Acts"), else the first one."""
    wanted = {readers.normalise_label(entity)}
    for language in ("fr", "en"):
        with override(language):
            wanted.add(readers.normalise_label(str(Entity(entity).label)))
    for name in names:
        if readers.normalise_label(name) in wanted:
            return name
    return names[0] if names else ""


def upload(
    *,
    structure,
    entity: str,
    user,
    uploaded_file,
    sheet: str = "",
    mapping_name: str = "",
    mapping: dict | None = None,
) -> ImportRun:
    """Keep the file, tell its format from its content, find its header row and propose a
    mapping (the saved one named, else `mapping` as a mapping file gives it, else from the
    headers). The value mappings are the saved mapping's (else those of every mapping the
    structure saved for this kind of file), with `mapping`'s over them. Raises
    ValidationError when the file cannot be imported (too large, not a spreadsheet, no
    header…), keeping nothing then."""
    _check(user, structure)
    if entity not in ENTITIES:
        raise ValidationError({"entity": _("Choose what the file holds.")}, code="entity")
    size = getattr(uploaded_file, "size", None) or 0
    if size > readers.MAX_BYTES:
        from django.template.defaultfilters import filesizeformat

        raise ValidationError(
            {
                "file": _(
                    "This file is too large (%(size)s; the limit is %(limit)s). Split it into "
                    "several files, for instance one per year, and import them one after the "
                    "other."
                )
                % {"size": filesizeformat(size), "limit": filesizeformat(readers.MAX_BYTES)}
            },
            code="too_large",
        )
    saved = None
    if mapping_name:
        saved = SavedMapping.objects.filter(
            structure=structure, entity=entity, name=mapping_name
        ).first()
        if saved is None:
            raise ValidationError(
                {"mapping_name": _("This saved mapping does not exist for this kind of file.")},
                code="mapping",
            )
    digest = hashlib.sha256()
    for chunk in uploaded_file.chunks():
        digest.update(chunk)
    uploaded_file.seek(0)
    name = os.path.basename(uploaded_file.name or "import")[:255] or "import"
    run = ImportRun(
        structure=structure,
        entity=entity,
        user=user,
        file_name=name,
        file_hash=digest.hexdigest(),
        file_size=size,
    )
    run.file.save(name, uploaded_file, save=False)
    try:
        names = []
        with stored_path(run) as path:
            run.file_format = readers.check_file(path)
            if run.file_format != "csv":
                names = readers.sheet_names(path)
                sheet = sheet or _entity_sheet(names, entity)
            with readers.open_table(
                path, sheet=sheet, known_headers=known_headers(entity)
            ) as table:
                run.sheet = table.sheet
                header = table.header
                run.preview, run.progress_total = _preview_and_count(table, names)
        if saved is not None:
            run.mapping = {
                code: column for code, column in saved.mapping.items() if column in header
            }
            run.mapping_name = saved.name
            run.value_mappings = saved.value_mappings or {}
            run.without_identifier = saved.without_identifier
        else:
            run.mapping = auto_mapping(entity, header)
            run.value_mappings = structure_value_mappings(structure, entity)
        if mapping is not None:
            _apply_mapping_file(run, header, mapping)
        with transaction.atomic():
            run.save()
            started(IMPORT_RUN_STATES, run, by=user)
    except readers.FileRefused as refused:
        run.file.delete(save=False)
        raise ValidationError({"file": refused.message}, code="refused") from None
    except BaseException:
        run.file.delete(save=False)  # never a file without its run
        raise
    return run


def _apply_mapping_file(run, header: list[str], given: dict) -> None:
    """A mapping file's columns (those of the file), value mappings and identifier answer
    (see `vocabulary.read_mapping_file`)."""
    spec = ENTITIES[run.entity]
    columns = {code: column for code, column in given.get("columns", {}).items() if column}
    if columns:
        # The fields it leaves out keep the columns matched from the headers.
        chosen = set(columns.values())
        matched = {
            code: column
            for code, column in run.mapping.items()
            if code not in columns and column not in chosen
        }
        run.mapping = clean_mapping(spec, header, {**matched, **columns})
    run.value_mappings = merge_value_mappings(
        run.value_mappings, clean_value_mappings(spec, given.get("values", {}))
    )
    if given.get("without_identifier"):
        run.without_identifier = True


def _preview_and_count(table, sheets: list[str]) -> tuple[dict, int]:
    """What the mapping page shows (the header, the first rows as text), and the row count:
    the file is read once at the upload, not at each view of the page."""
    rows, count = [], 0
    for row in table.rows:
        count += 1
        if len(rows) < PREVIEW_ROWS:
            rows.append([row.line, [display(value)[:PREVIEW_CELL] for value in row.cells]])
    preview = {
        "header": table.header,
        "header_line": table.header_line,
        "sheets": sheets,
        "rows": rows,
    }
    return preview, count


def header_of(run) -> list[str]:
    if run.preview.get("header") is not None:
        return run.preview["header"]
    with (
        stored_path(run) as path,
        readers.open_table(path, sheet=run.sheet, known_headers=known_headers(run.entity)) as table,
    ):
        return table.header


def _reset(run) -> None:
    run.counts, run.errors, run.warnings, run.duplicates = {}, [], [], []
    run.unknown_values, run.identifier_columns = [], []
    run.progress_done = 0
    run.analysed_at = None


@transaction.atomic
def set_mapping(
    *,
    run,
    user,
    mapping: dict[str, str],
    save_as: str = "",
    value_mappings: dict | None = None,
    without_identifier: bool | None = None,
) -> ImportRun:
    """The columns the user chose for the fields; `save_as` keeps them for the next files,
    with the run's value mappings and its answer about an identifier column (`value_mappings`
    and `without_identifier` replace the run's when given)."""
    _check(user, run)
    if run.status not in MAPPABLE:
        raise ValidationError(
            _("This import is no longer waiting for its columns: start a new import."),
            code="status",
        )
    spec = ENTITIES[run.entity]
    try:
        header = header_of(run)
    except readers.FileRefused as refused:
        raise ValidationError(refused.message, code="refused") from None
    cleaned = clean_mapping(spec, header, mapping)
    missing = missing_fields(spec, cleaned)
    if missing:
        raise ValidationError(missing, code="missing")
    run.mapping = cleaned
    if value_mappings is not None:
        run.value_mappings = value_mappings
    if without_identifier is not None:
        run.without_identifier = without_identifier
    _reset(run)
    save_as = " ".join(save_as.split())[:100]
    if save_as:
        SavedMapping.objects.update_or_create(
            structure=run.structure,
            entity=run.entity,
            name=save_as,
            defaults={
                "mapping": cleaned,
                "value_mappings": run.value_mappings or {},
                "without_identifier": run.without_identifier,
                "created_by": user,
            },
        )
        run.mapping_name = save_as
    if run.status == ImportStatus.UPLOADED:
        run.save()
    else:  # the columns changed: the dry run must be run again
        _move(run, ImportStatus.UPLOADED, user=user)
    return run


def map_values(*, run, user, answers: dict[str, dict[str, str]], save_as: str) -> ImportRun:
    """The advisor's answers for values the dry run found in no referential ({field code:
    {value as the file writes it: entry code}}): kept on the run and, with its columns, in the
    structure's saved mapping `save_as` (the next files, and `import_records --mapping`, read
    them). The run goes back to its dry run."""
    _check(user, run)
    save_as = " ".join((save_as or "").split())[:100]
    if not save_as:
        raise ValidationError(
            {"save_as": _("Give the mapping a name: the values are kept with it.")},
            code="name",
        )
    spec = ENTITIES[run.entity]
    known = {(entry["field"], entry["value"]): entry for entry in run.unknown_values or []}
    errors = []
    chosen: dict[str, dict[str, str]] = {}
    for code, values in answers.items():
        for value, entry_code in values.items():
            entry = known.get((code, value))
            if entry is None:
                errors.append(
                    _("“%(value)s” is not a value to map in this file: run the dry run again.")
                    % {"value": value}
                )
            elif entry_code not in {option[0] for option in entry["options"]}:
                errors.append(
                    _("“%(value)s”: choose one of the values proposed for “%(field)s”.")
                    % {"value": value, "field": spec[code].label}
                )
            else:
                chosen.setdefault(code, {})[value] = entry_code
    if errors:
        raise ValidationError(errors, code="values")
    if not chosen:
        raise ValidationError(
            _("Choose, for at least one value, the entry it means."), code="values"
        )
    return set_mapping(
        run=run,
        user=user,
        mapping=run.mapping,
        save_as=save_as,
        value_mappings=merge_value_mappings(run.value_mappings, chosen),
    )


def confirm_no_identifier(*, run, user) -> ImportRun:
    """The advisor confirms that the file has no identifier of its rows: its rows are
    recognised by their content. Kept with the saved mapping the run uses, if any."""
    _check(user, run)
    return set_mapping(
        run=run,
        user=user,
        mapping=run.mapping,
        save_as=run.mapping_name,
        without_identifier=True,
    )


# --- Dry run, duplicates ------------------------------------------------------------------------


def _progress_saver(run, progress):
    """Record the progress on the run (seen by the progress page) and pass it on."""

    def save(done: int, total: int) -> None:
        run.progress_done, run.progress_total = done, total
        run.progress_at = timezone.now()
        ImportRun.objects.filter(pk=run.pk).update(
            progress_done=done, progress_total=total, progress_at=run.progress_at
        )
        if progress is not None:
            progress(done, total)

    return save


def _apply(run, report: Report) -> None:
    run.counts = {**report.counts, "errors": report.error_count, "warnings": report.warning_count}
    run.errors = report.errors
    run.warnings = report.warnings
    run.duplicates = report.duplicates
    run.unknown_values = report.unknown_values
    run.identifier_columns = report.identifier_columns
    lines = {str(entry["line"]) for entry in report.duplicates}
    run.duplicate_decisions = {
        line: decision
        for line, decision in (run.duplicate_decisions or {}).items()
        if line in lines
    }
    run.progress_done = run.progress_total = report.rows


def analyse(*, run, user, progress=None, new_persons_for_duplicates: bool = False) -> ImportRun:
    """The dry run: what would be created, updated, left unchanged or skipped, every error
    and warning, the probable duplicates. READY when nothing is wrong, else REFUSED.
    `new_persons_for_duplicates` (the command): duplicates counted as new persons, warned."""
    _check(user, run)
    if run.status not in ANALYSABLE:
        raise ValidationError(
            _("This import is already done: start a new import to read the file again."),
            code="status",
        )
    run.progress_at = timezone.now()
    if run.status == ImportStatus.ANALYSING:  # started in the background (`start_analyse`)
        run.save(update_fields=["progress_at"])
    else:
        _move(run, ImportStatus.ANALYSING, user=user, update_fields=["progress_at"])
    try:
        report = run_pipeline(
            run,
            user=user,
            write=False,
            new_persons_for_duplicates=new_persons_for_duplicates,
            progress=_progress_saver(run, progress),
        )
    except BaseException:
        _mark_failed(run, user=user, phase=ImportStatus.ANALYSING)
        raise
    _apply(run, report)
    run.analysed_at = timezone.now()
    _move(run, ImportStatus.REFUSED if report.refused else ImportStatus.READY, user=user)
    return run


@transaction.atomic
def resolve_duplicates(*, run, user, decisions: dict[str, int | str]) -> ImportRun:
    """The advisor's answers: for a line, the person already recorded (id) or "new"."""
    _check(user, run)
    if run.status not in (ImportStatus.READY, ImportStatus.REFUSED):
        raise ValidationError(
            _("Answer for the duplicates after the dry run, before the import."), code="status"
        )
    by_line = {str(entry["line"]): entry for entry in run.duplicates}
    answers = dict(run.duplicate_decisions or {})
    errors = []
    for line, decision in decisions.items():
        entry = by_line.get(str(line))
        if entry is None:
            errors.append(
                _("Line %(line)s has no probable duplicate to answer for.") % {"line": line}
            )
            continue
        if decision == "new":
            answers[str(line)] = "new"
            continue
        candidates = {candidate["id"] for candidate in entry["candidates"]}
        try:
            person = int(decision)
        except (TypeError, ValueError):
            person = None
        if person not in candidates:
            errors.append(
                _("Line %(line)s: choose one of the persons proposed, or a new person.")
                % {"line": line}
            )
            continue
        answers[str(line)] = person
    if errors:
        raise ValidationError(errors, code="decisions")
    run.duplicate_decisions = answers
    run.save(update_fields=["duplicate_decisions"])
    return run


# --- Commit and undo ----------------------------------------------------------------------------


def commit(*, run, user, progress=None, new_persons_for_duplicates: bool = False) -> ImportRun:
    """Import the file: everything in one transaction, or nothing.

    The file is read and checked again (the database may have changed since the dry run). The
    run ends IMPORTED, or REFUSED with its errors (nothing written). Probable duplicates must
    be answered first (ValidationError otherwise), unless `new_persons_for_duplicates` (the
    command): they are then warnings, and the rows new persons. Importing the same file again
    creates and changes nothing.
    """
    _check(user, run)
    if run.status not in (ImportStatus.UPLOADED, ImportStatus.READY, ImportStatus.IMPORTING):
        raise ValidationError(_commit_refusal(run), code="status")
    if not new_persons_for_duplicates and unresolved_duplicates(run):
        raise _duplicates_first()
    run.progress_at = timezone.now()
    if run.status == ImportStatus.IMPORTING:  # started in the background (`start_commit`)
        claimed = ImportRun.objects.filter(pk=run.pk, status=ImportStatus.IMPORTING).update(
            progress_at=run.progress_at
        )
    else:
        claimed = _move(
            run,
            ImportStatus.IMPORTING,
            user=user,
            update_fields=["progress_at"],
            only_from=run.status,
        )
    if not claimed:
        run.refresh_from_db()  # imported meanwhile (a second click): nothing more to do
        return run

    def finish(report: Report) -> None:
        _apply(run, report)
        run.imported_at = timezone.now()
        _move(run, ImportStatus.IMPORTED, user=user)

    try:
        with structure_lock(run.structure_id):
            if ImportRun.objects.filter(pk=run.pk, status=ImportStatus.IMPORTED).exists():
                run.refresh_from_db()  # imported meanwhile (a second click): nothing to do
                return run
            report = run_pipeline(
                run,
                user=user,
                write=True,
                new_persons_for_duplicates=new_persons_for_duplicates,
                progress=_progress_saver(run, progress),
                before_commit=finish,
            )
    except BaseException:
        _mark_failed(run, user=user, phase=ImportStatus.IMPORTING)
        raise
    if run.status == ImportStatus.IMPORTED:
        _discard_file(run)  # finished: the file is no longer needed (its report stays)
        return run
    _apply(run, report)
    if report.pending:
        _move(run, ImportStatus.READY, user=user)
        raise _duplicates_first()
    _move(run, ImportStatus.REFUSED, user=user)
    _discard_file(run)  # refused by the import itself: the file must be sent again
    return run


def _discard_file(run) -> None:
    """Delete the run's file (personal data) from the storage; the run keeps its name, hash,
    counts and report."""
    if not run.file:
        return
    storage, name = run.file.storage, run.file.name
    ImportRun.objects.filter(pk=run.pk).update(file="")
    run.file = ""
    transaction.on_commit(lambda: storage.delete(name))


def _mark_failed(run, *, user, phase: str) -> None:
    """FAILED, even when the database connection the run was using has died (the run must not
    stay "in progress" for ever): the connection is then closed, and Django opens a new one.
    `phase`: the status the run has in the database (what was written in the failed
    transaction, such as IMPORTED, was rolled back)."""
    from django.db import DatabaseError

    run.status = phase
    try:
        _move(run, ImportStatus.FAILED, user=user, update_fields=(), only_from=phase)
        return
    except DatabaseError:
        if connection.in_atomic_block:
            raise
        connection.close()
    run.status = phase
    _move(run, ImportStatus.FAILED, user=user, update_fields=(), only_from=phase)


def _duplicates_first() -> ValidationError:
    return ValidationError(
        _(
            "Some rows look like persons already recorded: say for each whether it is the same "
            "person or a new one, then import."
        ),
        code="duplicates",
    )


def _commit_refusal(run) -> str:
    if run.status == ImportStatus.REFUSED:
        return _(
            "The dry run found errors: correct the file and upload it again (nothing was imported)."
        )
    if run.status == ImportStatus.IMPORTED:
        return _("This file is already imported.")
    return _("This import cannot be run in its current state: open it again to see why.")


def _undo_refusal(count: int) -> ValidationError:
    return ValidationError(
        _(
            "This import cannot be undone: %(count)s of the records it created were changed in "
            "Maillage since (or were given other records: acts, applications…). Correct or "
            "delete them on their pages instead."
        )
        % {"count": count},
        code="changed",
    )


def undo(*, run, user) -> ImportRun:
    """Delete what the run created, unless one of those records changed since.

    Rows the run only updated keep the values the file gave them (importing the earlier file
    again restores those). A person's last activity is not moved back.
    """
    _check(user, run)
    if run.status != ImportStatus.IMPORTED:
        raise ValidationError(_("Only an imported file can be undone."), code="status")
    handler = handler_class(run.entity)
    model = handler.model
    with structure_lock(run.structure_id), transaction.atomic():
        kept = dict(
            ImportedRow.objects.filter(created_by_run=run).values_list("object_id", "version")
        )
        ids = sorted(kept)
        changed = 0
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start : start + CHUNK]
            current = dict(model.objects.filter(pk__in=chunk).values_list("pk", "version"))
            changed += sum(1 for pk, version in current.items() if version != kept[pk])
            changed += _linked_since(run.entity, chunk, run)
        if changed:
            raise _undo_refusal(changed)
        for start in range(0, len(ids), CHUNK):
            model.objects.filter(pk__in=ids[start : start + CHUNK]).delete()
        ImportedRow.objects.filter(created_by_run=run).delete()
        run.undone_at = timezone.now()
        run.undone_by = user
        _move(run, ImportStatus.UNDONE, user=user, update_fields=["undone_at", "undone_by"])
    return run


def _linked_since(entity: str, ids: list[int], run) -> int:
    """How many of the created records others now depend on (they would go with them)."""
    from maillage.pathways import models as m

    if entity == Entity.PERSONS:
        related = [
            m.ActParticipant.objects.filter(person_id__in=ids).values_list("person_id"),
            m.Application.objects.filter(person_id__in=ids).values_list("person_id"),
            m.Referral.objects.filter(person_id__in=ids).values_list("person_id"),
            m.Outcome.objects.filter(person_id__in=ids).values_list("person_id"),
            m.Project.persons.through.objects.filter(person_id__in=ids).values_list("person_id"),
            m.Consent.objects.filter(person_id__in=ids).values_list("person_id"),
            m.PersonNote.objects.filter(person_id__in=ids).values_list("person_id"),
            m.Person.objects.filter(merged_into_id__in=ids).values_list("merged_into_id"),
            m.Accompaniment.objects.filter(person_id__in=ids)
            .exclude(structure_id=run.structure_id)
            .values_list("person_id"),
        ]
        return len({row[0] for queryset in related for row in queryset})
    if entity == Entity.PROJECTS:
        related = (
            m.Application.objects.filter(project_id__in=ids),
            m.Referral.objects.filter(project_id__in=ids),
            m.Outcome.objects.filter(project_id__in=ids),
        )
        return len(
            {pk for queryset in related for pk in queryset.values_list("project_id", flat=True)}
        )
    if entity == Entity.REFERRALS:
        return m.Application.objects.filter(next_step_referral_id__in=ids).count()
    return 0


# --- Background ---------------------------------------------------------------------------------


def start_analyse(*, run, user) -> ImportRun:
    """The dry run, now for a small file, else as a background task (the page shows progress)."""
    _check(user, run)
    if run.status not in ANALYSABLE:
        raise ValidationError(
            _("This import is already done: start a new import to read the file again."),
            code="status",
        )
    if run.progress_total <= BACKGROUND_ROWS:
        return analyse(run=run, user=user)
    from .tasks import analyse_import

    run.progress_done = 0
    run.progress_at = timezone.now()
    if run.status == ImportStatus.ANALYSING:
        run.save(update_fields=["progress_done", "progress_at"])
    else:
        _move(
            run, ImportStatus.ANALYSING, user=user, update_fields=["progress_done", "progress_at"]
        )
    user_id = user.pk if user is not None else None
    transaction.on_commit(lambda: hand_off(analyse_import, run.pk, user_id))
    return run


def start_commit(*, run, user) -> ImportRun:
    """The import, now for a small file, else as a background task."""
    _check(user, run)
    if run.status != ImportStatus.READY:
        raise ValidationError(_commit_refusal(run), code="status")
    if unresolved_duplicates(run):
        raise _duplicates_first()
    if run.progress_total <= BACKGROUND_ROWS:
        return commit(run=run, user=user)
    from .tasks import commit_import

    run.progress_done = 0
    run.progress_at = timezone.now()
    _move(run, ImportStatus.IMPORTING, user=user, update_fields=["progress_done", "progress_at"])
    user_id = user.pk if user is not None else None
    transaction.on_commit(lambda: hand_off(commit_import, run.pk, user_id))
    return run


def hand_off(task, *args) -> None:
    """Enqueue the task. A backend that runs tasks at once, inside the caller (django-tasks'
    "immediate"), would keep the web request until a large file is read: the task then runs
    in a thread of its own (with its own database connection), and the request returns."""
    from django_tasks.backends.immediate import ImmediateBackend

    get_backend = getattr(task, "get_backend", None)
    if get_backend is None or not isinstance(get_backend(), ImmediateBackend):
        task.enqueue(*args)
        return

    def run_task():
        from django.db import connections

        try:
            task.call(*args)
        finally:
            connections.close_all()

    threading.Thread(target=run_task, name=f"import-task-{args[0]}", daemon=True).start()


# --- Abandon ----------------------------------------------------------------------------------


@transaction.atomic
def cancel(*, run, user) -> None:
    """Abandon a run that imported nothing: it is deleted, and its file with it (once the
    deletion is committed, see `signals`)."""
    _check(user, run)
    if run.status not in (*MAPPABLE, ImportStatus.FAILED):
        raise ValidationError(
            _("This import is in progress or done: it can no longer be abandoned."),
            code="status",
        )
    run.delete()


# --- Runs that died ------------------------------------------------------------------------------


def stale_after() -> timedelta:
    return timedelta(minutes=getattr(settings, "IMPORT_STALE_MINUTES", 30))


def is_stale(run) -> bool:
    """A dry run or an import "in progress" that has shown no sign of life for
    IMPORT_STALE_MINUTES: its process, or its database connection, died."""
    if run.status not in (ImportStatus.ANALYSING, ImportStatus.IMPORTING):
        return False
    last = run.progress_at or run.created_at
    return last is not None and timezone.now() - last > stale_after()


def retry(*, run, user) -> ImportRun:
    """Start again a run that failed, or died in progress (stale): back to its mapping, to run
    the dry run again (nothing of a failed import was written: it is one transaction)."""
    _check(user, run)
    if not (run.status == ImportStatus.FAILED or is_stale(run)):
        raise ValidationError(
            _("Only an import that failed or stopped responding can be started again."),
            code="status",
        )
    if not run.file:
        raise ValidationError(
            _("The file of this import is no longer kept: upload it again."), code="file"
        )
    run.progress_done, run.progress_at = 0, None
    updated = _move(
        run,
        ImportStatus.UPLOADED,
        user=user,
        update_fields=["progress_done", "progress_at"],
        only_from=run.status,
    )
    run.refresh_from_db()
    if not updated:
        raise ValidationError(
            _("This import changed meanwhile: open it again to see where it stands."),
            code="changed",
        )
    return run
