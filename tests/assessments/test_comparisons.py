"""Versions never change the past; before/after and cohorts compare per criterion, across
versions through the mapping, and name what they could not compare (acceptance 1 and 4)."""

from decimal import Decimal as D

import pytest

from maillage.assessments.comparisons import compare, compare_cohort
from maillage.assessments.loading import load_instruments
from maillage.assessments.models import Answer, Context, Item
from maillage.assessments.radar import Axis, radar_svg
from maillage.assessments.selectors import scores_of
from tests.assessments.factories import make_assessment, shipped
from tests.factories import StructureFactory

pytestmark = pytest.mark.django_db

V1 = """\
code: grid
family: grid
version: 1
title: {fr: Grille, en: Grid}
subjects: [project]
scoring: mean
sections:
  - key: s
    title: {fr: S, en: S}
    scoring: mean
    criteria:
      - key: c
        title: {fr: C, en: C}
        scoring: mean
        items:
          - {key: i1, type: yes_no, text: {fr: Budget prévisionnel, en: Forecast budget}}
          - {key: i2, type: yes_no, text: {fr: Local trouvé, en: Premises found}}
"""
V2 = """\
code: grid
family: grid
version: 2
continues_version: 1
title: {fr: Grille, en: Grid}
subjects: [project]
scoring: mean
sections:
  - key: s
    title: {fr: S, en: S}
    scoring: sum
    criteria:
      - key: c
        title: {fr: C, en: C}
        scoring: sum
        items:
          - {key: budget, type: yes_no, continues: i1, text: {fr: Budget établi, en: Budget set}}
          - {key: bank, type: yes_no, text: {fr: Banque rencontrée, en: Bank met}}
"""


def _answer(assessment, key, value):
    Answer.objects.create(
        assessment=assessment,
        item=Item.objects.get(version=assessment.version, key=key),
        value=value,
    )


def test_a_second_version_changes_no_earlier_assessment_and_compares_mapped_items():
    (v1,) = load_instruments(files=[("v1.yaml", V1)])
    structure = StructureFactory()
    before = make_assessment(version=v1.version, structure=structure, context=Context.BEFORE)
    _answer(before, "i1", False)
    _answer(before, "i2", True)
    scores = scores_of(before)
    answers = list(before.answers.values_list("item__key", "value"))
    (v2,) = load_instruments(files=[("v2.yaml", V2)])
    before.refresh_from_db()
    assert before.version == v1.version
    assert scores_of(before) == scores
    assert scores.criteria["c"] == D("0.50")
    assert list(before.answers.values_list("item__key", "value")) == answers
    after = make_assessment(
        version=v2.version, structure=structure, project=before.project, context=Context.AFTER
    )
    _answer(after, "budget", True)
    _answer(after, "bank", True)
    comparison = compare(before, after)
    assert comparison.by_items
    assert [(c.key, c.before, c.after, c.delta) for c in comparison.changes] == [
        ("budget", D("0.00"), D("1.00"), D("1.00"))
    ]
    assert comparison.not_compared == ["Local trouvé", "Banque rencontrée"]


def test_a_before_after_pair_and_a_cohort_show_the_change_per_criterion():
    version = shipped("incubator-admission")
    structure = StructureFactory()
    keys = ("adm-motivation-chosen", "adm-availability-time", "adm-offer-clear")
    pairs = []
    for start, end in ((1, 3), (2, 2), (3, 4)):
        before = make_assessment(version=version, structure=structure, context=Context.BEFORE)
        after = make_assessment(
            version=version, structure=structure, project=before.project, context=Context.AFTER
        )
        for key in keys:
            _answer(before, key, start)
            _answer(after, key, end)
        pairs.append((before, after))
    first = {c.key: c for c in compare(*pairs[0]).changes}
    assert first["adm-motivation"].delta == D("2.00")
    assert first["adm-market"].delta is None  # not answered: no change invented
    rows = {row.key: row for row in compare_cohort(pairs)}
    motivation = rows["adm-motivation"]
    assert motivation.changes == [D("2.00"), D("0.00"), D("1.00")]
    assert motivation.median_change == D("1.00")
    assert motivation.median_before == D("2.00") and motivation.median_after == D("3.00")
    assert motivation.share_progressed == D("0.67")
    svg = radar_svg(
        "Avant / après",
        [Axis(r.label, r.low, r.high) for r in rows.values()],
        [
            ("Avant", [r.median_before for r in rows.values()]),
            ("Après", [r.median_after for r in rows.values()]),
        ],
    )
    assert svg.startswith("<svg") and svg.count("<polygon") == 4 + 2
    assert "Motivation et choix du projet" in svg
