"""Bring the pre-aggregated tables (`models.Presence`, `models.ActMonth`) back to the raw tables.

`refresh()` reads what the triggers wrote into `Dirty` since the last refresh, deletes the rows
of those persons and (structure, month) pairs, and writes them again from the pathways tables,
in one transaction, under a lock (PostgreSQL advisory lock; SQLite writes one at a time anyway).
A `Dirty` row without person or structure rebuilds everything. `build_report` calls it first, so
it usually has a handful of rows to redo; `manage.py refresh_reports` and the `refresh_reports`
task do the same outside requests (after a bulk load, say).
"""

from django.db import DEFAULT_DB_ALIAS, connection, transaction
from django.db.models import (
    BigIntegerField,
    BooleanField,
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    Max,
    OuterRef,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, ExtractDay, ExtractMonth, ExtractYear

from maillage.pathways.models import Act, ActParticipant

from .models import ActMonth, Dirty, Presence

LOCK_KEY = 7_200_315  # any constant: the advisory lock of this refresh


def month_of(field: str):
    """year * 12 + month - 1 of a date field, as an integer expression."""
    return (
        Cast(ExtractYear(field), IntegerField()) * 12
        + Cast(ExtractMonth(field), IntegerField())
        - 1
    )


def human_of(person: str):
    """The human a row's person belongs to (`pathways.NetworkPerson`), else the person's id."""
    return Coalesce(
        F(f"{person}__network_person__human"),
        Cast(F(f"{person}_id"), BigIntegerField()),
        output_field=BigIntegerField(),
    )


def presence_rows(participants):
    """The Presence rows of these participations, as a SELECT in the column order of
    `PRESENCE`: `days` sums the distinct powers of two of the days, which is their bitwise OR;
    the person's profile comes along (one value per person)."""
    return (
        participants.filter(attended=True)
        .annotate(
            r_month=month_of("act__occurred_on"),
            r_bit=Value(1).bitleftshift(Cast(ExtractDay("act__occurred_on"), IntegerField()) - 1),
            r_merged=Case(
                When(person__merged_into__isnull=False, then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            ),
            r_human=human_of("person"),
        )
        .values(
            "person_id",
            "r_human",
            "act__structure_id",
            "act__offer_id",
            "r_month",
            "r_merged",
            "person__gender",
            "person__birth_year",
            "person__situation_id",
            "person__priority_neighbourhood",
            "person__commune_id",
            "person__postal_code",
        )
        .annotate(r_days=Sum("r_bit", distinct=True))
        .values_list(
            "person_id",
            "act__structure_id",
            "act__offer_id",
            "r_month",
            "r_days",
            "r_human",
            "r_merged",
            "person__gender",
            "person__birth_year",
            "person__situation_id",
            "person__priority_neighbourhood",
            "person__commune_id",
            "person__postal_code",
        )
        .order_by("r_month")
    )


def act_month_rows(acts):
    return (
        acts.annotate(r_month=month_of("occurred_on"))
        .values("structure_id", "offer_id", "act_type_id", "r_month")
        .annotate(r_acts=Count("id"), r_minutes=Sum("duration_minutes"))
        .values_list("structure_id", "offer_id", "act_type_id", "r_month", "r_acts", "r_minutes")
        .order_by()
    )


def _insert(table: str, columns: str, queryset) -> int:
    """INSERT … SELECT: the columns of the queryset's rows are taken by name, in the order of
    its values_list (the order Django writes them in its SQL may differ)."""
    sql, params = queryset.query.sql_with_params()
    names = ", ".join(f'x."{name}"' for name in queryset._fields)
    with connection.cursor() as cursor:
        # Table and column names come from the models; values are parameters.
        cursor.execute(f"INSERT INTO {table} ({columns}) SELECT {names} FROM ({sql}) x", params)  # noqa: S608
        return cursor.rowcount


def _lock() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])


PRESENCE = (
    Presence._meta.db_table,
    "person_id, structure_id, offer_id, month, days, human, merged, gender, birth_year, "
    "situation_id, priority_neighbourhood, commune_id, postal_code",
)
ACT_MONTH = (
    ActMonth._meta.db_table,
    "structure_id, offer_id, act_type_id, month, acts, minutes",
)


def is_fresh() -> bool:
    # On the primary: a replica may lag behind the writes that made the tables stale.
    return not Dirty.objects.using(DEFAULT_DB_ALIAS).exists()


@transaction.atomic
def refresh(*, full: bool = False) -> dict:
    """Redo what changed since the last refresh (everything with `full`); returns row counts."""
    _lock()
    last = Dirty.objects.aggregate(last=Max("id"))["last"]
    if last is None and not full:
        return {}
    dirty = Dirty.objects.filter(id__lte=last) if last is not None else Dirty.objects.none()
    full = full or dirty.filter(person_id__isnull=True, structure_id__isnull=True).exists()
    if full:
        Presence.objects.all().delete()
        ActMonth.objects.all().delete()
        done = {
            "presences": _insert(*PRESENCE, presence_rows(ActParticipant.objects.all())),
            "act_months": _insert(*ACT_MONTH, act_month_rows(Act.objects.all())),
        }
    else:
        persons = dirty.filter(person_id__isnull=False).values("person_id")
        Presence.objects.filter(person_id__in=persons).delete()
        months = dirty.filter(
            structure_id=OuterRef("structure_id"), month=OuterRef("month"), id__lte=last
        )
        ActMonth.objects.filter(Exists(months)).delete()
        changed_acts = Act.objects.annotate(r_m=month_of("occurred_on")).filter(
            Exists(
                Dirty.objects.filter(
                    structure_id=OuterRef("structure_id"), month=OuterRef("r_m"), id__lte=last
                )
            )
        )
        done = {
            "presences": _insert(
                *PRESENCE, presence_rows(ActParticipant.objects.filter(person_id__in=persons))
            ),
            "act_months": _insert(*ACT_MONTH, act_month_rows(changed_acts)),
        }
    if last is not None:
        Dirty.objects.filter(id__lte=last).delete()
    return done


def ensure_fresh() -> None:
    """Refresh first if anything changed (one cheap query when nothing did)."""
    if not is_fresh():
        refresh()


__all__ = ["ensure_fresh", "is_fresh", "refresh"]
