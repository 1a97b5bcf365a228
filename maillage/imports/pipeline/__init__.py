"""From a stored file to rows in the database: read, check, match, key, compare, write.

One pass over the rows (streamed by `readers`) reads every cell, resolves the row (its person,
its referential values…), computes its stable key and the hash of its values, and compares
them with the `ImportedRow` kept for the key: new → create, same hash → unchanged, another
hash → update (skipped with a warning when the object was changed in Maillage since). Then,
when no row has an error, everything is written in one transaction — or, for a dry run, the
rows written through the services are rolled back (acts, written in bulk, are not written at
all: every check they need is made while reading).

    report = run_pipeline(run, user=user, write=True)
"""

import os
import shutil
import tempfile
from collections import Counter
from contextlib import contextmanager

from django.db import connection, transaction
from django.utils.translation import gettext as _

from maillage.pathways.acts.bulk import insert_rows

from ..entities import ENTITIES
from ..mapping import identifier_like, known_headers, missing_fields
from ..matching import UnmatchedValue
from ..models import ImportedRow
from ..readers import FileRefused, open_table
from ..values import CellError
from .base import CHUNK, Handler, plain
from .cells import display
from .core import (
    COUNTED,
    CREATE,
    PENDING,
    SKIP,
    UNCHANGED,
    UPDATE,
    Item,
    Report,
    RowProblem,
    digest,
    identifier_key,
    protect_key,
)
from .stream import Stream, rollback

PROGRESS_EVERY = 2_000
# Larger files of acts are written while they are read (PostgreSQL; see `stream`).
STREAM_ROWS = 20_000
# Up to this many rows kept for a structure and entity, their keys are read at once (about
# 250 bytes each); beyond, the keys of the file are looked up in chunks (memory stays bounded).
LOAD_ALL_KEYS = 400_000


def _handlers():
    from .acts import ActsHandler
    from .persons import PersonsHandler
    from .records import (
        ApplicationsHandler,
        OutcomesHandler,
        ProjectsHandler,
        ReferralsHandler,
    )

    return {
        handler.spec.code: handler
        for handler in (
            PersonsHandler,
            ProjectsHandler,
            ApplicationsHandler,
            ReferralsHandler,
            ActsHandler,
            OutcomesHandler,
        )
    }


def handler_class(entity: str):
    return _handlers()[entity]


@contextmanager
def stored_path(run):
    """A local path to the run's file (a temporary copy when the storage is remote)."""
    try:
        yield run.file.path
        return
    except NotImplementedError:
        pass
    suffix = os.path.splitext(run.file_name)[1]
    with tempfile.NamedTemporaryFile(suffix=suffix) as copy:
        with run.file.open("rb") as source:
            shutil.copyfileobj(source, copy)
        copy.flush()
        yield copy.name


class IdentifierCheck:
    """The unmapped columns that look like the file's own identifier of its rows: a header
    naming a number or a reference (`mapping.identifier_like`) and a different value on every
    row (two rows at least). Checked only when no column is mapped as the identifier and the
    advisor did not confirm that the file has none: the rows would otherwise be recognised by
    their content, and a new row taken for one already imported."""

    MIN_ROWS = 2

    def __init__(self, spec, run, header: list[str]):
        self.columns: dict[int, set] = {}
        if spec.external_id_field in run.mapping or getattr(run, "without_identifier", False):
            return
        used = set(run.mapping.values())
        self.header = header
        self.columns = {
            index: set()
            for index, name in enumerate(header)
            if name and name not in used and identifier_like(name)
        }
        self.rows = 0

    def add(self, cells) -> None:
        if not self.columns:
            return
        self.rows += 1
        for index in list(self.columns):
            value = cells[index] if index < len(cells) else None
            text = "" if value is None else display(value).strip()
            seen = self.columns[index]
            if not text or text in seen:
                del self.columns[index]  # an empty or repeated value: not an identifier
            else:
                seen.add(text)

    def suspects(self) -> list[str]:
        if not self.columns or self.rows < self.MIN_ROWS:
            return []
        return [self.header[index] for index in sorted(self.columns)]


