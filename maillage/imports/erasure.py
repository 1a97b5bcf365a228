"""What the imports app keeps of a person, found for an erasure.

An import keeps three things that may name a person:

- the runs: the file name, the sheet, the dry run's errors, warnings and probable duplicates
  (which quote cells, names and birth dates), and the stored file itself;
- the `ImportedRow` of every row imported: its key (the file's identifier, or the key fields
  of the row, such as last name, first name and birth date) and the hash of its values.

The runs about a person are those that wrote or updated one of their records, and the runs of
the structures that knew the person (accompanied, referred, recorded them) whose texts or file
mention any spelling of them. Their texts are scrubbed and their file deleted (after the
commit); a run that was not finished cannot go on without its file and ends FAILED. The keys of
the rows of the person's own records (not those shared with other persons, such as a collective
act) become a random token, so that a new import of the same file no longer finds them, and
nothing derived from the person's data stays.

The rules themselves are declared in `imports/personal_data.py`; the erasure service of
pathways applies them.
"""

from __future__ import annotations

import html
import io
import re
import secrets
import zipfile

from django.db import transaction
from django.db.models import Count, Q

from maillage.core.personal_data import SCRUBBED
from maillage.core.states import move

from .models import Entity, ImportedRow, ImportRun, ImportStatus
from .states import IMPORT_RUN_STATES

# A file is read in pieces of this many characters (a match may straddle two: they overlap).
CHUNK = 1 << 20
OVERLAP = 512
# A stored workbook whose XML parts unzip to more than this is deleted without being read.
MAX_SCANNED_BYTES = 512 * 1024 * 1024
FINISHED = {ImportStatus.IMPORTED, ImportStatus.UNDONE, ImportStatus.FAILED}
_TAG = re.compile(r"<[^>]*>")


# --- The person's records and the structures that knew them -------------------------------


def _sole_records(person) -> dict[str, list[int]]:
    """{entity: ids} of the records of the person that concern no one else."""
    from maillage.pathways.models import ActParticipant, Application, Outcome, Project, Referral

    projects = (
        Project.objects.filter(persons=person)
        .annotate(carriers=Count("persons"))
        .filter(carriers=1)
        .values_list("pk", flat=True)
    )
    shared_acts = (
        ActParticipant.objects.filter(act__participants__person=person)
        .values("act_id")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .values("act_id")
    )
    acts = (
        ActParticipant.objects.filter(person=person)
        .exclude(act_id__in=shared_acts)
        .values_list("act_id", flat=True)
    )
    from maillage.pathways.models import Person

    # The records merged into this one were anonymised then, but not their import keys.
    merged = Person.objects.filter(merged_into=person).values_list("pk", flat=True)
    return {
        Entity.PERSONS: [person.pk, *merged],
        Entity.PROJECTS: list(projects),
        Entity.APPLICATIONS: list(
            Application.objects.filter(person=person).values_list("pk", flat=True)
        ),
        Entity.REFERRALS: list(Referral.objects.filter(person=person).values_list("pk", flat=True)),
        Entity.ACTS: list(acts),
        Entity.OUTCOMES: list(Outcome.objects.filter(person=person).values_list("pk", flat=True)),
    }


def _all_records(person) -> dict[str, list[int]]:
    """{entity: ids} of every record about the person, shared ones included."""
    from maillage.pathways.models import ActParticipant, Project

    records = _sole_records(person)
    records[Entity.PROJECTS] = list(
        Project.objects.filter(persons=person).values_list("pk", flat=True)
    )
    records[Entity.ACTS] = list(
        ActParticipant.objects.filter(person=person).values_list("act_id", flat=True)
    )
    return records


def _rows_pointing_to(records: dict[str, list[int]]):
    condition = Q()
    for entity, ids in records.items():
        if ids:
            condition |= Q(entity=entity, object_id__in=ids)
    if not condition:
        return ImportedRow.objects.none()
    return ImportedRow.objects.filter(condition)


def imported_rows_of(person):
    """The `ImportedRow` of the person's own records (their keys are replaced at erasure)."""
    return _rows_pointing_to(_sole_records(person))


def _structures_that_knew(person) -> set[int]:
    from maillage.pathways.models import (
        Accompaniment,
        Act,
        Application,
        Consent,
        Outcome,
        PersonNote,
        Referral,
    )

    ids = {person.created_by_structure_id}
    ids.update(Accompaniment.objects.filter(person=person).values_list("structure_id", flat=True))
    for sender, receiver in Referral.objects.filter(person=person).values_list(
        "from_structure_id", "to_structure_id"
    ):
        ids.update((sender, receiver))
    for model in (Application, Outcome, PersonNote, Consent):
        ids.update(model.objects.filter(person=person).values_list("structure_id", flat=True))
    ids.update(
        Act.objects.filter(participants__person=person).values_list("structure_id", flat=True)
    )
    ids.discard(None)
    return ids


