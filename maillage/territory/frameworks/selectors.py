"""Reads of social-utility frameworks: who sees which, and each indicator's series.

A computed indicator's value for a year is the figure Maillage's report gives for that year and
the framework's owner (`reporting.selectors.build_report`, the function the report pages call),
as the reader may see it: a masked count stays masked, a reader who may not read the report gets
no value. So the framework and the report cannot disagree.

An indicator measured by assessments is computed on reading, never stored: for each year, the
submitted assessments with its instrument whose subject is the framework's owner (the structure,
or the network), among those the reader may see (`assessments_visible_to`), each scored by the
assessments' engine, combined by the indicator's aggregate (median, mean, latest).

Versions: a version reads only its own values. An entered indicator that continues an indicator
of an earlier version (measured the same way) shows the earlier values for the years it has none,
each marked with its version; where the chain stops or the measure changed, the series says
where it breaks (`indicator.series_note`).
"""

import statistics
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from maillage.accounts.rules import member_networks, roles_of
from maillage.assessments.models import AssessmentStatus, SubjectKind
from maillage.assessments.selectors import assessments_visible_to, scores_of
from maillage.reporting.catalogue import indicator as report_indicator
from maillage.reporting.report import ReportFilters
from maillage.reporting.selectors import build_report

from ..models import (
    Criterion,
    Dimension,
    Framework,
    Measurement,
    MeasurementKind,
    ScoreAggregate,
    ScorePart,
    UtilityIndicator,
)


def frameworks_visible_to(user):
    roles = roles_of(user)
    seen = Framework.objects.filter(
        Q(structure_id__in=roles.staff_of | roles.coordinated_structures)
        | Q(network_id__in=roles.coordinator_of | member_networks(user))
        | Q(partners__in=roles.staff_of)
    ).values("pk")
    return Framework.objects.filter(pk__in=seen).select_related("structure", "network")


def templates_visible_to(user):
    """Published templates: every structure's staff and every network's coordinators may start
    from one (only the structure of the framework is shown, never its values)."""
    roles = roles_of(user)
    if not (roles.staff_of or roles.coordinator_of):
        return Framework.objects.none()
    return Framework.objects.filter(is_template=True).select_related("structure", "network")


def versions_of(framework: Framework) -> list[Framework]:
    """Every version of the framework's lineage, oldest first."""
    chain = [framework]
    while chain[0].previous_id is not None:
        chain.insert(0, Framework.objects.get(pk=chain[0].previous_id))
    current = framework
    while True:
        following = Framework.objects.filter(previous=current).first()
        if following is None:
            break
        chain.append(following)
        current = following
    return chain


@dataclass(frozen=True)
class Point:
    year: int
    value: object  # Decimal, int or float; None when unknown or masked
    display: str
    comment: str = ""
    version: int | None = None  # the framework version the value was entered for
    link: str = ""  # a computed figure: the report page it comes from


def report_filters(framework: Framework, year: int) -> ReportFilters | None:
    """The report's scope for the framework's owner over one calendar year."""
    network = framework.network
    if network is None:
        network = framework.structure.networks.order_by("pk").first()
        if network is None:
            return None
    return ReportFilters(
        network=network,
        date_from=date(year, 1, 1),
        date_to=date(year, 12, 31),
        structure=framework.structure,
    )


def report_url(framework: Framework, year: int) -> str:
    """The report page giving the framework owner's figures for that year."""
    filters = report_filters(framework, year)
    if filters is None:
        return ""
    query = {"from": filters.date_from.isoformat(), "to": filters.date_to.isoformat()}
    if framework.structure_id:
        query["structure"] = framework.structure_id
    return f"{reverse('reporting:network', args=[filters.network.slug])}?{urlencode(query)}"


def report_figures(framework: Framework, year: int, user, *, for_funders: bool = False) -> dict:
    """{report code: Figure} for that year, or {} when the reader may not read it; masked as
    for a funder with `for_funders`, whoever the reader."""
    filters = report_filters(framework, year)
    if filters is None:
        return {}
    try:
        report = build_report(user=user, filters=filters, compare=False, for_funders=for_funders)
    except (PermissionDenied, ValidationError):
        return {}
    return {code: result.value for code, result in report.indicators.items()}


