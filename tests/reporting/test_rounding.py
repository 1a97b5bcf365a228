"""Exact rounding (issue 15.2): figures are computed from whole numbers and rounded half up,
the same in every channel; `round()` on floats gave 56.25 → 56.2 and 1.775 → 1.77."""

from datetime import timedelta
from fractions import Fraction

import pytest
from django.utils import translation

from maillage.reporting.catalogue import GENERAL_RULES
from maillage.reporting.computation.figures import hours, median_of, rate
from maillage.reporting.masking import Cell, Formatter
from maillage.reporting.numbers import DAY, MICROSECONDS_A_DAY, days, exact, ratio
from maillage.reporting.report import Figure, IndicatorResult
from maillage.reporting.tables import change


@pytest.mark.parametrize(
    ("value", "places", "expected"),
    [
        (Fraction(5625, 100), 1, 56.3),  # round(56.25, 1) == 56.2 (half to even)
        (Fraction(1775, 1000), 2, 1.78),  # round(1.775, 2) == 1.77 (1.77499… as a float)
        (Fraction(-1, 4), 1, -0.3),  # half away from zero
        (Fraction(5, 2), 0, 3),  # round(2.5) == 2
        (Fraction(1, 3), 1, 0.3),
    ],
)
def test_exact_rounds_half_up(value, places, expected):
    assert exact(value, places) == expected


def test_each_kind_of_figure_hits_the_half_and_rounds_up():
    assert rate(9, 16).value == 56.3  # 56.25 %
    assert ratio(71, 40, 2) == 1.78  # 1.775 applicants per place
    assert hours(75, 1).value == 1.3  # 1.25 hours
    # Delays of 6 hours and 12 hours: a median of 0.375 day… to one decimal, 0.4.
    assert median_of([days(timedelta(hours=6)), days(timedelta(hours=12))]).value == 0.4
    assert median_of([0, 1]).value == 0.5
    assert median_of([days(timedelta(hours=3)), days(timedelta(hours=3))]).value == 0.1


def test_a_median_of_microseconds_is_the_median_of_the_same_delays_in_days():
    """The delays to answer a referral are kept as whole microseconds (they sort fast) and
    only the middle ones are made days: the same figure as from exact Fractions of days."""
    delays = [timedelta(hours=6), timedelta(days=3, seconds=1), timedelta(hours=12), 0 * DAY]
    micro = [d // timedelta(microseconds=1) for d in delays]
    assert median_of(micro, MICROSECONDS_A_DAY).value == 0.4  # (0.25 + 0.5) / 2 = 0.375
    assert median_of(micro, MICROSECONDS_A_DAY) == median_of([days(d) for d in delays])
    assert median_of(micro[:3], MICROSECONDS_A_DAY).value == 0.5
    assert median_of([7, 1, 4, 2]).value == 3.0  # unsorted whole days: (2 + 4) / 2


@pytest.mark.parametrize(
    ("language", "unit", "value", "shown"),
    [
        ("fr", "ratio", 1.775, "1,78"),
        ("en", "ratio", 1.775, "1.78"),
        ("fr", "percent", 56.25, "56,3 %"),
        ("fr", "hours", 12345.25, "12\N{NO-BREAK SPACE}345,3"),
        ("en", "days", 0.25, "0.3"),
    ],
)
def test_the_one_text_of_a_figure_rounds_half_up_too(language, unit, value, shown):
    from maillage.reporting.computation import Raw

    with translation.override(language):
        text = Formatter().display(Cell(Raw(value, 10), unit))
    assert text.replace("\u202f", "\N{NO-BREAK SPACE}") == shown


def test_the_change_is_exact():
    result = IndicatorResult(
        code="selection_rate",
        label="",
        definition="",
        formula="",
        unit="percent",
        value=Figure(56.3, "56,3 %"),
        previous=Figure(56.25, "56,25 %"),
    )
    # 56.3 - 56.25 = 0.05 exactly: +0.1 point, not 0.0 as the floats' 0.0499… gave.
    assert change(result).value == 0.1


def test_the_catalogue_states_the_rule():
    with translation.override("fr"):
        assert any("arrondi" in str(rule) and "56,3" in str(rule) for rule in GENERAL_RULES)
    with translation.override("en"):
        assert any("half up" in str(rule) for rule in GENERAL_RULES)
