"""The benchmark command keeps working (its figures are in docs/benchmarks.md)."""

import csv
import io
import random

import pytest
from django.core.management import call_command

from maillage.devtools.benchmarks.imports import FIELDS, write_file
from maillage.directory.models import Structure
from maillage.imports.entities import ACTS
from maillage.imports.mapping import auto_mapping
from maillage.imports.template_files import header as header_of_template
from maillage.pathways.models import Act, Person

pytestmark = pytest.mark.sqlite


def test_bench_imports_runs_on_a_small_file(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    out = io.StringIO()
    call_command("bench_imports", rows=200, persons=20, in_process=True, stdout=out)
    report = out.getvalue()
    assert "200 acts created" in report
    assert "ratio import / raw COPY" in report and "of COPY's rate" in report
    assert "same file again" in report and "created 0, updated 0" in report
    assert "peak resident memory" in report
    # It cleans up after itself.
    assert not Act.objects.exists() and not Person.objects.exists()
    assert not Structure.objects.filter(slug__startswith="banc-imports-").exists()


def test_the_bench_file_is_headed_as_the_import_template(db, tmp_path):
    """The bench's columns are the import template's (`template_files.header`), not a copy that
    drifts: the automatic mapping finds each of them at the field the bench fills."""
    path = tmp_path / "acts.csv"
    write_file(str(path), 3, ["D000001"], random.Random(1))
    with open(path, encoding="utf-8", newline="") as handle:
        header = list(csv.reader(handle, delimiter=";"))[2]
    template = header_of_template("acts")
    assert header == [column for column in template if column in header]
    codes = [spec.code for spec in ACTS.fields if spec.code in FIELDS]
    assert auto_mapping("acts", header) == dict(zip(codes, header, strict=True))