# --- Runs -------------------------------------------------------------------------------------

TEXTS = (
    "file_name",
    "sheet",
    "mapping",
    "errors",
    "warnings",
    "duplicates",
    "unknown_values",
    "value_mappings",
    "identifier_columns",
)


def runs_about(context) -> list[ImportRun]:
    """The runs that hold something of the person (see the module's docstring)."""
    person, scrub = context.subject, context.scrub
    rows = _rows_pointing_to(_all_records(person))
    linked = set(rows.values_list("created_by_run_id", flat=True))
    linked |= set(rows.values_list("updated_by_run_id", flat=True))
    linked.discard(None)
    candidates = ImportRun.objects.filter(
        Q(pk__in=linked) | Q(structure_id__in=_structures_that_knew(person))
    ).order_by("pk")
    found = []
    for run in candidates:
        if (
            run.pk in linked
            or any(scrub.mentions(getattr(run, name)) for name in TEXTS)
            or file_mentions(run, scrub)
        ):
            found.append(run)
    return found


def file_mentions(run, scrub) -> bool:
    """Whether the run's stored file holds a spelling of the person (an unreadable file, or
    one too large to read, counts as holding it)."""
    if not run.file:
        return False
    try:
        with run.file.open("rb") as source:
            data = source.read()
    except FileNotFoundError:
        return False
    if zipfile.is_zipfile(io.BytesIO(data)):
        return _workbook_mentions(data, scrub)
    return _text_mentions(_decoded(data), scrub)


def _decoded(data: bytes) -> str:
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return data.decode("utf-16", errors="replace")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _text_mentions(text: str, scrub) -> bool:
    step = CHUNK - OVERLAP
    return any(
        scrub.mentions(text[start : start + CHUNK]) for start in range(0, max(len(text), 1), step)
    )


def _workbook_mentions(data: bytes, scrub) -> bool:
    """The text of the XML parts of an XLSX or ODS workbook, read in bounded pieces."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = [info for info in archive.infolist() if info.filename.endswith(".xml")]
            if sum(info.file_size for info in parts) > MAX_SCANNED_BYTES:
                return True
            for info in parts:
                with archive.open(info) as part:
                    carry = ""
                    while True:
                        piece = part.read(CHUNK)
                        if not piece:
                            break
                        text = carry + piece.decode("utf-8", errors="ignore")
                        if scrub.mentions(html.unescape(_TAG.sub(" ", text))):
                            return True
                        carry = text[-OVERLAP:]
    except (zipfile.BadZipFile, OSError, RuntimeError, EOFError):
        return True
    return False


def delete_stored_file(run, value, context) -> str:
    """The run's file goes (after the commit: a rollback keeps it); the field is emptied."""
    name = run.file.name if run.file else ""
    if name:
        storage = run.file.storage
        transaction.on_commit(lambda: storage.delete(name))
    return ""


def finish_run(run, changes: dict, context) -> None:
    """A line of the file found to be the person (a probable duplicate of them) loses its
    label whatever its spelling (a typo is not a known spelling); a run that was not finished
    cannot go on without its file."""
    duplicates = changes.get("duplicates", run.duplicates)
    if any(
        candidate.get("id") == context.subject.pk
        for entry in duplicates or []
        for candidate in entry.get("candidates", [])
    ):
        changes["duplicates"] = [
            {**entry, "label": SCRUBBED}
            if any(c.get("id") == context.subject.pk for c in entry.get("candidates", []))
            else entry
            for entry in duplicates
        ]
    if "file" in changes and run.status not in FINISHED:
        # Moved (and logged) through the run's state machine, the other changes written after.
        move(
            IMPORT_RUN_STATES,
            run,
            ImportStatus.FAILED,
            at=context.at,
            update_fields=(),
            only_from=run.status,
        )


# --- Imported rows -----------------------------------------------------------------------------


def imported_rows(context):
    return imported_rows_of(context.subject)


def irreversible_key(row, key, context) -> str:
    """A random token: unique (the key stays unique per structure and entity) and derived from
    nothing, so that no one can find the person's data from it."""
    return "erased:" + secrets.token_hex(16)
