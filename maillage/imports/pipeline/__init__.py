"""From a stored file to rows in the database: read, check, match, key, compare, write.

One pass over the rows (streamed by `readers`) reads every cell, resolves the row (its person,
its referential values…), computes its stable key and the hash of its values, and compares
them with the `ImportedRow` kept for the key: new → create, same hash → unchanged, another
hash → update (skipped with a warning when the object was changed in Maillage since). Nothing
is written while any row has an error: everything is written in one transaction, or not at all.

Files of acts (written in bulk, `Handler.bulk`) are streamed: rows are read, checked, matched
and compared by batches (`stream.BATCH`), and each batch's new acts are written at once in the
import's transaction (by a writer thread with its own connection for large files on
PostgreSQL, `stream.Stream`; in the caller's transaction otherwise, `stream.Inline`; not at all
for a dry run). What is kept across the file is bounded by what the file must remember, not by
its rows' content: a 128-bit fingerprint per identifier (or per key without identifier) to
find repeated rows, the report (at most `MAX_STORED` errors and warnings), and the rows to
correct through the services (changed since the last import). A bad row rolls back everything
written so far. The other entities (persons, projects…) need every row at once (probable
duplicates, links to existing objects) and are written through the services, row by row.

    report = run_pipeline(run, user=user, write=True)
"""

import hashlib
import os
import shutil
import tempfile
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
from . import stream as streaming
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
    key_secret,
    protect_key,
)
from .stream import Inline, Stream, rollback

PROGRESS_EVERY = 2_000
# Larger files of acts are written by a thread with its own connection (PostgreSQL; `stream`).
STREAM_ROWS = 20_000
# Up to this many rows kept for a structure and entity, their keys are read at once (about
# 350 bytes each); beyond, the keys of each batch of the file are looked up (bounded memory).
LOAD_ALL_KEYS = 20_000
# The other entities' files (every row kept) read every key of the structure at once up to this.
CLASSIFY_ALL_KEYS = 400_000


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

    def __init__(self, spec, run, header: list[str], header_line: int = 0):
        self.spec = spec
        self.header_line = header_line
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
            check = IdentifierCheck(spec, run, table.header, header_line)
            rows = _items(table, spec, mapping, handler, report, tick, check=check)
            if handler.bulk:
                sink = None
                if write:
                    large = connection.vendor == "postgresql" and total > STREAM_ROWS
                    sink = (Stream if large else Inline)(
                        run=run, structure=run.structure, user=user
                    )
                return _streamed(rows, run, handler, report, tick, sink, before_commit, check)
            items = list(rows)
    if _refuse_suspects(check, report):
        return report
    _classify(items, handler, report)
    handler.after_prepare(items)
    report.pending = sum(1 for item in items if item.action == PENDING)
    for item in items:
        if item.action in COUNTED:
            report.counts[COUNTED[item.action]] += 1
    if report.refused or (write and report.pending):
        return report
    if write or not handler.bulk:
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
    return report


def _refuse_suspects(check, report) -> bool:
    """Refuse the file when unmapped columns look like its identifier of its rows. Said before
    anything is matched by content (earlier rows, probable duplicates)."""
    suspects = check.suspects()
    if not suspects:
        return False
    spec = check.spec
    report.identifier_columns = suspects
    report.counts = dict.fromkeys(report.counts, 0)
    label = spec[spec.external_id_field].label
    for column in suspects:
        report.error(check.header_line, "", column, identifier_message(column, label))
    return True


def _streamed(rows, run, handler, report, tick, sink, before_commit, check) -> Report:
    """Read, check, match, compare and write the rows batch by batch (bulk handlers: no
    `after_prepare`, every check made while reading). `sink` (None for a dry run) writes each
    batch's new rows in the import's transaction, then the rest in `final`."""
    matcher = _KeptRows(run)
    late: list[Item] = []  # rows to write through the services (or made again) at the end
    try:
        batch = []
        for item in rows:
            batch.append(item)
            if len(batch) >= streaming.BATCH:
                _settle(batch, matcher, handler, report, sink, late)
                batch = []
        _settle(batch, matcher, handler, report, sink, late)
        if _refuse_suspects(check, report) or report.refused or sink is None:
            if sink is not None:
                sink.abort()
            return report
        start = report.rows

        def final(writer):
            again = [item for item in late if item.action == CREATE]
            for item, pk in zip(again, writer.add([i.data for i in again]), strict=True):
                item.object_id, item.version = pk, 1
            writer.finish()
            updates = [item for item in late if item.action == UPDATE]
            Handler.write(handler, updates, lambda done: tick(start + done))
            if report.refused:
                rollback()
            _keep_rows(run, late)
            if before_commit is not None:
                before_commit(report)

        sink.finish(final)
    except BaseException:
        if sink is not None:
            sink.abort()
        raise
    return report


