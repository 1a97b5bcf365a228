"""Reads of social-utility frameworks: who sees which, and each indicator's series.

A computed indicator's value for a year is the figure Maillage's report gives for that year and
the framework's owner (`reporting.selectors.build_report`, the function the report pages call),
as the reader may see it: a masked count stays masked, a reader who may not read the report gets
no value. So the framework and the report cannot disagree.
"""

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.formats import number_format

from maillage.accounts.rules import member_networks, roles_of
from maillage.reporting.report import ReportFilters
from maillage.reporting.selectors import build_report

from ..models import Criterion, Dimension, Framework, Measurement, MeasurementKind


def frameworks_visible_to(user):
    roles = roles_of(user)
    return Framework.objects.filter(
        Q(structure_id__in=roles.staff_of | roles.coordinated_structures)
        | Q(network_id__in=roles.coordinator_of | member_networks(user))
    ).select_related("structure", "network")


@dataclass(frozen=True)
class Point:
    year: int
    value: object  # Decimal, int or float; None when unknown or masked
    display: str
    comment: str = ""


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
    years = Measurement.objects.filter(indicator__criterion__dimension__framework=framework)
    first = min([*years.values_list("year", flat=True), today.year - 1])
    return list(range(first, today.year + 1))


def framework_tree(framework: Framework, user, years: list[int], *, for_funders: bool = False):
    """[(dimension, [(criterion, [(indicator, [Point per year])])])]. With `for_funders`, the
    computed figures are masked as a funder reads them, whoever makes the document."""
    dimensions = Dimension.objects.filter(framework=framework).prefetch_related(
        Prefetch(
            "criteria",
            queryset=Criterion.objects.prefetch_related("indicators__measurements"),
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
                if indicator.kind == MeasurementKind.COMPUTED:
                    points = []
                    for year in years:
                        figure = figures[year].get(indicator.report_code)
                        points.append(
                            Point(year, figure.value, figure.display)
                            if figure is not None
                            else Point(year, None, "—")
                        )
                else:
                    entered = {m.year: m for m in indicator.measurements.all()}
                    points = [
                        Point(
                            year,
                            entered[year].value,
                            _number(entered[year].value),
                            entered[year].comment,
                        )
                        if year in entered
                        else Point(year, None, "—")
                        for year in years
                    ]
                indicators.append((indicator, points))
            criteria.append((criterion, indicators))
        tree.append((dimension, criteria))
    return tree


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
