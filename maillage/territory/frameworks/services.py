"""Writes of social-utility frameworks: one transaction each, translated errors."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from maillage.reporting.catalogue import INDICATORS

from ..models import (
    Criterion,
    Dimension,
    Framework,
    Measurement,
    MeasurementKind,
    UtilityIndicator,
)


def _saved(instance):
    instance.full_clean()
    instance.save()
    return instance


@transaction.atomic
def create_framework(*, title: str, structure=None, network=None, stakeholders: str = ""):
    return _saved(
        Framework(structure=structure, network=network, title=title, stakeholders=stakeholders)
    )


@transaction.atomic
def add_dimension(*, framework: Framework, name: str) -> Dimension:
    return _saved(Dimension(framework=framework, name=name, position=framework.dimensions.count()))


@transaction.atomic
def add_criterion(*, dimension: Dimension, name: str) -> Criterion:
    return _saved(Criterion(dimension=dimension, name=name, position=dimension.criteria.count()))


@transaction.atomic
def add_indicator(
    *,
    criterion: Criterion,
    name: str,
    kind: str,
    report_code: str = "",
    unit: str = "",
    target: Decimal | None = None,
    source: str = "",
) -> UtilityIndicator:
    """An indicator; a computed one names a figure of Maillage's report catalogue, whose unit
    and source it takes."""
    if kind == MeasurementKind.COMPUTED:
        known = {item.code: item for item in INDICATORS}
        if report_code not in known:
            raise ValidationError({"report_code": _("Choose an indicator of Maillage's report.")})
        unit = unit or str(known[report_code].unit_label)
        source = source or _("Maillage's report")
    else:
        report_code = ""
    return _saved(
        UtilityIndicator(
            criterion=criterion,
            name=name,
            kind=kind,
            report_code=report_code,
            unit=unit,
            target=target,
            source=source,
            position=criterion.indicators.count(),
        )
    )


@transaction.atomic
def record_measurement(
    *, indicator: UtilityIndicator, year: int, value: Decimal, user, comment: str = ""
) -> Measurement:
    """The value of an entered indicator for a year (a second entry replaces the first)."""
    if indicator.kind != MeasurementKind.ENTERED:
        raise ValidationError(_("This indicator is computed from Maillage's report."))
    measurement = Measurement.objects.filter(indicator=indicator, year=year).first()
    if measurement is None:
        measurement = Measurement(indicator=indicator, year=year)
    measurement.value = value
    measurement.comment = comment
    measurement.entered_by = user
    return _saved(measurement)
