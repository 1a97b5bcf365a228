"""Import of acts through the product's pipeline beside a raw COPY of the same rows (issue 18).

    figures = measure_import(rows=1_000_000, persons=5_000)

Untimed: a structure of its own (in a network of its own), an advisor, `persons` persons with
file numbers, and CSV files of acts for them as a structure keeps them (a title row, the import
template's headers, dates dd/mm/yyyy, types of act in words and abbreviations, durations "1h30",
"45", "1,5", a note on some rows). A file holds at most the upload cap (`IMPORT_MAX_ROWS` lines,
the title and header lines included): more rows are measured as several files, filled to the
cap one after the other (`files` says how many rows each held).

Timed, file after file: `manage.py import_records` as the shell runs it (upload with SHA-256
and row count, read, check, match, keys and hashes, compare, write in one transaction, the
run's report), in a child process of its own so that its peak resident memory is the import's
alone (`isolated`; on PostgreSQL); then a raw COPY of the same acts and participants into the
same tables (same indexes, committed so that the foreign keys are checked as for the import,
then deleted untimed); then each file imported again, which must create and change nothing.
Everything made is deleted afterwards. Progress goes to stderr; the figures are returned.
"""

import csv
import datetime
import io
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator

from django.conf import settings
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

from maillage.accounts.models import StructureMembership, StructureRole, User
from maillage.directory.models import Network, Structure
from maillage.imports.entities import ACTS
from maillage.imports.limits import limits
from maillage.imports.models import ImportedRow, ImportRun
from maillage.imports.template_files import header
from maillage.pathways.acts.bulk import ACT_COLUMNS, insert_rows
from maillage.pathways.common import name_key
from maillage.pathways.models import Accompaniment, Act, ActParticipant, ActType, Person

from . import BenchFailed

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
TITLE_LINES = 2  # a title row and a blank row above the header
START = datetime.date(2024, 1, 1)


def file_header() -> list[str]:
    """The template's headers of the bench's fields, in the template's order."""
    headers = dict(zip((spec.code for spec in ACTS.fields), header(ACTS.code), strict=True))
    return [headers[code] for code in sorted(FIELDS, key=list(headers).index)]


def say(message: str) -> None:
    sys.stderr.write(f"[bench imports] {message}\n")
    sys.stderr.flush()


def acts(rows: int, numbers: list[str], rng, year: int = 0) -> Iterator[tuple]:
    """(file number, day, type label, type code, duration text, minutes, note) of each act.

    The acts of file `year` (0, 1, …) fall in its own year (2024, 2023, …): a person's act of
    one day and type is one record for the import (its key), so two files of the same year would
    correct each other's acts instead of adding theirs, as a structure's yearly files do not."""
    first = START.replace(year=START.year - year)
    for index in range(rows):
        day = first + datetime.timedelta(days=rng.randrange(365))
        label, code = TYPES[rng.randrange(len(TYPES))]
        text, minutes = DURATIONS[rng.randrange(len(DURATIONS))]
        comment = "Point sur le projet" if index % 7 == 0 else ""
        yield numbers[index % len(numbers)], day, label, code, text, minutes, comment


def write_file(path: str, rows: int, numbers: list[str], rng, year: int = 0) -> None:
    """A CSV file of `rows` acts as a structure keeps it (the acts of `year`, see `acts`)."""
    columns = file_header()
    codes = dict(zip(header(ACTS.code), (spec.code for spec in ACTS.fields), strict=True))
    order = [codes[column] for column in columns]
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";", lineterminator="\r\n")
        writer.writerow([f"Suivi des accompagnements {START.year - year}"])
        writer.writerow([])
        writer.writerow(columns)
        for number, day, label, _code, text, _minutes, comment in acts(rows, numbers, rng, year):
            cells = {
                "file_number": number,
                "act_type": label,
                "occurred_on": day.strftime("%d/%m/%Y"),
                "duration": text,
                "notes": comment,
            }
            writer.writerow([cells[code] for code in order])


def split(rows: int) -> list[int]:
    """The rows of each file: filled to the upload cap, one after the other."""
    per_file = limits().rows - TITLE_LINES - 1
    sizes = []
    while rows > 0:
        sizes.append(min(rows, per_file))
        rows -= sizes[-1]
    return sizes


# --- setup and cleaning (untimed) ---------------------------------------------------------------


def clean_leftovers() -> int:
    """Delete what an interrupted measure left (its structure, persons and acts: a killed run
    cleans nothing), so that the bench never measures beside them. Returns how many."""
    leftovers = list(Structure.objects.filter(slug__startswith="banc-imports-"))
    for structure in leftovers:
        say(f"deleting what an interrupted run left: {structure.slug}")
        user = User.objects.filter(structure_memberships__structure=structure).first()
        clean(structure, user)
    return len(leftovers)


def setup(persons: int, rng) -> tuple:
    clean_leftovers()
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
    StructureMembership.objects.create(user=user, structure=structure, role=StructureRole.ADVISOR)
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