def identifier_message(column: str, field_label) -> str:
    return _(
        "The column “%(column)s” has a different value on every row, as an identifier of the "
        "rows would, but no column is chosen as “%(field)s”. Without it, each row is recognised "
        "by its content, and a new row may be taken for one already imported. Choose this "
        "column as “%(field)s” in the mapping, or confirm that the file has no identifier of "
        "its rows."
    ) % {"column": column, "field": field_label}


def _required_codes(spec) -> list[str]:
    return [field.code for field in spec.fields if field.required]


def run_pipeline(
    run,
    *,
    user,
    write: bool,
    new_persons_for_duplicates: bool = False,
    progress=None,
    before_commit=None,
) -> Report:
    """Read the run's file and check every row; with `write`, import it when nothing is wrong.

    `progress(done, total)` is called every few thousand rows. Probable duplicates of existing
    persons wait for `run.duplicate_decisions` unless `new_persons_for_duplicates` (the
    command): then they are warnings and the rows become new persons. `before_commit(report)`
    runs inside the transaction once everything is written (the run records its outcome there).
    """
    spec = ENTITIES[run.entity]
    report = Report(columns=dict(run.mapping))
    total = run.progress_total or 0

    def tick(done):
        if progress is not None:
            progress(done, max(total, done))

    with stored_path(run) as path:
        try:
            table = open_table(path, sheet=run.sheet, known_headers=known_headers(run.entity))
        except FileRefused as refused:
            report.error(0, "", "", refused.message)
            return report
        with table:
            header_line = table.header_line
            positions = {name: index for index, name in enumerate(table.header)}
            for column in run.mapping.values():
                if column not in positions:
                    report.error(
                        header_line,
                        "",
                        column,
                        _("The file has no column “%(column)s” any more: choose the columns again.")
                        % {"column": column},
                    )
            for message in missing_fields(spec, run.mapping):
                report.error(header_line, "", "", message)
            if report.refused:
                return report
            mapping = {code: positions[column] for code, column in run.mapping.items()}
            handler = handler_class(run.entity)(
                run=run,
                structure=run.structure,
                user=user,
                report=report,
                options={
                    "new_persons_for_duplicates": new_persons_for_duplicates,
                    "decisions": run.duplicate_decisions or {},
                },
            )
            check = IdentifierCheck(spec, run, table.header)
            stream = kept = None
            if (
                write
                and handler.bulk
                and connection.vendor == "postgresql"
                and total > STREAM_ROWS
                and _kept_count(run) <= LOAD_ALL_KEYS
            ):
                kept = _kept(run)
                stream = Stream(run=run, structure=run.structure, user=user)
            try:
                items = _prepare(
                    table,
                    spec,
                    mapping,
                    handler,
                    report,
                    tick,
                    kept=kept,
                    stream=stream,
                    check=check,
                )
            except BaseException:
                if stream is not None:
                    stream.abort()
                raise
    suspects = check.suspects()
    if suspects:
        # Said before anything is matched by content (earlier rows, probable duplicates).
        if stream is not None:
            stream.abort()
        report.identifier_columns = suspects
        label = spec[spec.external_id_field].label
        for column in suspects:
            report.error(header_line, "", column, identifier_message(column, label))
        return report
    try:
        _classify(items, handler, report, kept=kept)
        handler.after_prepare(items)
        report.pending = sum(1 for item in items if item.action == PENDING)
        for item in items:
            if item.action in COUNTED:
                report.counts[COUNTED[item.action]] += 1
        if report.refused or (write and report.pending):
            if stream is not None:
                stream.abort()
            return report
        if stream is not None:
            _finish_stream(stream, run, handler, items, report, tick, before_commit)
        elif write or not handler.bulk:
            _write(
                run,
                handler,
                items,
                report,
                write=write,
                progress=tick,
                start=report.rows,
                before_commit=before_commit,
            )
    except BaseException:
        if stream is not None and stream.thread.is_alive():
            stream.abort()
        raise
    return report


