"""Pre-aggregated tables of the reports, kept equal to the pathways tables.

A year of a regional network is a million acts: counting distinct people over them on every
report is too slow. Two narrow tables hold the same facts, grouped:

- `Presence`: one row per person, structure, offer and month in which the person was present at
  one or more acts; `days` has bit d-1 set for each day d of the month with such an act, so that
  any period, cut at any day, is still counted exactly; the person's profile (gender, birth
  year, situation, priority neighbourhood, commune, postal code, merged) is copied on the row.
- `ActMonth`: acts and minutes per structure, offer, type and month (periods that start or end
  inside a month read the acts of those days from the `Act` table itself).

Database triggers on `pathways_act`, `pathways_actparticipant`, `pathways_person` and
`pathways_networkperson` (created
by this app's migrations, on PostgreSQL and SQLite alike) write into `Dirty` the persons and
(structure, month) pairs a change touches, whatever wrote it: a service, `bulk_create`, a
queryset `update`, PostgreSQL `COPY`. `refresh.refresh()` recomputes those rows from the
pathways tables; every report runs it first, so figures always equal the raw tables. A `Dirty`
row with neither a person nor a structure asks for a full rebuild (written by the migration
that creates the tables; `manage.py refresh_reports --full` rebuilds too).
"""

from django.db import models


class Presence(models.Model):
    person = models.ForeignKey(
        "pathways.Person", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    # Indexed with the month (Meta), which serves the structure alone too.
    structure = models.ForeignKey(
        "directory.Structure",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )
    offer = models.ForeignKey(
        "directory.Offer",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        related_name="+",
    )
    month = models.IntegerField()  # year * 12 + month - 1
    days = models.IntegerField()  # bit d-1: present on day d
    # The human the record belongs to (`pathways.NetworkPerson.human`, else the person id):
    # people are counted by it, so that one human recorded by several structures counts once.
    human = models.BigIntegerField()
    # The person's profile, copied so that counting people needs no join (a change of the
    # person marks them for refresh, like a change of their acts).
    merged = models.BooleanField()
    gender = models.CharField(max_length=10)
    birth_year = models.PositiveSmallIntegerField(null=True)
    situation_id = models.IntegerField(null=True)
    priority_neighbourhood = models.BooleanField()
    commune_id = models.IntegerField(null=True)
    postal_code = models.CharField(max_length=5)

    class Meta:
        indexes = [
            models.Index(fields=["month", "structure"], name="reporting_presence_month"),
            # A report reads its structures' rows of a run of months: one range per structure.
            # With only the index above, PostgreSQL read the whole table at national scale
            # (11 million rows for the 136,000 of one network's year: 880 ms against 370).
            models.Index(fields=["structure", "month"], name="reporting_presence_structure"),
            models.Index(fields=["person", "structure", "month"], name="reporting_presence_person"),
        ]

    def __str__(self):
        return f"{self.person_id} · {self.structure_id} · {self.month}"


class ActMonth(models.Model):
    structure = models.ForeignKey(
        "directory.Structure", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    offer = models.ForeignKey(
        "directory.Offer",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        related_name="+",
    )
    act_type = models.ForeignKey(
        "pathways.ActType", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    month = models.IntegerField()
    acts = models.IntegerField()
    minutes = models.BigIntegerField()

    class Meta:
        indexes = [models.Index(fields=["month", "structure"], name="reporting_actmonth_month")]

    def __str__(self):
        return f"{self.structure_id} · {self.month} · {self.acts}"


class Dirty(models.Model):
    """What a write changed, for `refresh`: a person, or a structure's month of acts."""

    person_id = models.IntegerField(null=True)
    structure_id = models.IntegerField(null=True)
    month = models.IntegerField(null=True)

    def __str__(self):
        return f"{self.person_id} · {self.structure_id} · {self.month}"


class Change(models.Model):
    """A transaction that wrote to a table the reports read (PostgreSQL only; `cache.py`): one
    row per transaction, written by statement-level triggers, so that a kept report knows
    whether anything it did not see has been committed since."""

    xid = models.BigIntegerField(unique=True)
    at = models.DateTimeField(db_default=models.functions.Now(), db_index=True)

    def __str__(self):
        return f"{self.xid} · {self.at}"


class CachedReport(models.Model):
    """A built report (`selectors.build_report`), kept with the database snapshot it was
    computed in; served again while no change outside that snapshot has been committed."""

    key = models.CharField(max_length=64, unique=True)
    snapshot = models.TextField()
    payload = models.BinaryField()
    created_at = models.DateTimeField(db_default=models.functions.Now())

    def __str__(self):
        return f"{self.key[:12]} · {self.created_at}"