def clean(structure, user) -> None:
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
        if user is not None:
            user.delete()
    vacuum(Act, ActParticipant, Person, Accompaniment, ImportedRow, ImportRun)


def vacuum(*models) -> None:
    """VACUUM (ANALYZE) the tables a measure deleted its rows from (PostgreSQL, outside a
    transaction), so that the next measures do not run beside them: autovacuum waits until a
    fifth of a table is dead, and until then the planner, probing an index's end for its
    estimates, walks through the dead entries (PostgreSQL 15). After the national import
    measure (two million acts written, then deleted), the person page's acts took 48 ms to plan
    and 2 ms to run; 5 ms in all once vacuumed."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return
    tables = ", ".join(f'"{model._meta.db_table}"' for model in models)
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM (ANALYZE) {tables}")


# --- the import (timed) -------------------------------------------------------------------------


def _rss_reset() -> bool:
    """Reset this process's peak resident memory (Linux: VmHWM), so that the next reading is
    the peak of what runs from now on."""
    try:
        with open("/proc/self/clear_refs", "w") as handle:
            handle.write("5")
        return True
    except OSError:
        return False


def _rss_peak_mb() -> float:
    try:
        with open("/proc/self/status") as handle:
            for line in handle:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def import_here(path: str, slug: str, email: str) -> dict:
    """`import_records` in this process: its seconds, report, and peak resident memory (of the
    process, since the peak was reset when Linux allows it)."""
    out = io.StringIO()
    reset = _rss_reset()
    cpu = time.process_time()
    started = time.perf_counter()
    try:
        with open(os.devnull, "w") as progress:  # the progress bar
            call_command(
                "import_records",
                path,
                structure=slug,
                entity="acts",
                report="json",
                user=email,
                stdout=out,
                stderr=progress,
            )
    except BaseException as error:  # the report is on stdout, the reason in the exception
        raise BenchFailed(f"import_records failed: {error}\n{out.getvalue()[:2000]}") from error
    seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu
    peak = _rss_peak_mb()
    return {
        "seconds": seconds,
        "cpu_seconds": cpu,
        "peak_mb": peak,
        "peak_reset": reset,
        "report": json.loads(out.getvalue()),
    }


def _database_url() -> str:
    database = connection.settings_dict
    return (
        f"postgres://{database['USER']}:{database['PASSWORD']}@{database['HOST'] or 'localhost'}"
        f":{database['PORT'] or 5432}/{database['NAME']}"
    )


def import_isolated(path: str, slug: str, email: str) -> dict:
    """`import_here` in a child process of its own (this module run as a script), on the same
    database: its peak is the import's alone, not the bench's."""
    env = {**os.environ, "DATABASE_URL": _database_url()}
    env.setdefault("DJANGO_SETTINGS_MODULE", "maillage.settings")
    done = subprocess.run(  # noqa: S603 - our own module, our own arguments
        [sys.executable, "-c", CHILD, path, slug, email],
        env=env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        raise BenchFailed(f"the import's process failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.splitlines()[-1])


def raw_copy(path_rows: int, numbers: list[str], seed: int, structure, user, year: int) -> float:
    """COPY the same acts and their participants into the same tables, committed (deleted
    afterwards, untimed); the seconds of the COPY."""
    persons = dict(
        Accompaniment.objects.filter(structure=structure).values_list("file_number", "person")
    )
    types = dict(ActType.objects.values_list("code", "pk"))
    now = timezone.now()
    ids = _act_ids(path_rows)
    values = {
        "uuid": None,
        "structure_id": structure.pk,
        "staff_id": user.pk,
        "offer_id": None,
        "session_id": None,
        "is_collective": False,
        "title": "",
        "created_by_id": user.pk,
        "created_at": now,
        "version": 1,
    }
    rows = list(acts(path_rows, numbers, random.Random(seed), year))  # noqa: S311 - fictional
    act_rows = []
    for pk, (_number, day, _label, code, _text, minutes, comment) in zip(ids, rows, strict=True):
        values.update(
            id=pk,
            uuid=uuid.uuid4(),
            act_type_id=types[code],
            occurred_on=day,
            duration_minutes=minutes,
            notes=comment,
        )
        act_rows.append(tuple(values[column] for column in ACT_COLUMNS))
    participants = [(pk, persons[row[0]], True) for pk, row in zip(ids, rows, strict=True)]
    del rows
    started = time.perf_counter()
    with transaction.atomic():  # the commit checks the foreign keys, as for the import
        insert_rows(Act, ACT_COLUMNS, act_rows)
        insert_rows(ActParticipant, ("act_id", "person_id", "attended"), participants)
    elapsed = time.perf_counter() - started
    with transaction.atomic():  # plain DELETEs: no cascade to collect, no signal
        for start in range(0, len(ids), 10_000):
            chunk = ids[start : start + 10_000]
            ActParticipant.objects.filter(act_id__in=chunk)._raw_delete("default")
            Act.objects.filter(pk__in=chunk)._raw_delete("default")
    return elapsed


def _act_ids(count: int) -> list[int]:
    """`count` ids for acts, drawn from the table's sequence as the import draws them (another
    writer at the same time gets others); on SQLite, after the largest id."""
    if connection.vendor != "postgresql":
        last = Act.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        return list(range(last + 1, last + 1 + count))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [f'"{Act._meta.db_table}"', count],
        )
        return [pk for (pk,) in cursor.fetchall()]


def measure_import(
    *,
    rows: int,
    persons: int = 5_000,
    seed: int = 1,
    isolated: bool | None = None,
    keep: bool = False,
) -> dict:
    """The figures of an import of `rows` acts for `persons` persons beside a raw COPY of the
    same rows (see the module's docstring). `isolated` (default: on PostgreSQL) runs each
    import in a child process; otherwise in this process, its peak reset first when Linux
    allows it (`peak_mb` then includes what this process already held). `keep`: leave the
    structure, its persons and acts in the database."""
    if rows < 1:
        raise ValueError("rows must be at least 1")
    postgresql = connection.vendor == "postgresql"
    isolated = postgresql if isolated is None else isolated
    run_import = import_isolated if isolated else import_here
    persons = max(1, min(persons, rows))
    rng = random.Random(seed)  # noqa: S311 - fictional data
    structure, user = setup(persons, rng)
    numbers = [f"D{index:06d}" for index in range(1, persons + 1)]
    sizes = split(rows)
    directory = tempfile.mkdtemp(prefix="bench-actes-")
    paths = []
    try:
        for number, size in enumerate(sizes):
            path = os.path.join(directory, f"actes-{number + 1}.csv")
            write_file(path, size, numbers, random.Random(seed + number), number)  # noqa: S311
            paths.append(path)
        megabytes = sum(os.path.getsize(path) for path in paths) / 1e6
        say(
            f"{rows:,} acts for {persons:,} persons in {len(sizes)} file(s) "
            f"({megabytes:.1f} MB CSV), database {connection.vendor}"
        )
        first = []
        for path, size in zip(paths, sizes, strict=True):
            result = run_import(path, structure.slug, user.email)
            report = result["report"]
            if report["status"] != "imported" or report["counts"]["created"] != size:
                raise BenchFailed(
                    "the import did not create every row: " + json.dumps(report)[:2000]
                )
            say(
                f"import of {size:,} rows: {result['seconds']:.2f} s, "
                f"peak {result['peak_mb']:.0f} MB"
            )
            first.append(result)
        copy_seconds = 0.0
        for number, size in enumerate(sizes):
            copy_seconds += raw_copy(size, numbers, seed + number, structure, user, number)
        say(f"raw COPY of the same rows: {copy_seconds:.2f} s")
        again = {"created": 0, "updated": 0, "unchanged": 0, "skipped": 0}
        again_seconds, again_peak = 0.0, 0.0
        for path in paths:
            result = run_import(path, structure.slug, user.email)
            report = result["report"]
            if report["status"] != "imported":
                raise BenchFailed("the same file again was refused: " + json.dumps(report)[:2000])
            for key in again:
                again[key] += report["counts"][key]
            again_seconds += result["seconds"]
            again_peak = max(again_peak, result["peak_mb"])
        say(f"same files again: {again_seconds:.2f} s, {again}")
        if again["created"] or again["updated"]:
            raise BenchFailed(f"the second import changed something: {again}")
        if Act.objects.filter(structure=structure).count() != rows:
            raise BenchFailed("the second import added acts")
    finally:
        for path in paths:
            os.unlink(path)
        os.rmdir(directory)
        if not keep:
            clean(structure, user)
    import_seconds = sum(result["seconds"] for result in first)
    return {
        "rows": rows,
        "persons": persons,
        "files": sizes,
        "cap_rows": limits().rows,
        "csv_mb": round(megabytes, 1),
        "import_seconds": round(import_seconds, 2),
        "import_rows_per_second": round(rows / import_seconds),
        # CPU time of the importing process (its writer thread included; not PostgreSQL's).
        "import_cpu_seconds": round(sum(result["cpu_seconds"] for result in first), 2),
        "copy_seconds": round(copy_seconds, 2),
        "copy_rows_per_second": round(rows / copy_seconds),
        "ratio_of_copy": round(copy_seconds / import_seconds, 2),
        "peak_mb": round(max(result["peak_mb"] for result in first), 1),
        "peak_mb_per_file": [round(result["peak_mb"], 1) for result in first],
        "peak_of": "the import's own process" if isolated else "this process (bench included)",
        "again_seconds": round(again_seconds, 2),
        "again_peak_mb": round(again_peak, 1),
        "again_created": again["created"],
        "again_updated": again["updated"],
        "again_unchanged": again["unchanged"],
    }


CHILD = (
    "import django, json, sys; django.setup(); "
    "from maillage.devtools.benchmarks.imports import import_here; "
    "print(); print(json.dumps(import_here(*sys.argv[1:4]), default=str))"
)