class _KeptRows:
    """What earlier imports of the structure kept for the keys of a batch: none when it kept
    nothing, all at once when it kept few, else one query per batch."""

    def __init__(self, run):
        self.run = run
        count = _kept_count(run)
        self.all = _kept(run) if 0 < count <= LOAD_ALL_KEYS else None
        self.none = count == 0

    def of(self, items) -> dict:
        if self.none:
            return {}
        if self.all is not None:
            return self.all
        rows = ImportedRow.objects.filter(
            structure_id=self.run.structure_id,
            entity=self.run.entity,
            key__in=[item.key for item in items],
        )
        found = rows.values_list("key", "pk", "object_id", "row_hash", "version")
        return {key: rest for key, *rest in found}


def _settle(batch, matcher, handler, report, sink, late) -> None:
    """Compare a batch with the rows kept, count it, hand its new rows to `sink` (unless the
    file already has an error: it is refused), keep in `late` the rows to correct."""
    if not batch:
        return
    kept = matcher.of(batch)
    changed = []
    new = 0
    counts = report.counts
    for item in batch:
        previous = kept.get(item.key)
        if previous is None:
            new += 1
            if sink is not None and not report.error_count:
                sink.add(item)
            continue
        item.imported_pk, item.object_id, row_hash, item.version = previous
        if row_hash == item.row_hash:
            item.action = UNCHANGED
            counts["unchanged"] += 1
        else:
            item.action = UPDATE
            changed.append(item)
    counts["created"] += new
    if changed:
        _check_versions(changed, handler, report)
        for item in changed:
            counts[COUNTED[item.action]] += 1
            if item.action != SKIP:
                late.append(item)


def fingerprint(text: str) -> int:
    """128 bits of a key: what is kept per row to find repeated ones (collisions: never in
    practice)."""
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=16).digest())


def _items(table, spec, mapping, handler, report, tick, *, check=None):
    """The rows, one by one: each cell read, each row resolved, keyed and hashed (rows with
    an error are reported, not yielded). `check` sees every row's cells (`IdentifierCheck`).
    Kept across the file: a fingerprint per identifier (with its line) or per key."""
    from .cells import MAPPABLE_KINDS, converters

    handler.load()
    cells = converters(spec, mapping, handler.lookups)
    required = [code for code in _required_codes(spec) if code in mapping]
    external = spec.external_id_field if spec.external_id_field in mapping else None
    hashed_codes = [code for code, _index, _convert in cells]
    mappable = {field.code for field in spec.fields if field.kind in MAPPABLE_KINDS}
    seen_ids: dict[int, int] = {}
    occurrences: dict[int, int] = {}
    rows = 0
    secret = key_secret()
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
            item.key = protect_key(identifier_key(identifier), secret)
            seen = int(item.key[2:34], 16)  # the key is an HMAC: its first 128 bits
            if seen in seen_ids:
                report.error(
                    line,
                    external,
                    identifier,
                    _("This identifier is already on line %(line)s: each row needs its own.")
                    % {"line": seen_ids[seen]},
                )
                continue
            seen_ids[seen] = line
        else:
            base = handler.stable_key(item)
            seen = fingerprint(base)
            occurrence = occurrences[seen] = occurrences.get(seen, 0) + 1
            item.key = protect_key(f"{base}#{occurrence}", secret)
        item.row_hash = digest(
            (
                tuple((code, plain(values[code])) for code in hashed_codes if code in values),
                handler.hash_parts(item),
            )
        )
        yield item
        if rows % PROGRESS_EVERY == 0:
            tick(rows)
    report.rows = rows
    tick(rows)


def _kept(run) -> dict:
    """{key: (ImportedRow id, object id, hash, version)} of every row the structure imported
    for the entity."""
    rows = ImportedRow.objects.filter(structure_id=run.structure_id, entity=run.entity)
    found = rows.values_list("key", "pk", "object_id", "row_hash", "version")
    return {key: rest for key, *rest in found.iterator(chunk_size=10_000)}


def _kept_count(run) -> int:
    return ImportedRow.objects.filter(structure_id=run.structure_id, entity=run.entity).count()


def _classify(items: list[Item], handler, report) -> None:
    """Compare each row with what an earlier import of the structure kept for its key."""
    run = handler.run
    if len(items) > 5 * CHUNK and _kept_count(run) <= CLASSIFY_ALL_KEYS:
        kept = _kept(run)  # a large file: every key of the structure at once
    else:
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
    if changed:
        _check_versions(changed, handler, report)


def _check_versions(changed: list[Item], handler, report) -> None:
    """Rows whose values changed: made again when their object was deleted, skipped with a
    warning when it was changed in Maillage since the import."""
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
