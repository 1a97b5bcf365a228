"""`make bench`: one table, every figure beside its peer, written into docs/benchmarks.md."""

import copy
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from maillage.accounts.models import User
from maillage.devtools.benchmarks import reports, run
from maillage.devtools.benchmarks.pages import BENCH_FUNDER
from maillage.pathways.models import Person


def result(scale, acts, report_s, p95_s, met=True):
    return {
        "scale": scale,
        "machine": {
            "date": "2026-12-05 08:00 UTC",
            "cpu": "2 cores (test)",
            "memory": "23 GiB",
            "versions": "Python 3.11",
            "load_before": "1.0 1.0 1.0",
            "load_after": "1.2 1.0 1.0",
        },
        "data": {
            "persons": acts // 20,
            "acts": acts,
            "networks": 1,
            "generation_s": 120.0,
            "network": "genere",
        },
        "rows": [
            run.row(
                "report_1y", "1-year funder report", f"{report_s} s", "DuckDB", "met", report_s
            ),
            run.row(
                "page_home",
                "advisor home",
                "p95",
                "p95 < 200 ms",
                "met" if met else "**missed**",
                p95_s,
                met,
            ),
        ],
    }


def test_the_page_shows_each_scale_and_how_each_figure_grew(tmp_path):
    docs = tmp_path
    (docs / "benchmarks.md").write_text(
        "# Benchmarks\n\nIntro.\n\n## Pathway map\n\nHand-written section.\n", encoding="utf-8"
    )
    run.write(result("regional", 1_000_000, 0.4, 0.05), docs)
    run.write(result("national", 20_000_000, 2.0, 0.25, met=False), docs)
    page = (docs / "benchmarks.md").read_text(encoding="utf-8")
    # The generated part sits before the hand-written sections, which are kept.
    assert page.index(run.BEGIN) < page.index("## Pathway map")
    assert "Hand-written section." in page and "Intro." in page
    assert "### Regional scale" in page and "### National scale" in page
    assert "1,000,000 acts" in page and "20,000,000 acts" in page
    # Growth: 20x the acts, the report took 5x longer, the page 5x (0.05 → 0.25 s).
    growth = page[page.index("### From regional to national") :]
    assert "(20x the acts)" in growth
    assert "| 1-year funder report | 0.400 | 2.000 | 5.0x |" in growth
    assert "| advisor home | 0.050 | 0.250 | 5.0x |" in growth
    assert "**missed**" in page
    # Measuring a scale again replaces its part, once.
    run.write(result("regional", 1_000_000, 0.3, 0.05), docs)
    again = (docs / "benchmarks.md").read_text(encoding="utf-8")
    assert again.count(run.BEGIN) == 1 and again.count("### Regional scale") == 1
    assert "| 1-year funder report | 0.300 | 2.000 | 6.7x |" in again
    assert (docs / "bench" / "regional.json").exists()


def test_a_scale_measured_alone_has_no_growth_table(tmp_path):
    run.write(copy.deepcopy(result("regional", 1_000_000, 0.4, 0.05)), tmp_path)
    page = (tmp_path / "benchmarks.md").read_text(encoding="utf-8")
    assert "### Regional scale" in page and "### From" not in page


def test_a_run_of_some_parts_keeps_the_other_figures_with_their_date(tmp_path):
    run.write(result("regional", 1_000_000, 0.4, 0.05), tmp_path)
    pages_only = result("regional", 1_000_000, 9.9, 0.07)
    pages_only["machine"]["date"] = "2026-12-06 10:00 UTC"
    pages_only["rows"] = [r for r in pages_only["rows"] if r["key"] == "page_home"]
    run.write(pages_only, tmp_path)
    kept = json.loads((tmp_path / "bench" / "regional.json").read_text(encoding="utf-8"))
    # The report figure of the first run stays, dated; the page figure is the new one.
    assert [(r["key"], r["value"], r.get("measured")) for r in kept["rows"]] == [
        ("report_1y", 0.4, "2026-12-05 08:00 UTC"),
        ("page_home", 0.07, None),
    ]
    page = (tmp_path / "benchmarks.md").read_text(encoding="utf-8")
    assert "| 1-year funder report (measured 2026-12-05 08:00 UTC) | 0.4 s |" in page
    # Figures of other data (another row count) are not carried over.
    other = result("regional", 2_000_000, 0.5, 0.08)
    other["rows"] = other["rows"][1:]
    run.write(other, tmp_path)
    again = json.loads((tmp_path / "bench" / "regional.json").read_text(encoding="utf-8"))
    assert [r["key"] for r in again["rows"]] == ["page_home"]


@pytest.mark.django_db(transaction=True)
def test_make_bench_measures_every_figure_beside_its_peer_and_writes_the_page(
    tmp_path, monkeypatch, settings
):
    """The whole bench at the tiny scale, as `make bench SCALE=tiny` runs it (the server too)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    # The import's own process and gunicorn read this test's database.
    monkeypatch.setenv("DATABASE_URL", run.database_url())
    docs = tmp_path / "docs"
    docs.mkdir()
    out = io.StringIO()
    call_command(
        "bench",
        scale="tiny",
        clients="1,3",
        seconds=0.2,
        import_rows=300,
        repeat=1,
        periods="one_year",  # the five years cost as much again and measure the same way
        workers=2,
        docs=docs,
        stdout=out,
    )
    printed = out.getvalue()
    page = (docs / "benchmarks.md").read_text(encoding="utf-8")
    for what in (
        "import of 300 acts",
        "import peak memory",
        "the same files again",
        "1-year funder report",
        "public pathway map",
        "an offer page",
        "advisor home",
        "person page",
        "referral inbox",
        "funder report page",
        "API list of persons",
        "duplicate check among",
    ):
        assert what in printed and what in page, what
    assert "| what | product | peer or goal | verdict |" in printed
    figures = json.loads((docs / "bench" / "tiny.json").read_text(encoding="utf-8"))
    assert figures["data"]["persons"] == 80
    pages = [r for r in figures["rows"] if r["key"].startswith("page_")]
    assert len(pages) == 7 and all(r["value"] > 0 for r in pages)
    # The temporary funder is gone; a second run finds the data and does not generate again.
    assert not User.objects.filter(email=BENCH_FUNDER).exists()
    persons = Person.objects.count()

    # A report figure that differs from DuckDB's fails the bench, and nothing is written.
    real = reports.peer_figures

    def one_act_less(rows):
        figures = real(rows)
        figures["acts"] -= 1
        return figures

    monkeypatch.setattr(reports, "peer_figures", one_act_less)
    (docs / "benchmarks.md").write_text("untouched", encoding="utf-8")
    with pytest.raises(CommandError, match="acts"):
        call_command(
            "bench",
            scale="tiny",
            only="reports",
            repeat=1,
            periods="one_year",
            docs=docs,
            stdout=io.StringIO(),
        )
    assert (docs / "benchmarks.md").read_text(encoding="utf-8") == "untouched"
    assert Person.objects.count() == persons
