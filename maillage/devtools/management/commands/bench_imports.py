"""Time an import of acts end to end against a raw COPY of the same rows (docs/benchmarks.md).

    manage.py bench_imports --rows 100000 [--persons 5000] [--keep]

Untimed: a structure of its own (in a network of its own), an advisor, `--persons` persons
with file numbers, and a CSV file of `--rows` acts for them as a structure would keep it
(file number, date dd/mm/yyyy, type of act in words and abbreviations, durations "1h30", "45",
"1,5", a comment on some rows). Timed: `import_records` as the shell runs it (upload, read,
check, match, keys and hashes, compare, write in one transaction); then a raw COPY of the same
acts and participants into the same tables (rolled back); then the same file imported again,
which must create and change nothing. Prints both times, the ratio, the rows per second and the
process's peak resident memory. Everything it made is deleted afterwards unless `--keep`.
"""

import csv
import datetime
import io
import json
import os
import random
import resource
import tempfile
import time
import uuid

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.utils import timezone

from maillage.accounts.models import StructureMembership, StructureRole, User
from maillage.directory.models import Network, Structure
from maillage.imports.entities import ACTS
from maillage.imports.models import ImportedRow, ImportRun
from maillage.imports.template_files import header
from maillage.pathways.acts.bulk import ACT_COLUMNS, insert_rows
from maillage.pathways.common import name_key
from maillage.pathways.models import Accompaniment, Act, ActParticipant, ActType, Person

TYPES = (
    ("Entretien individuel", "individual_interview"),
    ("RDV", "individual_interview"),
    ("Suivi individuel", "individual_follow_up"),
    ("Suivi", "individual_follow_up"),
    ("Accueil", "reception"),
    ("Diagnostic", "diagnostic"),
    ("Mise en relation", "bringing_into_contact"),
    ("Bilan", "review"),
)
DURATIONS = (("1h30", 90), ("45", 45), ("1,5", 90), ("2h", 120), ("30 min", 30), ("1h", 60))
FIRST = ("Camille", "Dominique", "Sacha", "Alex", "Claude", "Maël", "Inès", "Yanis", "Léa")
LAST = ("Martin", "Bernard", "Durand", "Petit", "Moreau", "Garcia", "Roux", "Fournier", "Nguyen")


# The columns of the file, as the import's template file heads them (`template_files.header`).
FIELDS = ("file_number", "act_type", "occurred_on", "duration", "notes")


