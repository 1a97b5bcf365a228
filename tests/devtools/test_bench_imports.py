"""`measure_import` (the import figure of make bench, issue 18): coherent figures, cleaned up."""

import pytest

from maillage.devtools.benchmarks import imports
from maillage.devtools.benchmarks.imports import measure_import
from maillage.directory.models import Structure
from maillage.imports.models import ImportedRow, ImportRun
from maillage.pathways.models import Act, Person


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_measure_import_returns_coherent_figures(db):
    figures = measure_import(rows=300, persons=30, isolated=False)
    assert figures["rows"] == 300 and figures["files"] == [300]
    # A COPY of 300 rows may take under 5 ms, printed as 0.00 s: its rate is computed unrounded.
    assert figures["import_seconds"] > 0 and figures["copy_seconds"] >= 0
    assert figures["copy_rows_per_second"] > 0 and figures["import_rows_per_second"] > 0
    # The seconds are printed to the hundredth: the rate and the ratio are computed from the
    # unrounded times, so they lie within what the rounded times allow.
    low, high = (figures["import_seconds"] + d for d in (-0.005, 0.005))
    assert 300 / high - 1 <= figures["import_rows_per_second"] <= 300 / max(low, 1e-6) + 1
    copy_low, copy_high = (figures["copy_seconds"] + d for d in (-0.005, 0.005))
    assert copy_low / high - 0.01 <= figures["ratio_of_copy"] <= copy_high / max(low, 1e-6) + 0.01
    assert 10 < figures["peak_mb"] < 10_000
    # The same file again creates and changes nothing.
    assert (figures["again_created"], figures["again_updated"]) == (0, 0)
    assert figures["again_unchanged"] == 300
    # Everything the bench made is gone.
    assert not Act.objects.exists() and not Person.objects.exists()
    assert not ImportedRow.objects.exists() and not ImportRun.objects.exists()
    assert not Structure.objects.filter(slug__startswith="banc-imports-").exists()


def test_more_rows_than_the_upload_cap_are_measured_as_files_at_the_cap(settings):
    settings.IMPORT_MAX_ROWS = 103  # a title, a blank line and the header: 100 rows a file
    assert imports.split(250) == [100, 100, 50]
    assert imports.split(100) == [100]


def test_files_beyond_the_cap_each_add_their_acts(db, settings):
    """Each file of a measure holds its own acts: none corrects an act of an earlier file (the
    1,000,000 acts of make bench, three files, once updated half of the first file's acts)."""
    settings.IMPORT_MAX_ROWS = 103
    figures = measure_import(rows=250, persons=5, isolated=False)
    assert figures["files"] == [100, 100, 50]
    assert (figures["again_created"], figures["again_updated"]) == (0, 0)
    assert figures["again_unchanged"] == 250


def test_a_measure_first_deletes_what_an_interrupted_one_left(db):
    """A killed run cleans nothing: the next one deletes its structure, persons and acts, so that
    no figure is measured beside them (a regional run once counted 1,000,000 acts too many)."""
    measure_import(rows=40, persons=4, isolated=False, keep=True)
    left = Structure.objects.get(slug__startswith="banc-imports-")
    assert Act.objects.filter(structure=left).count() == 40
    measure_import(rows=30, persons=3, isolated=False)
    assert not Structure.objects.filter(slug__startswith="banc-imports-").exists()
    assert not Act.objects.exists() and not Person.objects.exists()