def _prepare(
    table, spec, mapping, handler, report, tick, *, kept, stream, check=None
) -> list[Item]:
    """One pass over the rows: each cell read, each row resolved, keyed and hashed. With a
    `stream`, each new row (its key not in `kept`) is handed to it at once. `check` sees
    every row's cells (`IdentifierCheck`)."""
    from .cells import MAPPABLE_KINDS, converters

    handler.load()
    cells = converters(spec, mapping, handler.lookups)
    required = [code for code in _required_codes(spec) if code in mapping]
    external = spec.external_id_field if spec.external_id_field in mapping else None
    hashed_codes = [code for code, _index, _convert in cells]
    mappable = {field.code for field in spec.fields if field.kind in MAPPABLE_KINDS}
    seen_ids: dict[str, int] = {}
    occurrences: Counter = Counter()
    items = []
    rows = 0
    for row in table.rows:
        rows += 1
        line = row.line
        row_cells = row.cells
        if check is not None:
            check.add(row_cells)
        values = {}
        failed = False
        for code, index, convert in cells:
            raw = row_cells[index]
            if raw is None:
                continue
            try:
                values[code] = convert(raw)
            except CellError as error:
                report.error(line, code, raw, error.reason)
                if code in mappable and isinstance(error, UnmatchedValue):
                    report.unmatched(line, code, raw, error)
                failed = True
        for code in required:
            if code not in values and row_cells[mapping[code]] is None:
                report.error(
                    line,
                    code,
                    None,
                    _("This cell is empty: fill in “%(field)s”.") % {"field": spec[code].label},
                )
                failed = True
        if failed:
            continue
        item = Item(line=line, values=values)
        try:
            handler.prepare(item)
        except RowProblem as problem:
            report.error(line, problem.code, problem.value, problem.reason)
            continue
        identifier = values.get(external) if external else None
        if identifier:
            item.key = protect_key(identifier_key(identifier))
            if item.key in seen_ids:
                report.error(
                    line,
                    external,
                    identifier,
                    _("This identifier is already on line %(line)s: each row needs its own.")
                    % {"line": seen_ids[item.key]},
                )
                continue
            seen_ids[item.key] = line
        else:
            base = handler.stable_key(item)
            occurrences[base] += 1
            item.key = protect_key(f"{base}#{occurrences[base]}")
        item.row_hash = digest(
            (
                tuple((code, plain(values[code])) for code in hashed_codes if code in values),
                handler.hash_parts(item),
            )
        )
        items.append(item)
        if stream is not None and item.key not in kept and not report.error_count:
            stream.add(item)  # (after an error the file is refused: no use writing more)
        if rows % PROGRESS_EVERY == 0:
            tick(rows)
    report.rows = rows
    tick(rows)
    return items


def _kept(run) -> dict:
    """{key: (ImportedRow id, object id, hash, version)} of every row the structure imported
    for the entity."""
    rows = ImportedRow.objects.filter(structure_id=run.structure_id, entity=run.entity)
    found = rows.values_list("key", "pk", "object_id", "row_hash", "version")
    return {key: rest for key, *rest in found.iterator(chunk_size=10_000)}


def _kept_count(run) -> int:
    return ImportedRow.objects.filter(structure_id=run.structure_id, entity=run.entity).count()