def framework_years(framework: Framework, today: date | None = None) -> list[int]:
    today = today or timezone.localdate()
    earlier, previous = [framework.pk], framework.previous_id
    while previous is not None:
        earlier.append(previous)
        previous = Framework.objects.filter(pk=previous).values_list("previous_id", flat=True)[0]
    years = Measurement.objects.filter(indicator__criterion__dimension__framework__in=earlier)
    first = min([*years.values_list("year", flat=True), today.year - 1])
    return list(range(first, today.year + 1))


def framework_tree(framework: Framework, user, years: list[int], *, for_funders: bool = False):
    """[(dimension, [(criterion, [(indicator, [Point per year])])])]. With `for_funders`, the
    computed figures are masked as a funder reads them, whoever makes the document."""
    dimensions = Dimension.objects.filter(framework=framework).prefetch_related(
        Prefetch(
            "criteria",
            queryset=Criterion.objects.prefetch_related(
                Prefetch(
                    "indicators",
                    queryset=UtilityIndicator.objects.select_related("instrument").prefetch_related(
                        "measurements"
                    ),
                )
            ),
        )
    )
    needs_report = any(
        indicator.kind == MeasurementKind.COMPUTED
        for dimension in dimensions
        for criterion in dimension.criteria.all()
        for indicator in criterion.indicators.all()
    )
    figures = (
        {year: report_figures(framework, year, user, for_funders=for_funders) for year in years}
        if needs_report
        else {}
    )
    tree = []
    for dimension in dimensions:
        criteria = []
        for criterion in dimension.criteria.all():
            indicators = []
            for indicator in criterion.indicators.all():
                indicator.series_note = series_note(framework, indicator)
                indicator.definition = ""
                if indicator.kind == MeasurementKind.COMPUTED:
                    spec = report_indicator(indicator.report_code)
                    indicator.definition = spec.definition if spec else ""
                    points = []
                    for year in years:
                        figure = figures[year].get(indicator.report_code)
                        points.append(
                            Point(
                                year, figure.value, figure.display, link=report_url(framework, year)
                            )
                            if figure is not None
                            else Point(year, None, "—")
                        )
                elif indicator.kind == MeasurementKind.ASSESSMENT:
                    points = assessment_points(framework, indicator, user, years)
                else:
                    points = entered_points(framework, indicator, years)
                indicators.append((indicator, points))
            criteria.append((criterion, indicators))
        tree.append((dimension, criteria))
    return tree


def _same_measure(a: UtilityIndicator, b: UtilityIndicator) -> bool:
    fields = ("kind", "report_code", "instrument_id", "score_part", "score_key", "aggregate")
    return all(getattr(a, name) == getattr(b, name) for name in fields) and a.unit == b.unit


def lineage(indicator: UtilityIndicator) -> tuple[list[UtilityIndicator], bool]:
    """The earlier indicators the series joins, newest first, and whether it breaks (the chain
    reaches an indicator measured differently, which is left out)."""
    chain, current = [], indicator
    while current.continues_id is not None:
        earlier = UtilityIndicator.objects.select_related("criterion__dimension__framework").get(
            pk=current.continues_id
        )
        if not _same_measure(earlier, indicator):
            return chain, True
        chain.append(earlier)
        current = earlier
    return chain, False


def series_note(framework: Framework, indicator: UtilityIndicator) -> str:
    if framework.previous_id is None:
        return ""
    chain, broken = lineage(indicator)
    if broken:
        version = chain[-1].criterion.dimension.framework.number if chain else framework.number
        return _(
            "The series breaks at version %(number)s: the indicator was measured differently "
            "before; earlier values are not joined."
        ) % {"number": version}
    if not chain:
        return _("New in version %(number)s: the series starts with this version.") % {
            "number": framework.number
        }
    oldest = chain[-1]
    return _("The series runs across versions: it continues “%(name)s” of version %(number)s.") % {
        "name": oldest.name,
        "number": oldest.criterion.dimension.framework.number,
    }


