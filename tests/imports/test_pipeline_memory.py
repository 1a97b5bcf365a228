"""A file of acts is streamed: what the import keeps across the file does not grow with its
rows' content (issue 18: memory under 300 MB at the upload cap).

Measured with tracemalloc on two files, N and 4N rows: the import's peak of Python memory may
grow by a fingerprint per row (the rows' keys, to find repeated ones), not by every row's
values, person and act, as it did when every row was kept until the end (about 1.5 kB a row).
"""

import datetime
import tracemalloc

import pytest

from maillage.imports import pipeline, services
from maillage.imports.models import ImportStatus
from maillage.imports.pipeline import stream
from maillage.pathways.models import Act
from tests.imports.engine import ACT_HEADER, build_world, person, upload, use_tmp_media

TYPES = ("Suivi individuel", "Entretien individuel", "Accueil", "Diagnostic")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    use_tmp_media(settings, tmp_path)


def _rows(count: int, numbers: list[str], year: int):
    """`count` acts of one year, each with its own key (person, day, type) and a long note."""
    start = datetime.date(year, 1, 1)
    return [
        [
            numbers[n % len(numbers)],
            (start + datetime.timedelta(days=n % 350)).strftime("%d/%m/%Y"),
            TYPES[n % len(TYPES)],
            "1h30",
            f"Point numéro {n} sur le projet, les démarches et la suite",
        ]
        for n in range(count)
    ]


def _peak_of_import(world, rows) -> int:
    run = upload(world, "acts", ACT_HEADER, rows)
    tracemalloc.start()
    try:
        done = services.commit(run=run, user=world.advisor, new_persons_for_duplicates=True)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert done.status == ImportStatus.IMPORTED, done.errors
    assert done.counts["created"] == len(rows)
    return peak


def test_the_memory_an_import_of_acts_keeps_does_not_grow_with_its_rows(db, monkeypatch):
    monkeypatch.setattr(stream, "BATCH", 100)
    monkeypatch.setattr(pipeline, "LOAD_ALL_KEYS", 0)  # earlier imports' keys: by batch
    world = build_world()
    numbers = [f"D-{n}" for n in range(40)]
    for n, number in enumerate(numbers):
        person(world, number, first=f"Camille{n}")
    small = 300
    _peak_of_import(world, _rows(small, numbers, 2021))  # warms the caches (matchers…)
    first = _peak_of_import(world, _rows(small, numbers, 2022))
    large = _peak_of_import(world, _rows(4 * small, numbers, 2023))
    assert Act.objects.count() == 6 * small
    per_row = (large - first) / (3 * small)
    assert per_row < 400, f"{per_row:.0f} bytes kept per row ({first:,} → {large:,})"
