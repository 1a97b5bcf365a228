"""Assessment results in the report: how a cohort changed between its before and after
assessments (issue 19), per instrument family and criterion.

Only pairs about the network's work count: a submitted "before" and a submitted "after" of the
same subject with the same instrument family, linked to an offer session of a structure of the
report's scope (and of its offer, when the report is filtered on one), whose "after" falls in the
period. The pairs and the change per criterion come from the assessments app
(`before_after_pairs`, `compare_cohort`): the report only counts them.

Masked like every figure (docs/masking.md): for a masked reader, a count of 1 to 4 people is
"<5", a share is hidden when it stands on fewer than 5 people or would give back such a count,
and over several months a count differing by 1 to 4 from the same count without the period's
first or last month is hidden, with its share. No person is named or identified.
"""

from dataclasses import dataclass

from maillage.assessments.comparisons import before_after_pairs, compare_cohort
from maillage.assessments.models import Assessment, AssessmentStatus, Context

from . import comparisons
from .computation.figures import count, rate
from .masking import HIDDEN, SHOWN, THRESHOLD, Cell, Formatter, primary_state
from .report import AssessmentResult, Figure, ReportFilters
from .scope import Scope


@dataclass(frozen=True)
class _Counts:
    family_label: str
    label: str
    assessed: int  # people with a score before and after on the criterion
    progressed: int


def counts(filters: ReportFilters, scope: Scope) -> dict[tuple[str, str], _Counts]:
    """Per (instrument family, criterion key), the unmasked counts of the period."""
    assessments = Assessment.objects.filter(
        status=AssessmentStatus.SUBMITTED,
        context__in=(Context.BEFORE, Context.AFTER),
        offer_session__offer__structure__in=scope.structure_ids,
    )
    if filters.offer is not None:
        assessments = assessments.filter(offer_session__offer=filters.offer)
    by_family: dict[str, list] = {}
    for before, after in before_after_pairs(assessments):
        if filters.date_from <= after.assessed_on <= filters.date_to:
            by_family.setdefault(after.version.instrument.family, []).append((before, after))
    found = {}
    for family, pairs in sorted(by_family.items()):
        latest = max((after.version for _before, after in pairs), key=lambda v: v.number)
        for row in compare_cohort(pairs):
            found[(family, row.key)] = _Counts(
                family_label=latest.title,
                label=row.label,
                assessed=len(row.changes),
                progressed=row.progressed,
            )
    return found


def _differs_by_few(value: int, others: list[int]) -> bool:
    return any(1 <= abs(value - other) < THRESHOLD for other in others)


def section(filters: ReportFilters, scope: Scope, masked: bool) -> tuple[AssessmentResult, ...]:
    """The report's "assessment results" rows, masked for the reader when `masked`.

    None under a stage or territory filter: assessments are placed on neither, so figures for
    the whole scope would read as the filtered ones."""
    if filters.stage is not None or filters.territory is not None:
        return ()
    current = counts(filters, scope)
    neighbours = (
        [counts(other, scope) for other in comparisons.neighbours(filters)]
        if masked and current
        else []
    )
    formatter = Formatter()

    def figure(cell: Cell) -> Figure:
        return Figure(
            value=None if cell.masked else cell.value,
            display=formatter.display(cell),
            masked=cell.masked,
        )

    results = []
    for key, row in sorted(current.items(), key=lambda item: (item[1].family_label, item[0])):
        assessed = Cell(count(row.assessed), "persons")
        progressed = Cell(count(row.progressed), "persons")
        share = Cell(rate(row.progressed, row.assessed), "percent")
        if masked:
            for cell in (assessed, progressed, share):
                cell.state = primary_state(cell.raw, cell.unit)
            around = [other.get(key) for other in neighbours]
            for cell, field in ((assessed, "assessed"), (progressed, "progressed")):
                values = [getattr(o, field) if o else 0 for o in around]
                if cell.state == SHOWN and _differs_by_few(cell.value, values):
                    cell.state = HIDDEN
            if assessed.state == HIDDEN or progressed.state == HIDDEN:
                share.state = HIDDEN
        results.append(
            AssessmentResult(
                instrument=row.family_label,
                criterion=row.label,
                assessed=figure(assessed),
                progressed=figure(progressed),
                share=figure(share),
            )
        )
    return tuple(results)