def entered_points(framework: Framework, indicator: UtilityIndicator, years) -> list[Point]:
    """The indicator's own values, then those of the indicators it continues for the years it
    has none (each marked with its version)."""
    values = {m.year: (m, framework.number) for m in indicator.measurements.all()}
    if framework.previous_id is not None:
        chain, _broken = lineage(indicator)
        for earlier in chain:
            number = earlier.criterion.dimension.framework.number
            for measurement in earlier.measurements.all():
                values.setdefault(measurement.year, (measurement, number))
    points = []
    for year in years:
        if year not in values:
            points.append(Point(year, None, "—"))
            continue
        measurement, number = values[year]
        points.append(
            Point(
                year,
                measurement.value,
                _number(measurement.value),
                measurement.comment,
                version=number,
            )
        )
    return points


def _owner_assessments(framework: Framework, indicator: UtilityIndicator, user):
    subject = (
        {"subject_kind": SubjectKind.STRUCTURE, "subject_structure_id": framework.structure_id}
        if framework.structure_id
        else {"subject_kind": SubjectKind.NETWORK, "network_id": framework.network_id}
    )
    return assessments_visible_to(user).filter(
        version__instrument_id=indicator.instrument_id,
        status=AssessmentStatus.SUBMITTED,
        **subject,
    )


def assessment_points(framework: Framework, indicator: UtilityIndicator, user, years):
    """Per year, the score the indicator names, over the submitted assessments of the owner the
    reader may see, combined by the indicator's aggregate; never stored."""
    by_year = {year: [] for year in years}
    assessments = _owner_assessments(framework, indicator, user).filter(assessed_on__year__in=years)
    for assessment in sorted(assessments, key=lambda a: (a.assessed_on, a.pk)):
        scores = scores_of(assessment)
        if indicator.score_part == ScorePart.TOTAL:
            value = scores.total
        elif indicator.score_part == ScorePart.SECTION:
            value = scores.sections.get(indicator.score_key)
        else:
            value = scores.criteria.get(indicator.score_key)
        if value is not None:
            by_year[assessment.assessed_on.year].append(value)
    points = []
    for year in years:
        values = by_year[year]
        if not values:
            points.append(Point(year, None, "—", _("no submitted assessment")))
            continue
        value = combine(indicator.aggregate, values)
        comment = ngettext(
            "%(aggregate)s: %(count)s assessment",
            "%(aggregate)s: %(count)s assessments",
            len(values),
        ) % {"aggregate": ScoreAggregate(indicator.aggregate).label, "count": len(values)}
        points.append(Point(year, value, _number(value), comment))
    return points


def combine(aggregate: str, values: list[Decimal]) -> Decimal:
    """Values in the order the assessments were made."""
    if aggregate == ScoreAggregate.LATEST:
        return values[-1]
    if aggregate == ScoreAggregate.MEAN:
        result = sum(values, Decimal(0)) / len(values)
    else:
        result = statistics.median(values)
    return Decimal(result).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _number(value) -> str:
    if value == value.to_integral_value():
        value = int(value)
    return number_format(value, use_l10n=True)


CHART_WIDTH, CHART_HEIGHT, BAR_GAP = 320, 120, 12


def chart(points: list[Point], target) -> dict:
    """Bars for the series and a line for the target, in a 320 by 120 drawing."""
    values = [float(p.value) for p in points if p.value is not None]
    top = max([*values, float(target) if target is not None else 0, 1])
    width = (CHART_WIDTH - BAR_GAP * (len(points) + 1)) / max(len(points), 1)
    bars = []
    for index, point in enumerate(points):
        height = 0 if point.value is None else float(point.value) / top * (CHART_HEIGHT - 20)
        bars.append(
            {
                "x": round(BAR_GAP + index * (width + BAR_GAP), 1),
                "y": round(CHART_HEIGHT - 16 - height, 1),
                "width": round(width, 1),
                "height": round(height, 1),
                "label_x": round(BAR_GAP + index * (width + BAR_GAP) + width / 2, 1),
                "point": point,
            }
        )
    target_y = (
        round(CHART_HEIGHT - 16 - float(target) / top * (CHART_HEIGHT - 20), 1)
        if target is not None
        else None
    )
    return {"width": CHART_WIDTH, "height": CHART_HEIGHT, "bars": bars, "target_y": target_y}
