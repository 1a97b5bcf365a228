"""Before / after: the change per criterion for one subject, and for a cohort.

Two assessments made with the same version compare criterion by criterion. Made with different
versions of the same family, they compare the items a version maps onto the other (`continues`,
followed back through the versions in between), and name the items that could not be compared
rather than leaving them out silently (acceptance 1).
"""

import statistics
from dataclasses import dataclass, field
from decimal import Decimal

from . import scoring
from .models import SUBJECT_FIELDS, Assessment, Context, Item, in_language
from .selectors import answers_of


@dataclass(frozen=True)
class Change:
    key: str
    label: str
    before: Decimal | None
    after: Decimal | None
    low: Decimal | None = None
    high: Decimal | None = None

    @property
    def delta(self) -> Decimal | None:
        if self.before is None or self.after is None:
            return None
        return self.after - self.before


@dataclass
class Comparison:
    by_items: bool  # across versions: mapped items; else criteria
    changes: list[Change]
    not_compared: list[str] = field(default_factory=list)  # texts of the unmatched items


def _origin(item: Item, version_id: int, items_by_pk: dict) -> Item | None:
    """The item of `version_id` that `item` continues, through the versions in between."""
    seen = 0
    while item is not None and item.version_id != version_id and seen < 50:
        item = items_by_pk.get(item.continues_id) if item.continues_id else None
        seen += 1
    return item


def compare(before: Assessment, after: Assessment) -> Comparison:
    if before.version.instrument.family != after.version.instrument.family:
        raise ValueError("Only assessments of one instrument family compare.")
    if before.version_id == after.version_id:
        content = before.version.content
        first = scoring.score(content, answers_of(before))
        second = scoring.score(content, answers_of(after))
        changes = []
        for criterion in scoring.criteria_of(content):
            bounds = scoring.criterion_bounds(criterion) or (None, None)
            changes.append(
                Change(
                    criterion["key"],
                    in_language(criterion["title"]),
                    first.criteria[criterion["key"]],
                    second.criteria[criterion["key"]],
                    *bounds,
                )
            )
        return Comparison(by_items=False, changes=changes)
    family_items = Item.objects.filter(
        version__instrument__family=before.version.instrument.family
    ).select_related("version")
    items_by_pk = {item.pk: item for item in family_items}
    old_items = [i for i in items_by_pk.values() if i.version_id == before.version_id]
    new_items = [i for i in items_by_pk.values() if i.version_id == after.version_id]
    old_first, new_first = (
        (before, after) if before.version.number < after.version.number else (after, before)
    )
    old_version_id = old_first.version_id
    newer = new_items if old_first is before else old_items
    older = old_items if old_first is before else new_items
    pairs = {}
    for item in newer:
        origin = _origin(item, old_version_id, items_by_pk)
        if origin is not None:
            pairs[origin.pk] = item
    old_answers, new_answers = answers_of(old_first), answers_of(new_first)
    changes, not_compared = [], []
    for item in sorted(older, key=lambda i: (i.criterion_id, i.position)):
        partner = pairs.get(item.pk)
        if partner is None:
            not_compared.append(in_language(item.text))
            continue
        bounds = scoring.item_bounds(item.spec)
        if bounds is None:
            continue
        old_score = scoring.to_decimal(scoring.item_score(item.spec, old_answers.get(item.key)))
        new_score = scoring.to_decimal(
            scoring.item_score(partner.spec, new_answers.get(partner.key))
        )
        first, second = (old_score, new_score) if old_first is before else (new_score, old_score)
        changes.append(
            Change(
                partner.key,
                in_language(partner.text),
                first,
                second,
                scoring.to_decimal(bounds[0]),
                scoring.to_decimal(bounds[1]),
            )
        )
    paired_new = {item.pk for item in pairs.values()}
    not_compared += [in_language(i.text) for i in newer if i.pk not in paired_new]
    return Comparison(by_items=True, changes=changes, not_compared=not_compared)


@dataclass(frozen=True)
class CohortRow:
    key: str
    label: str
    changes: list[Decimal]  # one per person with both scores
    median_before: Decimal | None
    median_after: Decimal | None
    median_change: Decimal | None
    progressed: int  # how many progressed
    low: Decimal | None = None
    high: Decimal | None = None

    @property
    def share_progressed(self) -> Decimal | None:
        if not self.changes:
            return None
        return (Decimal(self.progressed) / len(self.changes)).quantize(Decimal("0.01"))


def _median(values) -> Decimal | None:
    return Decimal(str(statistics.median(values))).quantize(Decimal("0.01")) if values else None


def compare_cohort(pairs: list[tuple[Assessment, Assessment]]) -> list[CohortRow]:
    """Per criterion (or mapped item): each person's change, medians, who progressed."""
    comparisons = [compare(before, after) for before, after in pairs]
    if not comparisons:
        return []
    rows = []
    for index, change in enumerate(comparisons[0].changes):
        same = [c.changes[index] for c in comparisons if len(c.changes) > index]
        same = [c for c in same if c.key == change.key]
        deltas = [c.delta for c in same if c.delta is not None]
        rows.append(
            CohortRow(
                key=change.key,
                label=change.label,
                changes=deltas,
                median_before=_median([c.before for c in same if c.before is not None]),
                median_after=_median([c.after for c in same if c.after is not None]),
                median_change=_median(deltas),
                progressed=sum(1 for d in deltas if d > 0),
                low=change.low,
                high=change.high,
            )
        )
    return rows


def before_after_pairs(assessments) -> list[tuple[Assessment, Assessment]]:
    """The before/after pairs among `assessments`: per offer session, instrument family and
    subject, the first "before" with the last "after" (the cohort page and the reports)."""
    firsts, lasts = {}, {}
    for assessment in assessments.select_related("version__instrument").order_by(
        "assessed_on", "pk"
    ):
        key = (
            assessment.offer_session_id,
            assessment.version.instrument.family,
            assessment.subject_kind,
            getattr(assessment, f"{SUBJECT_FIELDS[assessment.subject_kind]}_id"),
        )
        if assessment.context == Context.BEFORE:
            firsts.setdefault(key, assessment)
        elif assessment.context == Context.AFTER:
            lasts[key] = assessment
    return [(firsts[key], lasts[key]) for key in firsts if key in lasts]
