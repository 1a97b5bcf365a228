"""The scoring engine: pure functions over an instrument's content and a set of answers.

Answers are `{item_key: Answer(value, not_applicable)}`. An item gives a score (scale: its level's
value; cursor: its position; yes/no: 1 or 0; number: the value when the item is `scored`; single
choice: the choice's score; multiple choice: the sum of the chosen choices' scores; free text:
none). A criterion aggregates its items' scores, a section its criteria's, the whole its
sections', each with the method the file declares: `mean`, `weighted_mean` (by the weights of the
parts, default 1) or `sum`. An item left unanswered or "not applicable" leaves the denominator:
it is neither a zero nor counted. Results are exact (fractions) and rounded to 2 decimals at the
end.

`check_value(item, value)` validates a raw answer for its item type and range, and raises
`AnswerError` with the reason.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from django.utils.translation import gettext as _

from .definition import iter_items


@dataclass(frozen=True)
class Answer:
    value: object = None
    not_applicable: bool = False


class AnswerError(ValueError):
    pass


@dataclass(frozen=True)
class Scores:
    items: dict
    criteria: dict
    sections: dict
    total: Decimal | None


def to_decimal(value: Fraction | None) -> Decimal | None:
    if value is None:
        return None
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return exact.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _number(value) -> Fraction:
    if isinstance(value, bool) or not isinstance(value, (int, float, str, Decimal)):
        raise AnswerError(_("a number is expected."))
    try:
        return Fraction(str(value))
    except ValueError as error:
        raise AnswerError(_("a number is expected.")) from error


def check_value(item: dict, value):
    """The answer as stored for `item`, or `AnswerError` saying why it is refused."""
    kind = item["type"]
    if kind == "scale":
        allowed = [level["value"] for level in item["levels"]]
        number = _number(value)
        if number.denominator != 1 or int(number) not in allowed:
            raise AnswerError(
                _("choose one of the levels %(levels)s.") % {"levels": ", ".join(map(str, allowed))}
            )
        return int(number)
    if kind == "cursor":
        number = _number(value)
        if not -2 <= number <= 2:
            raise AnswerError(_("the cursor goes from -2 to +2."))
        if not item.get("continuous") and number.denominator != 1:
            raise AnswerError(_("the cursor stops at -2, -1, 0, +1 or +2."))
        return int(number) if number.denominator == 1 else float(number)
    if kind == "yes_no":
        if value in (True, "yes", "true", "1", 1):
            return True
        if value in (False, "no", "false", "0", 0):
            return False
        raise AnswerError(_("answer yes or no."))
    if kind == "number":
        number = _number(value)
        if not Fraction(str(item["min"])) <= number <= Fraction(str(item["max"])):
            raise AnswerError(
                _("the value must lie between %(min)s and %(max)s.")
                % {"min": item["min"], "max": item["max"]}
            )
        return int(number) if number.denominator == 1 else float(number)
    if kind == "single_choice":
        keys = [choice["key"] for choice in item["choices"]]
        if value not in keys:
            raise AnswerError(_("choose one of the proposed answers."))
        return value
    if kind == "multiple_choice":
        if isinstance(value, str):
            value = [value]
        keys = [choice["key"] for choice in item["choices"]]
        if not isinstance(value, list) or any(v not in keys for v in value):
            raise AnswerError(_("choose among the proposed answers."))
        return [key for key in keys if key in value]
    if kind == "text":
        if not isinstance(value, str):
            raise AnswerError(_("a text is expected."))
        return value.strip()
    raise AnswerError(_("unknown item type."))


def check_answer(item: dict, answer: Answer) -> Answer:
    if answer.not_applicable:
        if not item.get("not_applicable"):
            raise AnswerError(_("this question may not be answered “not applicable”."))
        return Answer(None, True)
    if answer.value is None or answer.value == "" or answer.value == []:
        return Answer(None, False)
    return Answer(check_value(item, answer.value), False)


def item_score(item: dict, answer: Answer | None) -> Fraction | None:
    if answer is None or answer.not_applicable or answer.value is None:
        return None
    kind, value = item["type"], answer.value
    if kind in ("scale", "cursor"):
        return Fraction(str(value))
    if kind == "yes_no":
        return Fraction(1 if value else 0)
    if kind == "number":
        return Fraction(str(value)) if item.get("scored") else None
    if kind == "single_choice":
        for choice in item["choices"]:
            if choice["key"] == value and "score" in choice:
                return Fraction(str(choice["score"]))
        return None
    if kind == "multiple_choice":
        if not any("score" in choice for choice in item["choices"]):
            return None
        return sum(
            (Fraction(str(c.get("score", 0))) for c in item["choices"] if c["key"] in value),
            Fraction(0),
        )
    return None


def item_bounds(item: dict) -> tuple[Fraction, Fraction] | None:
    """The lowest and highest score the item can give (None when it gives none)."""
    kind = item["type"]
    if kind == "scale":
        values = [Fraction(level["value"]) for level in item["levels"]]
        return min(values), max(values)
    if kind == "cursor":
        return Fraction(-2), Fraction(2)
    if kind == "yes_no":
        return Fraction(0), Fraction(1)
    if kind == "number" and item.get("scored"):
        return Fraction(str(item["min"])), Fraction(str(item["max"]))
    if kind == "single_choice":
        scores = [Fraction(str(c["score"])) for c in item["choices"] if "score" in c]
        return (min(scores), max(scores)) if scores else None
    if kind == "multiple_choice":
        scores = [Fraction(str(c["score"])) for c in item["choices"] if "score" in c]
        if not scores:
            return None
        return sum((s for s in scores if s < 0), Fraction(0)), sum(
            (s for s in scores if s > 0), Fraction(0)
        )
    return None


def aggregate(method: str, parts: list[tuple[Fraction | None, object]]) -> Fraction | None:
    """Aggregate (score, weight) pairs; parts without a score leave the denominator."""
    present = [(score, Fraction(str(weight))) for score, weight in parts if score is not None]
    if not present:
        return None
    if method == "sum":
        return sum((score for score, _w in present), Fraction(0))
    if method == "mean":
        return sum((score for score, _w in present), Fraction(0)) / len(present)
    if method == "weighted_mean":
        total_weight = sum((w for _s, w in present), Fraction(0))
        return sum((s * w for s, w in present), Fraction(0)) / total_weight
    raise ValueError(method)


def score(content: dict, answers: dict[str, Answer]) -> Scores:
    """Every item's, criterion's and section's score, and the total."""
    items, criteria, sections = {}, {}, {}
    section_parts = []
    for section in content["sections"]:
        criterion_parts = []
        for criterion in section["criteria"]:
            parts = []
            for item in criterion["items"]:
                value = item_score(item, answers.get(item["key"]))
                items[item["key"]] = to_decimal(value)
                if item_bounds(item) is not None:
                    parts.append((value, item.get("weight", 1)))
            value = aggregate(criterion["scoring"], parts)
            criteria[criterion["key"]] = to_decimal(value)
            criterion_parts.append((value, criterion.get("weight", 1)))
        value = aggregate(section["scoring"], criterion_parts)
        sections[section["key"]] = to_decimal(value)
        section_parts.append((value, section.get("weight", 1)))
    total = to_decimal(aggregate(content["scoring"], section_parts))
    return Scores(items=items, criteria=criteria, sections=sections, total=total)


def criterion_bounds(criterion: dict) -> tuple[Decimal, Decimal] | None:
    """The range of the criterion's score when every scored item is answered."""
    bounds = [(item_bounds(i), i.get("weight", 1)) for i in criterion["items"]]
    bounds = [(b, w) for b, w in bounds if b is not None]
    if not bounds:
        return None
    low = aggregate(criterion["scoring"], [(b[0], w) for b, w in bounds])
    high = aggregate(criterion["scoring"], [(b[1], w) for b, w in bounds])
    return to_decimal(low), to_decimal(high)


def criteria_of(content: dict) -> list[dict]:
    return [c for section in content["sections"] for c in section["criteria"]]


def items_by_key(content: dict) -> dict[str, dict]:
    return {item["key"]: item for _s, _c, item in iter_items(content)}
