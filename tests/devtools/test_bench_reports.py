"""The report bench's peers (issue 18): DuckDB over a Parquet export and plain SQL find the
report's figures, and the bench fails, naming the figure, when one differs.

On the reporting tests' world: rows on the periods' first and last days, referrals sent at
23:30 and 00:15 Paris time, a merged duplicate, people recorded by two structures.
"""

import copy
from datetime import date

import duckdb
import pytest

from maillage.devtools.benchmarks import BenchFailed, reports
from maillage.pathways.models import Act
from tests.reporting.shared import module_world

# The world's report year is 2025: its latest full months end on 31 December 2025.
TODAY = date(2026, 1, 15)

shared_world = module_world(persons=30)


@pytest.fixture
def world(shared_world, db):
    return copy.deepcopy(shared_world)


def test_the_peers_find_the_figures_of_the_report(world, tmp_path):
    """The one-year report (the five-year one runs the same code over 60 months)."""
    (result,) = reports.measure_reports(
        network=world.network, today=TODAY, repeat=1, workdir=tmp_path, periods=reports.PERIODS[:1]
    )
    assert (result["period"], result["from"], result["to"]) == (
        "one_year",
        "2025-01-01",
        "2025-12-31",
    )
    # Every headline figure and its breakdowns, and the previous period's totals.
    assert result["figures"] > 60
    assert result["shown_figures"] >= 1
    for key in ("product_seconds", "unmasked_seconds", "duckdb_seconds", "sql_seconds"):
        assert result[key] > 0
    assert result["ratio_duckdb"] == pytest.approx(
        result["product_seconds"] / result["duckdb_seconds"], rel=0.05
    )
    # Inside the test's transaction nothing is kept (cache.py): no cached time to show.
    assert result["cached_seconds"] is None


def test_periods_are_the_latest_full_months():
    assert reports.periods_of(date(2026, 11, 22)) == [
        ("one_year", date(2025, 11, 1), date(2026, 10, 31)),
        ("five_years", date(2021, 11, 1), date(2026, 10, 31)),
    ]


def test_a_row_missing_from_the_export_fails_the_bench_naming_the_figure(
    world, tmp_path, monkeypatch
):
    """One act of the report year dropped from the Parquet file: DuckDB counts one act fewer,
    and the bench says which figures, with both values."""
    act = Act.objects.filter(
        structure__in=world.structures, occurred_on__year=2025, duration_minutes__gt=0
    ).first()
    acts = Act.objects.filter(structure__networks=world.network, occurred_on__year=2025).count()
    export = reports.export_parquet

    def export_without_the_act(workdir):
        files = export(workdir)
        path = files["pathways_act"]
        smaller = path.with_name("smaller.parquet")
        with duckdb.connect() as duck:
            duck.execute(
                f"COPY (SELECT * FROM read_parquet('{path}') WHERE id <> {act.pk}) "  # noqa: S608
                f"TO '{smaller}' (FORMAT parquet)"
            )
        smaller.replace(path)
        return files

    monkeypatch.setattr(reports, "export_parquet", export_without_the_act)
    with pytest.raises(BenchFailed) as failed:
        reports.measure_reports(
            network=world.network,
            today=TODAY,
            repeat=1,
            workdir=tmp_path,
            periods=reports.PERIODS[:1],
        )
    message = str(failed.value)
    assert f"one_year acts: product {acts}, DuckDB {acts - 1}" in message
    assert f"one_year acts[act_type={act.act_type_id}]" in message
    assert "one_year act_hours: product" in message
    # The SQL peer reads the tables themselves: it agrees with the product.
    assert "SQL" not in message
