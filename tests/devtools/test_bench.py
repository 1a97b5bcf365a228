"""The benchmark command keeps working (its figures are in docs/benchmarks.md)."""

import io

import pytest
from django.core.management import call_command

from maillage.directory.models import Structure
from maillage.pathways.models import Act, Person

pytestmark = pytest.mark.sqlite


def test_bench_imports_runs_on_a_small_file(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    out = io.StringIO()
    call_command("bench_imports", rows=200, persons=20, stdout=out)
    report = out.getvalue()
    assert "200 acts created" in report
    assert "ratio import / raw COPY" in report
    assert "same file again" in report and "created 0, updated 0" in report
    assert "peak resident memory" in report
    # It cleans up after itself.
    assert not Act.objects.exists() and not Person.objects.exists()
    assert not Structure.objects.filter(slug__startswith="banc-imports-").exists()
