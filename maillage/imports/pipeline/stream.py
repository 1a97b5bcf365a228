"""New acts written while the file is still being read, batch by batch.

`Inline` writes each batch in the caller's transaction (small files, SQLite, tests). `Stream`
(large files, PostgreSQL): a thread with its own database connection opens one transaction, and
writes each batch of new acts the reader hands it (COPY of the acts, their attendees and their
ImportedRow, foreign keys checked at once): the database inserts and checks one batch while
Python reads the next, on the machine's other core. The reader keeps every check: when a row
has an error, or a correction fails, the thread rolls everything back. Otherwise the last step
(corrected rows, the attendees' accompaniments and last activity, the run's outcome) runs in
the same transaction, which then commits: all or nothing, as for any import.
"""

import contextlib
import queue
import threading

from django.db import connection, transaction

from maillage.pathways.acts.bulk import ActWriter, insert_rows

from ..models import ImportedRow

BATCH = 5_000
_ABORT = object()


class _Rollback(Exception):
    pass


class Stream:
    def __init__(self, *, run, structure, user):
        self.run = run
        self.structure = structure
        self.user = user
        self.pending = []
        self.queue: queue.Queue = queue.Queue(maxsize=4)
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._work, name=f"import-{run.pk}", daemon=True)
        self.thread.start()

    # --- the reader's side ------------------------------------------------------------------

    def add(self, item) -> None:
        self.pending.append(item)
        if len(self.pending) >= BATCH:
            self._put(self.pending)
            self.pending = []

    def _put(self, task) -> None:
        while True:
            if self.error is not None:
                raise self.error
            if not self.thread.is_alive():
                raise RuntimeError("The import's writer stopped.")
            try:
                self.queue.put(task, timeout=0.2)
                return
            except queue.Full:
                continue

    def finish(self, final) -> None:
        """Write what is left, run `final(writer)` in the transaction, commit; re-raise the
        writer's error, if any (then nothing was written)."""
        if self.pending:
            self._put(self.pending)
            self.pending = []
        self._put(("finish", final))
        self.thread.join()
        if self.error is not None:
            raise self.error

    def abort(self) -> None:
        """Roll back everything written so far (nothing when already finished or aborted)."""
        if not self.thread.is_alive():
            return
        with contextlib.suppress(Exception):  # the writer already stopped: nothing to undo
            self._put(_ABORT)
        self.thread.join()

    # --- the writer's side (its own connection) ----------------------------------------------

    def _work(self) -> None:
        try:
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                writer = ActWriter(structure=self.structure, user=self.user)
                while True:
                    task = self.queue.get()
                    if task is _ABORT:
                        raise _Rollback
                    if isinstance(task, tuple):
                        task[1](writer)
                        break
                    self._write(writer, task)
        except _Rollback:
            pass
        except BaseException as error:  # handed to the reader, which raises it
            self.error = error
        finally:
            connection.close()

    def _write(self, writer: ActWriter, items) -> None:
        write_batch(writer, self.run, items)


def write_batch(writer: ActWriter, run, items) -> None:
    """New acts and the ImportedRow of each (its key, hash and act)."""
    ids = writer.add([item.data for item in items])
    rows = []
    for item, pk in zip(items, ids, strict=True):
        rows.append((run.structure_id, run.entity, item.key, pk, item.row_hash, run.pk, None, 1))
    from . import KEPT_COLUMNS

    insert_rows(ImportedRow, KEPT_COLUMNS, rows)


class Inline:
    """The same as `Stream`, in the caller's connection: one transaction (a savepoint inside
    the caller's), opened now, each batch written as it comes; `finish` commits it, `abort`
    or a failure rolls it back."""

    def __init__(self, *, run, structure, user):
        self.run = run
        self.structure = structure
        self.user = user
        self.pending = []
        self.writer = None
        self.atomic = transaction.atomic()
        self.atomic.__enter__()
        self.open = True

    def _writer(self) -> ActWriter:
        if self.writer is None:
            self.writer = ActWriter(structure=self.structure, user=self.user)
        return self.writer

    def add(self, item) -> None:
        self.pending.append(item)
        if len(self.pending) >= BATCH:
            write_batch(self._writer(), self.run, self.pending)
            self.pending = []

    def finish(self, final) -> None:
        try:
            if self.pending:
                write_batch(self._writer(), self.run, self.pending)
                self.pending = []
            final(self._writer())
        except _Rollback:
            self.abort()
            return
        except BaseException as error:
            self._close(error)
            raise
        self._close(None)

    def abort(self) -> None:
        if self.open:
            transaction.set_rollback(True)
            self._close(None)

    def _close(self, error) -> None:
        if not self.open:
            return
        self.open = False
        if error is None:
            self.atomic.__exit__(None, None, None)
        else:
            self.atomic.__exit__(type(error), error, error.__traceback__)


def rollback() -> None:
    """Called from `final` to give everything up."""
    raise _Rollback
