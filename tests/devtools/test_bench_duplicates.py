"""`manage.py bench_duplicates` (issue 16, acceptance 3) keeps working and finds every planted
duplicate (figures at 50,000 and 1,000,000 persons in docs/benchmarks.md)."""

import io

import pytest
from django.core.management import CommandError, call_command

from maillage.directory.models import Structure
from maillage.pathways.models import IdentityKey, Person

pytestmark = pytest.mark.sqlite


def test_bench_duplicates_finds_every_planted_duplicate(db):
    out = io.StringIO()
    call_command("bench_duplicates", people=300, planted=40, stdout=out)
    report = out.getvalue()
    assert "300 persons" in report
    assert "p95" in report
    assert "recall: 40/40 (100.0%)" in report
    # It cleans up after itself.
    assert not Person.objects.exists() and not IdentityKey.objects.exists()
    assert not Structure.objects.filter(slug__startswith="banc-doublons-").exists()


def test_a_kept_set_is_timed_again_without_writing_anything(db):
    call_command("bench_duplicates", people=200, planted=10, keep=True, stdout=io.StringIO())
    keys = IdentityKey.objects.count()
    out = io.StringIO()
    call_command("bench_duplicates", again=True, planted=25, stdout=out)
    report = out.getvalue()
    assert "200 persons kept" in report
    assert "recall: 25/25 (100.0%)" in report
    assert Person.objects.count() == 200 and IdentityKey.objects.count() == keys


def test_timing_again_without_a_kept_set_says_what_to_run(db):
    with pytest.raises(CommandError, match="--keep"):
        call_command("bench_duplicates", again=True, stdout=io.StringIO())
