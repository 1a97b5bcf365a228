"""Writes of many rows at once, for imports: the invariants of the one-row services, in bulk.

`bulk_record_acts` records thousands of acts as `record_act` would record each: version 1,
the attendance list, an accompaniment by the structure for everyone who attended (from the
first day they did), and each attendee's `last_activity_on` moved forward. On PostgreSQL the
rows go through `COPY … FROM STDIN` (as the regional generator writes them), with ids taken
from the table's sequence beforehand; elsewhere through `bulk_create`. The caller checks the
values first (the import pipeline does, row by row, with line numbers); what is checked here
again is what protects the data whoever calls: the right to record for the structure, the
persons' visibility, dates, durations and attendance lists.
"""

import os
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..common import followed_persons_condition, not_followed_error, require, today
from ..models import Accompaniment, Act, ActParticipant, Person
from ..persons.services import ensure_accompaniment
from ..visibility import visible_persons_condition

BATCH = 1_000
CHUNK = 5_000


@dataclass(slots=True)
class NewAct:
    """An act to record: `participants` are (person id, attended) pairs."""

    act_type_id: int
    occurred_on: date
    duration_minutes: int
    participants: tuple[tuple[int, bool], ...]
    is_collective: bool = False
    offer_id: int | None = None
    session_id: int | None = None
    staff_id: int | None = None
    title: str = ""
    notes: str = ""


def _is_postgresql() -> bool:
    return connection.vendor == "postgresql"


def insert_rows(model, columns: Sequence[str], rows: Iterable[Sequence]) -> int:
    """Insert rows given as value tuples in the order of `columns` (attribute names); COPY on
    PostgreSQL, `bulk_create` elsewhere. Returns how many rows were written."""
    count = 0
    if _is_postgresql():
        table = model._meta.db_table
        names = ", ".join(f'"{model._meta.get_field(c).column}"' for c in columns)
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(f'COPY "{table}" ({names}) FROM STDIN') as copy,
        ):
            for row in rows:
                copy.write_row(row)
                count += 1
        return count
    batch = []
    for row in rows:
        batch.append(model(**dict(zip(columns, row, strict=True))))
        if len(batch) >= BATCH:
            model.objects.bulk_create(batch)
            count += len(batch)
            batch = []
    if batch:
        model.objects.bulk_create(batch)
        count += len(batch)
    return count