def _classify(items: list[Item], handler, report, *, kept=None) -> None:
    """Compare each row with what an earlier import of the structure kept for its key."""
    run = handler.run
    if kept is None and len(items) > 5 * CHUNK and _kept_count(run) <= LOAD_ALL_KEYS:
        kept = _kept(run)  # a large file: every key of the structure at once
    elif kept is None:
        kept = {}
        keys = [item.key for item in items]
        rows = ImportedRow.objects.filter(structure_id=run.structure_id, entity=run.entity)
        for start in range(0, len(keys), CHUNK):
            chunk = keys[start : start + CHUNK]
            for key, *rest in rows.filter(key__in=chunk).values_list(
                "key", "pk", "object_id", "row_hash", "version"
            ):
                kept[key] = rest
    for item in items:
        previous = kept.get(item.key)
        if previous is None:
            continue
        item.imported_pk, item.object_id, row_hash, item.version = previous
        item.action = UNCHANGED if row_hash == item.row_hash else UPDATE
    changed = [item for item in items if item.action == UPDATE]
    if not changed:
        return
    versions = handler.versions([item.object_id for item in changed])
    for item in changed:
        current = versions.get(item.object_id)
        if current is None:
            item.action = CREATE  # the object was deleted since: the row makes it again
        elif current != item.version:
            item.action = SKIP
            report.warning(
                item.line,
                "",
                "",
                _(
                    "This row was changed in Maillage since it was imported: the file's values "
                    "were not applied. Correct the record on its page if needed."
                ),
            )


def _finish_stream(stream, run, handler, items, report, tick, before_commit) -> None:
    """The last step of a streamed import, in the writer's transaction."""
    start = report.rows

    def final(writer):
        late = [i for i in items if i.action == CREATE and i.imported_pk is not None]
        for item, pk in zip(late, writer.add([i.data for i in late]), strict=True):
            item.object_id, item.version = pk, 1
        writer.finish()
        others = [item for item in items if item.action != CREATE]
        Handler.write(handler, others, lambda done: tick(start + done))
        if report.refused:
            rollback()
        _keep_rows(run, [i for i in items if i.action != CREATE or i.imported_pk is not None])
        if before_commit is not None:
            before_commit(report)

    stream.finish(final)


def _write(run, handler, items, report, *, write, progress, start, before_commit) -> None:
    """Everything in one transaction; rolled back for a dry run or when a row failed."""
    with transaction.atomic():
        handler.write(items, lambda done: progress(start + done))
        if report.refused or not write:
            transaction.set_rollback(True)
            return
        _keep_rows(run, items)
        if before_commit is not None:
            before_commit(report)


KEPT_COLUMNS = (
    "structure_id",
    "entity",
    "key",
    "object_id",
    "row_hash",
    "created_by_run_id",
    "updated_by_run_id",
    "version",
)


def _keep_rows(run, items) -> None:
    """Remember each row's key, object, hash and version (ImportedRow) for the next import."""
    new, changed, recreated = [], [], []
    structure_id, entity, run_id = run.structure_id, run.entity, run.pk
    for item in items:
        action = item.action
        if action == CREATE or item.link_only:
            created = run_id if action == CREATE else None
            updated = run_id if action == UPDATE else None
            if item.imported_pk is None:
                new.append(
                    (
                        structure_id,
                        entity,
                        item.key,
                        item.object_id,
                        item.row_hash,
                        created,
                        updated,
                        item.version,
                    )
                )
                continue
            row = ImportedRow(
                pk=item.imported_pk,
                object_id=item.object_id,
                row_hash=item.row_hash,
                created_by_run_id=created,
                updated_by_run_id=updated,
                version=item.version,
            )
            (recreated if created else changed).append(row)
        elif action == UPDATE:
            changed.append(
                ImportedRow(
                    pk=item.imported_pk,
                    object_id=item.object_id,
                    row_hash=item.row_hash,
                    updated_by_run_id=run_id,
                    version=item.version,
                )
            )
    if new:
        insert_rows(ImportedRow, KEPT_COLUMNS, new)
    fields = ["object_id", "row_hash", "updated_by_run", "version"]
    if changed:
        ImportedRow.objects.bulk_update(changed, fields, batch_size=500)
    if recreated:
        ImportedRow.objects.bulk_update(recreated, [*fields, "created_by_run"], batch_size=500)


__all__ = ["Report", "handler_class", "run_pipeline", "stored_path"]
