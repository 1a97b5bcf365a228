"""The scoring engine: answers checked by type and range, N/A leaves the denominator."""

from decimal import Decimal as D
from fractions import Fraction

import pytest
from django.utils import translation

from maillage.assessments.scoring import (
    Answer,
    AnswerError,
    aggregate,
    check_answer,
    criterion_bounds,
)


@pytest.fixture(autouse=True)
def _in_english():
    """The engine's messages, as written in the source (the pages test them in French)."""
    with translation.override("en"):
        yield


SCALE = {"key": "s", "type": "scale", "levels": [{"value": v} for v in (1, 2, 3, 4)]}
CURSOR = {"key": "c", "type": "cursor"}
FREE_CURSOR = {"key": "c", "type": "cursor", "continuous": True, "not_applicable": True}
NUMBER = {"key": "n", "type": "number", "min": 0, "max": 80}
CHOICE = {"key": "k", "type": "single_choice", "choices": [{"key": "a"}, {"key": "b"}]}
MULTI = {"key": "m", "type": "multiple_choice", "choices": [{"key": "a"}, {"key": "b"}]}


@pytest.mark.parametrize(
    ("item", "value", "reason"),
    [
        (SCALE, 5, "choose one of the levels 1, 2, 3, 4"),
        (SCALE, "deux", "a number is expected"),
        (SCALE, True, "a number is expected"),
        (CURSOR, 3, "from -2 to +2"),
        (CURSOR, 0.5, "stops at -2, -1, 0, +1 or +2"),
        (NUMBER, 81, "between 0 and 80"),
        (CHOICE, "c", "choose one of the proposed answers"),
        (MULTI, ["a", "z"], "choose among the proposed answers"),
        ({"key": "y", "type": "yes_no"}, "maybe", "answer yes or no"),
    ],
)
def test_wrong_answers_are_refused_with_the_reason(item, value, reason):
    with pytest.raises(AnswerError) as caught:
        check_answer(item, Answer(value))
    assert reason in str(caught.value)


def test_not_applicable_only_where_the_file_allows_it():
    with pytest.raises(AnswerError, match="not applicable"):
        check_answer(SCALE, Answer(None, True))
    assert check_answer(FREE_CURSOR, Answer(1, True)) == Answer(None, True)


def test_accepted_values_are_normalised():
    assert check_answer(SCALE, Answer("3")) == Answer(3)
    assert check_answer(FREE_CURSOR, Answer("0.5")) == Answer(0.5)
    assert check_answer(MULTI, Answer(["b", "a"])) == Answer(["a", "b"])
    assert check_answer({"type": "yes_no"}, Answer("no")) == Answer(False)


def test_aggregates_leave_missing_scores_out_of_the_denominator():
    parts = [(Fraction(4), 1), (None, 5), (Fraction(1), 2)]
    assert aggregate("mean", parts) == Fraction(5, 2)
    assert aggregate("weighted_mean", parts) == Fraction(6, 3)
    assert aggregate("sum", parts) == 5
    assert aggregate("mean", [(None, 1)]) is None


def test_criterion_bounds():
    criterion = {"scoring": "mean", "items": [SCALE, {"key": "t", "type": "text"}]}
    assert criterion_bounds(criterion) == (D("1.00"), D("4.00"))
