"""The charts of a report: drawn from the report's own figures, masked ones left out."""

import json
import re

import pytest
from django.utils import translation

from maillage.reporting import charts
from tests.reporting.report_samples import empty_report, sample_report


@pytest.fixture(autouse=True)
def french():
    with translation.override("fr"):
        yield


def by_key(report):
    return {chart.key: chart for chart in charts.report_charts(report)}


def svg_texts(svg: str) -> list[str]:
    return re.findall(r"<text[^>]*>([^<]*)</text>", svg)


def test_every_chart_of_the_issue_is_drawn_with_its_table():
    drawn = by_key(sample_report())
    assert list(drawn) == ["flows", "funnel", "acts", "outcomes"]
    for chart in drawn.values():
        assert chart.table.rows, chart.key
        assert chart.has_drawing, chart.key


def test_masked_figures_are_left_out_of_the_chart_data_and_said_so():
    drawn = by_key(sample_report(masked=True))
    # The funnel: the stage with 3 persons is not drawn; the table shows "<5".
    assert [item["name"] for item in drawn["funnel"].data["items"]] == [
        "Accueil",
        "Émergence",
        "Faisabilité",
    ]
    assert ("Test d'activité", "<5") in [
        (row[0].text, row[1].text) for row in drawn["funnel"].table.cell_rows
    ]
    assert drawn["outcomes"].data["labels"] == ["Activité créée", "Réorientation"]
    assert [link["value"] for link in drawn["flows"].data["links"]] == [12, 6, 9]
    acts = drawn["acts"].data["series"]
    assert acts[0]["values"][3] is None and acts[1]["values"][3] is None
    for chart in drawn.values():
        assert chart.left_out
        assert "<5" in chart.left_out_text
        # No figure from 1 to 4 reaches the browser's data.
        numbers = re.findall(r"(?<![\w.])\d+(?:\.\d+)?(?![\w.])", json.dumps(chart.data))
        assert not {n for n in numbers if n in {"1", "2", "3", "4"}}, chart.key


def test_a_structure_admin_sees_small_counts_drawn():
    drawn = by_key(sample_report(masked=False))
    assert [item["value"] for item in drawn["funnel"].data["items"]][-1] == 3
    assert drawn["funnel"].left_out == 0
    assert drawn["funnel"].left_out_text == ""


def test_flows_in_both_directions_make_distinct_source_and_target_nodes():
    """A → B and B → A would be a cycle, which a Sankey cannot draw."""
    data = by_key(sample_report())["flows"].data
    sources = {link["source"] for link in data["links"]}
    targets = {link["target"] for link in data["links"]}
    assert not sources & targets
    labels = {node["name"]: node["label"] for node in data["nodes"]}
    pairs = {(labels[link["source"]], labels[link["target"]]) for link in data["links"]}
    assert pairs == {("APEAS", "Intermade"), ("Intermade", "APEAS"), ("Place", "Intermade")}


def test_server_side_svgs_carry_labels_and_shown_values_only():
    drawn = by_key(sample_report())
    sankey = svg_texts(charts.chart_svg(drawn["flows"]))
    assert {"APEAS", "Intermade", "Place", "12", "6", "9"} <= set(sankey)
    funnel = svg_texts(charts.chart_svg(drawn["funnel"]))
    assert {"Accueil", "Émergence", "Faisabilité", "80", "40", "18"} <= set(funnel)
    assert "Test d'activité" not in funnel
    outcomes = svg_texts(charts.chart_svg(drawn["outcomes"]))
    assert "Arrêt accompagné" not in outcomes and "Réorientation" in outcomes
    for chart in drawn.values():
        svg = charts.chart_svg(chart)
        assert "<script" not in svg
        assert not {"1", "2", "3", "4"} & set(svg_texts(svg)), chart.key


def test_an_empty_report_draws_nothing_but_keeps_its_tables():
    for chart in charts.report_charts(empty_report()):
        assert not chart.has_drawing
        assert charts.chart_svg(chart) == ""
        assert chart.table.header