def _reserve_ids(model, count: int) -> list[int]:
    """`count` ids from the table's sequence (PostgreSQL), so rows may point at each other.
    Usually one range; another session drawing from the sequence at the same time may
    interleave its values, hence the list."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [f'"{model._meta.db_table}"'])
        sequence = cursor.fetchone()[0]
        cursor.execute(
            "SELECT min(id), max(id), count(*) FROM "
            "(SELECT nextval(%s::regclass) AS id FROM generate_series(1, %s)) AS drawn",
            [sequence, count],
        )
        low, high, drawn = cursor.fetchone()
        if high - low + 1 == drawn:
            return list(range(low, high + 1))
        cursor.execute(
            "SELECT array_agg(id ORDER BY id) FROM (SELECT nextval(%s::regclass) AS id "
            "FROM generate_series(1, %s)) AS drawn",
            [sequence, count],
        )
        return cursor.fetchone()[0]


def _uuids(count: int):
    random_bytes = os.urandom(16 * count)
    return (
        uuid.UUID(bytes=random_bytes[index : index + 16], version=4)
        for index in range(0, 16 * count, 16)
    )


def _check(structure, acts: Sequence[NewAct]) -> set[int]:
    """The persons the acts name, after the checks `record_act` makes."""
    latest = today()
    persons: set[int] = set()
    for act in acts:
        if act.occurred_on is None or act.occurred_on > latest:
            raise ValidationError(
                {"occurred_on": _("This date is in the future: enter the day it happened.")}
            )
        if not act.duration_minutes or act.duration_minutes <= 0:
            raise ValidationError(
                {"duration_minutes": _("The duration must be more than zero minutes.")}
            )
        if not act.participants:
            raise ValidationError({"persons": _("Choose at least one person.")})
        if not act.is_collective and (len(act.participants) > 1 or not act.participants[0][1]):
            raise ValidationError(
                {"persons": _("An individual act is recorded for the person who came.")}
            )
        persons.update(person for person, _attended in act.participants)
    return persons


def _refuse_hidden_or_not_followed(structure, persons: set[int]) -> None:
    """The rules of `record_act` for many persons at once: each is visible to the structure
    (PermissionDenied) and followed by it (`require_follows`: ValidationError)."""
    ids = sorted(persons)
    seen = followed = 0
    for start in range(0, len(ids), CHUNK):
        chunk = Person.objects.filter(pk__in=ids[start : start + CHUNK])
        seen += chunk.filter(visible_persons_condition([structure.pk])).count()
        followed += chunk.filter(followed_persons_condition([structure.pk])).count()
    if seen != len(ids):
        raise PermissionDenied("view_person")
    if followed != len(ids):
        raise not_followed_error("persons")


ACT_COLUMNS = (
    "id",
    "uuid",
    "act_type_id",
    "structure_id",
    "staff_id",
    "offer_id",
    "session_id",
    "occurred_on",
    "duration_minutes",
    "is_collective",
    "title",
    "notes",
    "created_by_id",
    "created_at",
    "version",
)


class ActWriter:
    """Acts of one structure written batch after batch, in the caller's transaction; `finish`
    then gives the attendees their accompaniment and last activity. `bulk_record_acts` is the
    one-batch use; an import streams batches while it still reads the file."""

    def __init__(self, *, structure, user):
        require(user, "track_persons", structure)
        self.structure = structure
        self.user_id = user.pk if user is not None else None
        self.now = timezone.now()
        self.first_day: dict[int, date] = {}
        self.last_day: dict[int, date] = {}
        self.checked: set[int] = set()

    def add(self, acts: Sequence[NewAct]) -> list[int]:
        """Write the acts; their ids, in the order given."""
        if not connection.in_atomic_block:
            raise RuntimeError("ActWriter writes inside a transaction (transaction.atomic).")
        if not acts:
            return []
        persons = _check(self.structure, acts)
        _refuse_hidden_or_not_followed(self.structure, persons - self.checked)
        self.checked |= persons
        structure_id, user_id, now = self.structure.pk, self.user_id, self.now
        postgresql = _is_postgresql()
        ids = _reserve_ids(Act, len(acts)) if postgresql else [None] * len(acts)
        rows = (
            (
                pk,
                identifier,
                act.act_type_id,
                structure_id,
                act.staff_id or user_id,
                act.offer_id,
                act.session_id,
                act.occurred_on,
                act.duration_minutes,
                act.is_collective,
                act.title,
                act.notes,
                user_id,
                now,
                1,
            )
            for pk, identifier, act in zip(ids, _uuids(len(acts)), acts, strict=True)
        )
        if postgresql:
            insert_rows(Act, ACT_COLUMNS, rows)
        else:
            created = [Act(**dict(zip(ACT_COLUMNS[1:], row[1:], strict=True))) for row in rows]
            for start in range(0, len(created), BATCH):
                Act.objects.bulk_create(created[start : start + BATCH])
            ids = [act.pk for act in created]
        insert_rows(
            ActParticipant,
            ("act_id", "person_id", "attended"),
            (
                (pk, person, attended)
                for pk, act in zip(ids, acts, strict=True)
                for person, attended in act.participants
            ),
        )
        first_day, last_day = self.first_day, self.last_day
        for act in acts:
            day = act.occurred_on
            for person, attended in act.participants:
                if not attended:
                    continue
                if person not in first_day or day < first_day[person]:
                    first_day[person] = day
                if person not in last_day or day > last_day[person]:
                    last_day[person] = day
        return ids

    def finish(self) -> None:
        _accompany(self.structure, self.first_day)
        _touch_activity(self.last_day)


@transaction.atomic
def bulk_record_acts(*, structure, user, acts: Sequence[NewAct]) -> list[int]:
    """Record many acts of `structure` at once; returns their ids, in the order given.

    Offers and sessions are the caller's to check (they must be the structure's); the persons
    must be visible to the structure (PermissionDenied otherwise) and followed by it
    (ValidationError otherwise, as `record_act`).
    """
    writer = ActWriter(structure=structure, user=user)
    ids = writer.add(acts)
    writer.finish()
    return ids


def _accompany(structure, first_day: dict[int, date]) -> None:
    """The structure accompanies whoever attended, from the first day they did."""
    ids = sorted(first_day)
    known: set[int] = set()
    for start in range(0, len(ids), CHUNK):
        known.update(
            Accompaniment.objects.filter(
                structure=structure, person_id__in=ids[start : start + CHUNK]
            ).values_list("person_id", flat=True)
        )
    Accompaniment.objects.bulk_create(
        [
            Accompaniment(person_id=person, structure=structure, started_on=first_day[person])
            for person in ids
            if person not in known
        ],
        batch_size=BATCH,
    )


def _touch_activity(last_day: dict[int, date]) -> None:
    """Move each person's `last_activity_on` forward to their latest act (never back)."""
    if not last_day:
        return
    if _is_postgresql():
        persons = list(last_day)
        with connection.cursor() as cursor:
            cursor.execute(
                f'UPDATE "{Person._meta.db_table}" AS p SET last_activity_on = v.day '  # noqa: S608
                "FROM unnest(%s::bigint[], %s::date[]) AS v(id, day) "
                "WHERE p.id = v.id AND (p.last_activity_on IS NULL OR p.last_activity_on < v.day)",
                [persons, [last_day[person] for person in persons]],
            )
        return
    by_day = defaultdict(list)
    for person, day in last_day.items():
        by_day[day].append(person)
    for day, persons in by_day.items():
        for start in range(0, len(persons), CHUNK):
            Person.objects.filter(
                Q(last_activity_on__isnull=True) | Q(last_activity_on__lt=day),
                pk__in=persons[start : start + CHUNK],
            ).update(last_activity_on=day)


@transaction.atomic
def set_file_number(
    *, person: Person, structure, file_number: str = "", started_on: date | None = None
) -> Accompaniment:
    """The structure accompanies the person under its own file number (from `started_on`)."""
    accompaniment = ensure_accompaniment(person=person, structure=structure, started_on=started_on)
    changed = []
    file_number = (file_number or "").strip()
    if file_number and accompaniment.file_number != file_number:
        taken = (
            Accompaniment.objects.filter(structure=structure, file_number=file_number)
            .exclude(pk=accompaniment.pk)
            .exists()
        )
        if taken:
            raise ValidationError(
                {
                    "file_number": _(
                        "This file number already belongs to another person of your "
                        "structure: each person needs their own."
                    )
                },
                code="file_number_taken",
            )
        accompaniment.file_number = file_number
        changed.append("file_number")
    if started_on and accompaniment.started_on != started_on:
        if accompaniment.ended_on and started_on > accompaniment.ended_on:
            raise ValidationError(
                {"started_on": _("The accompaniment cannot start after it ended.")}
            )
        accompaniment.started_on = started_on
        changed.append("started_on")
    if changed:
        accompaniment.save(update_fields=changed)
    return accompaniment
