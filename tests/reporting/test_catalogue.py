"""The indicator catalogue is complete data, and docs/indicators.md is written from it."""

from django.utils import translation

from maillage.reporting import docs
from maillage.reporting.catalogue import DIMENSIONS, INDICATORS, UNITS, indicator
from maillage.reporting.computation.runner import FAMILIES, SCHEDULE

# What issue 7 asks for, at least.
REQUIRED = {
    "persons_accompanied",
    "persons_new",
    "persons_ongoing",
    "acts",
    "act_hours",
    "applicants_per_place",
    "selection_rate",
    "not_selected_referred_rate",
    "referrals_sent",
    "referrals_received",
    "referrals_accepted",
    "referrals_declined",
    "referrals_expired",
    "loop_closure_rate",
    "median_days_to_answer",
    "median_days_to_first_meeting",
    "outcomes",
    "median_days_to_outcome",
    "wandering_many_structures",
    "wandering_declined_twice",
    "stalled_pathways",
}


def test_every_indicator_is_described_in_both_languages():
    codes = [item.code for item in INDICATORS]
    assert len(codes) == len(set(codes))
    assert set(codes) >= REQUIRED
    for item in INDICATORS:
        assert item.unit in UNITS
        for text in ("label", "definition", "formula"):
            assert getattr(item, f"{text}_fr").strip(), (item.code, text)
            assert getattr(item, f"{text}_en").strip(), (item.code, text)
            assert getattr(item, f"{text}_fr") != getattr(item, f"{text}_en"), (item.code, text)
        assert set(item.breakdowns) <= set(DIMENSIONS)
        if item.part_of:
            parent, dimension, _key = item.part_of
            assert dimension in indicator(parent).breakdowns


def test_the_breakdowns_of_the_issue_are_all_offered():
    offered = {d for item in INDICATORS for d in item.breakdowns}
    assert {
        "gender",
        "age_band",
        "situation",
        "priority_neighbourhood",
        "territory",
        "stage",
        "structure",
        "offer",
        "outcome_family",
    } <= offered


def test_texts_follow_the_language():
    item = indicator("outcomes")
    with translation.override("fr"):
        assert item.label == "Sorties"
    with translation.override("en"):
        assert item.label == "Outcomes"


def test_the_documentation_is_written_from_the_catalogue():
    assert docs.PATH.read_text(encoding="utf-8") == docs.markdown(), (
        "docs/indicators.md is out of date: run python -m maillage.reporting.docs"
    )


def test_each_indicator_is_computed_by_one_family():
    """Where to find an indicator's query: the one module of `reporting/computation/` whose
    family declares its code (a family may only `put` the codes it declares)."""
    declared = [code for family in FAMILIES for code in family.codes]
    assert sorted(declared) == sorted(item.code for item in INDICATORS)


def test_every_family_is_scheduled():
    assert sorted(SCHEDULE, key=FAMILIES.index) == list(FAMILIES)