def file_header() -> list[str]:
    """The template's headers of the bench's fields, in the template's order."""
    headers = dict(zip((spec.code for spec in ACTS.fields), header(ACTS.code), strict=True))
    return [headers[code] for code in sorted(FIELDS, key=list(headers).index)]


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class Command(BaseCommand):
    help = "Benchmark: import N acts from a CSV file, against a raw COPY of the same rows."

    def add_arguments(self, parser):
        parser.add_argument("--rows", type=int, default=100_000)
        parser.add_argument("--persons", type=int, default=5_000)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--keep", action="store_true", help="Keep what the bench made.")

    def say(self, message: str) -> None:
        self.stdout.write(message)

    def handle(self, *args, rows, persons, seed, keep, **options):
        rng = random.Random(seed)  # noqa: S311 - fictional data
        persons = max(1, min(persons, rows))
        structure, user = self.setup(persons, rng)
        numbers = [f"D{index:06d}" for index in range(1, persons + 1)]
        handle, path = tempfile.mkstemp(suffix=".csv", prefix="bench-actes-")
        os.close(handle)
        try:
            expected = self.write_file(path, rows, numbers, rng)
            self.say(
                f"bench_imports: {rows:,} acts for {persons:,} persons, "
                f"{os.path.getsize(path) / 1e6:.1f} MB CSV, database {connection.vendor}"
            )
            first, report = self.import_file(path, structure, user)
            rss = peak_rss_mb()
            created = report["counts"]["created"]
            if report["status"] != "imported" or created != rows:
                self.stderr.write(json.dumps(report, default=str)[:2000])
                raise SystemExit("bench_imports: the import did not create every row")
            self.say(
                f"import_records (read, check, match, keys, write): {first:.2f} s "
                f"({rows / first:,.0f} rows/s), {created:,} acts created"
            )
            raw = self.raw_copy(expected, structure, user)
            self.say(f"raw COPY of the same acts and participants: {raw:.2f} s")
            self.say(f"ratio import / raw COPY: {first / raw:.1f}")
            self.say(f"peak resident memory: {rss:.0f} MB")
            second, again = self.import_file(path, structure, user)
            counts = again["counts"]
            self.say(
                f"same file again: {second:.2f} s, created {counts['created']}, updated "
                f"{counts['updated']}, unchanged {counts['unchanged']:,}"
            )
            if counts["created"] or counts["updated"] or again["status"] != "imported":
                raise SystemExit("bench_imports: the second import changed something")
            if Act.objects.filter(structure=structure).count() != rows:
                raise SystemExit("bench_imports: the second import added acts")
        finally:
            os.unlink(path)
            if not keep:
                self.clean(structure, user)

    # --- setup (untimed) --------------------------------------------------------------------

    def setup(self, persons: int, rng) -> tuple:
        tag = uuid.uuid4().hex[:8]
        network = Network.objects.create(name=f"Banc d'essai imports {tag}", slug=f"banc-{tag}")
        structure = Structure.objects.create(
            name=f"Structure banc d'essai {tag}",
            slug=f"banc-imports-{tag}",
            legal_form_id="association",
            city="Marseille",
        )
        structure.networks.add(network)
        user = User.objects.create_user(email=f"banc-{tag}@exemple.test", password=None)
        StructureMembership.objects.create(
            user=user, structure=structure, role=StructureRole.ADVISOR
        )
        now = timezone.now()
        started = datetime.date(2023, 1, 2)
        with transaction.atomic():
            created = Person.objects.bulk_create(
                [
                    Person(
                        first_name=(first := rng.choice(FIRST)),
                        last_name=(last := rng.choice(LAST)),
                        birth_date=datetime.date(1960 + index % 45, 1 + index % 12, 1 + index % 28),
                        birth_year=1960 + index % 45,
                        name_key=name_key(first, last),
                        created_by_structure=structure,
                        created_at=now,
                        updated_at=now,
                    )
                    for index in range(persons)
                ],
                batch_size=2_000,
            )
            Accompaniment.objects.bulk_create(
                [
                    Accompaniment(
                        person=person,
                        structure=structure,
                        started_on=started,
                        file_number=f"D{index:06d}",
                    )
                    for index, person in enumerate(created, start=1)
                ],
                batch_size=2_000,
            )
        return structure, user

    def write_file(self, path: str, rows: int, numbers: list[str], rng) -> list[tuple]:
        """The CSV file, and the rows as a raw COPY would take them (ids resolved)."""
        start = datetime.date(2024, 1, 1)
        types = dict(ActType.objects.values_list("code", "pk"))
        expected = []
        with open(path, "w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, delimiter=";", lineterminator="\r\n")
            writer.writerow(["Suivi des accompagnements 2024"])
            writer.writerow([])
            columns = file_header()
            writer.writerow(columns)
            codes = dict(zip(header(ACTS.code), (spec.code for spec in ACTS.fields), strict=True))
            for index in range(rows):
                number = numbers[index % len(numbers)]
                day = start + datetime.timedelta(days=rng.randrange(365))
                label, code = TYPES[rng.randrange(len(TYPES))]
                text, minutes = DURATIONS[rng.randrange(len(DURATIONS))]
                comment = "Point sur le projet" if index % 7 == 0 else ""
                cells = {
                    "file_number": number,
                    "act_type": label,
                    "occurred_on": day.strftime("%d/%m/%Y"),
                    "duration": text,
                    "notes": comment,
                }
                writer.writerow([cells[codes[column]] for column in columns])
                expected.append((number, day, types[code], minutes, comment))
        return expected

    # --- timed ------------------------------------------------------------------------------

    def import_file(self, path: str, structure, user) -> tuple[float, dict]:
        out, err = io.StringIO(), io.StringIO()
        started = time.perf_counter()
        try:
            call_command(
                "import_records",
                path,
                structure=structure.slug,
                entity="acts",
                report="json",
                user=user.email,
                stdout=out,
                stderr=err,
            )
        except Exception as error:  # the report is on stdout, the reason in the exception
            self.stderr.write(f"{error}\n{out.getvalue()[:2000]}")
            raise
        elapsed = time.perf_counter() - started
        return elapsed, json.loads(out.getvalue())

    def raw_copy(self, expected: list[tuple], structure, user) -> float:
        """COPY the same acts and their participants into the same tables, commit (deleted
        afterwards, untimed)."""
        persons = dict(
            Accompaniment.objects.filter(structure=structure).values_list("file_number", "person")
        )
        now = timezone.now()
        first_id = (Act.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
        acts = [
            tuple(
                {
                    "id": first_id + index,
                    "uuid": uuid.uuid4(),
                    "act_type_id": type_id,
                    "structure_id": structure.pk,
                    "staff_id": user.pk,
                    "offer_id": None,
                    "session_id": None,
                    "occurred_on": day,
                    "duration_minutes": minutes,
                    "is_collective": False,
                    "title": "",
                    "notes": comment,
                    "created_by_id": user.pk,
                    "created_at": now,
                    "version": 1,
                }[column]
                for column in ACT_COLUMNS
            )
            for index, (_number, day, type_id, minutes, comment) in enumerate(expected)
        ]
        participants = [
            (first_id + index, persons[number], True)
            for index, (number, *_rest) in enumerate(expected)
        ]
        started = time.perf_counter()
        with transaction.atomic():  # the commit checks the foreign keys, as for the import
            insert_rows(Act, ACT_COLUMNS, acts)
            insert_rows(ActParticipant, ("act_id", "person_id", "attended"), participants)
        elapsed = time.perf_counter() - started
        last_id = first_id + len(acts) - 1
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                f'DELETE FROM "{ActParticipant._meta.db_table}" WHERE act_id BETWEEN %s AND %s',  # noqa: S608
                [first_id, last_id],
            )
            cursor.execute(
                f'DELETE FROM "{Act._meta.db_table}" WHERE id BETWEEN %s AND %s',  # noqa: S608
                [first_id, last_id],
            )
        return elapsed

    # --- cleaning ---------------------------------------------------------------------------

    def clean(self, structure, user) -> None:
        act = Act._meta.db_table
        participant = ActParticipant._meta.db_table
        with transaction.atomic():
            with connection.cursor() as cursor:
                # Plain SQL: the planner has no statistics yet on the rows just written.
                cursor.execute(
                    f'DELETE FROM "{participant}" WHERE act_id IN '  # noqa: S608
                    f'(SELECT id FROM "{act}" WHERE structure_id = %s)',
                    [structure.pk],
                )
                cursor.execute(f'DELETE FROM "{act}" WHERE structure_id = %s', [structure.pk])  # noqa: S608
            ImportedRow.objects.filter(structure=structure).delete()
            for run in ImportRun.objects.filter(structure=structure):
                run.file.delete(save=False)
                run.delete()
            person_ids = list(
                Accompaniment.objects.filter(structure=structure).values_list("person", flat=True)
            )
            Accompaniment.objects.filter(structure=structure).delete()
            Person.objects.filter(pk__in=person_ids).delete()
            networks = list(structure.networks.all())
            StructureMembership.objects.filter(structure=structure).delete()
            structure.delete()
            for network in networks:
                network.delete()
            user.delete()
