"""`make bench`: one table, every figure beside its peer, written into docs/benchmarks.md."""

import copy

from maillage.devtools.benchmarks import run


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
