"""Writes of social-utility frameworks: one transaction each, translated errors.

Versions: `new_version` copies a framework (dimensions, criteria, indicators, never its values)
as version n+1, each indicator continuing the one it was copied from; the earlier version is then
frozen (nothing is added to or removed from it, its values stay attached to it). The new version
may drop indicators, add some and say which earlier indicator each continues.

Templates: a framework published as a template is copied by another structure or network
(`start_from_template`), the copy keeping where it comes from; a framework may also be written
to a file and read back (`definition.py`).
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from maillage.assessments.models import Instrument
from maillage.core.french import fill
from maillage.directory.models import Structure
from maillage.reporting.catalogue import INDICATORS

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


def _saved(instance):
    instance.full_clean()
    instance.save()
    return instance


def refuse_if_frozen(framework: Framework):
    if framework.is_superseded:
        raise ValidationError(
            _(
                "Version %(number)s of this framework has a newer version: it no longer "
                "changes. Change the current version."
            )
            % {"number": framework.number}
        )


@transaction.atomic
def create_framework(*, title: str, structure=None, network=None, stakeholders: str = ""):
    return _saved(
        Framework(structure=structure, network=network, title=title, stakeholders=stakeholders)
    )


@transaction.atomic
def add_dimension(*, framework: Framework, name: str) -> Dimension:
    refuse_if_frozen(framework)
    return _saved(Dimension(framework=framework, name=name, position=framework.dimensions.count()))


@transaction.atomic
def add_criterion(*, dimension: Dimension, name: str) -> Criterion:
    refuse_if_frozen(dimension.framework)
    return _saved(Criterion(dimension=dimension, name=name, position=dimension.criteria.count()))


def framework_indicators(framework: Framework):
    return UtilityIndicator.objects.filter(criterion__dimension__framework=framework)


def _free_code(framework: Framework, wanted: str, name: str) -> str:
    taken = set(framework_indicators(framework).values_list("code", flat=True))
    if wanted:
        if wanted in taken:
            raise ValidationError(
                {
                    "code": _("Another indicator of this framework has the code “%(code)s”.")
                    % {"code": wanted}
                }
            )
        return wanted
    base = slugify(name)[:50] or "indicator"
    code, counter = base, 1
    while code in taken:
        counter += 1
        code = f"{base}-{counter}"
    return code


def _check_score(instrument, score_part: str, score_key: str, aggregate: str):
    """The instrument exists and one of its versions has the section or criterion named."""
    if instrument is None:
        raise ValidationError({"instrument": _("Choose the instrument of the assessments.")})
    if score_part not in ScorePart.values:
        raise ValidationError({"score_part": _("Choose which score measures the indicator.")})
    if aggregate not in ScoreAggregate.values:
        raise ValidationError({"aggregate": _("Choose how the period's scores are combined.")})
    if score_part == ScorePart.TOTAL:
        return ""
    plural = "sections" if score_part == ScorePart.SECTION else "criteria"
    for content in instrument.versions.values_list("content", flat=True):
        sections = content.get("sections", [])
        keys = (
            {s["key"] for s in sections}
            if plural == "sections"
            else {c["key"] for s in sections for c in s.get("criteria", [])}
        )
        if score_key in keys:
            return score_key
    message = (
        _("The instrument “%(instrument)s” has no section with the key “%(key)s”.")
        if plural == "sections"
        else _("The instrument “%(instrument)s” has no criterion with the key “%(key)s”.")
    )
    raise ValidationError(
        {"score_key": message % {"instrument": instrument.code, "key": score_key}}
    )


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
    code: str = "",
    instrument: Instrument | None = None,
    score_part: str = "",
    score_key: str = "",
    aggregate: str = "",
) -> UtilityIndicator:
    """An indicator; a computed one names a figure of Maillage's report catalogue, whose unit
    and source it takes; one measured by assessments names an instrument, which score (total, a
    section's, a criterion's) and how a period's scores combine."""
    framework = criterion.dimension.framework
    refuse_if_frozen(framework)
    if kind == MeasurementKind.COMPUTED:
        known = {item.code: item for item in INDICATORS}
        if report_code not in known:
            raise ValidationError({"report_code": _("Choose an indicator of Maillage's report.")})
        unit = unit or str(known[report_code].unit_label)
        source = source or _("Maillage's report")
        instrument, score_part, score_key, aggregate = None, "", "", ""
    elif kind == MeasurementKind.ASSESSMENT:
        score_key = _check_score(instrument, score_part, score_key, aggregate)
        report_code = ""
        source = source or _("Assessments with the instrument “%(instrument)s”") % {
            "instrument": instrument.code
        }
    else:
        report_code = ""
        instrument, score_part, score_key, aggregate = None, "", "", ""
    return _saved(
        UtilityIndicator(
            criterion=criterion,
            code=_free_code(framework, slugify(code), name),
            name=name,
            kind=kind,
            report_code=report_code,
            instrument=instrument,
            score_part=score_part,
            score_key=score_key,
            aggregate=aggregate,
            unit=unit,
            target=target,
            source=source,
            position=criterion.indicators.count(),
        )
    )


@transaction.atomic
def remove_indicator(*, indicator: UtilityIndicator) -> None:
    """An indicator leaves the current version; one with values stays (they are its history)."""
    refuse_if_frozen(indicator.criterion.dimension.framework)
    if indicator.measurements.exists():
        raise ValidationError(
            _(
                "This indicator has values: it stays in this version. Start a new version "
                "to drop it."
            )
        )
    indicator.delete()


@transaction.atomic
def record_measurement(
    *, indicator: UtilityIndicator, year: int, value: Decimal, user, comment: str = ""
) -> Measurement:
    """The value of an entered indicator for a year (a second entry replaces the first). A
    superseded version still takes values: they stay attached to the version they were
    entered for."""
    if indicator.kind != MeasurementKind.ENTERED:
        raise ValidationError(_("This indicator is not entered by hand: its values are computed."))
    measurement = Measurement.objects.filter(indicator=indicator, year=year).first()
    if measurement is None:
        measurement = Measurement(indicator=indicator, year=year)
    measurement.value = value
    measurement.comment = comment
    measurement.entered_by = user
    return _saved(measurement)


def _copy_tree(source: Framework, target: Framework, *, continued: bool) -> None:
    """Dimensions, criteria and indicators of `source` into `target` (never the values)."""
    for dimension in source.dimensions.all():
        new_dimension = Dimension.objects.create(
            framework=target, name=dimension.name, position=dimension.position
        )
        for criterion in dimension.criteria.all():
            new_criterion = Criterion.objects.create(
                dimension=new_dimension, name=criterion.name, position=criterion.position
            )
            for indicator in criterion.indicators.all():
                UtilityIndicator.objects.create(
                    criterion=new_criterion,
                    code=indicator.code,
                    name=indicator.name,
                    kind=indicator.kind,
                    report_code=indicator.report_code,
                    instrument_id=indicator.instrument_id,
                    score_part=indicator.score_part,
                    score_key=indicator.score_key,
                    aggregate=indicator.aggregate,
                    unit=indicator.unit,
                    target=indicator.target,
                    source=indicator.source,
                    position=indicator.position,
                    continues=indicator if continued else None,
                )


@transaction.atomic
def new_version(*, framework: Framework) -> Framework:
    """Version n+1 of a framework, a copy of version n whose indicators continue n's."""
    framework = Framework.objects.select_for_update().get(pk=framework.pk)
    refuse_if_frozen(framework)
    successor = _saved(
        Framework(
            structure_id=framework.structure_id,
            network_id=framework.network_id,
            title=framework.title,
            stakeholders=framework.stakeholders,
            number=framework.number + 1,
            previous=framework,
            copied_from_id=framework.copied_from_id,
            provenance=framework.provenance,
        )
    )
    successor.partners.set(framework.partners.all())
    _copy_tree(framework, successor, continued=True)
    return successor


@transaction.atomic
def set_continuity(
    *, indicator: UtilityIndicator, continues: UtilityIndicator | None
) -> UtilityIndicator:
    """Say which indicator of the previous version `indicator` continues (None: a new series)."""
    framework = indicator.criterion.dimension.framework
    refuse_if_frozen(framework)
    if continues is not None:
        if framework.previous_id is None or (
            continues.criterion.dimension.framework_id != framework.previous_id
        ):
            raise ValidationError(
                {"continues": _("An indicator continues an indicator of the previous version.")}
            )
        if (
            framework_indicators(framework)
            .filter(continues=continues)
            .exclude(pk=indicator.pk)
            .exists()
        ):
            raise ValidationError(
                {
                    "continues": _("“%(name)s” is already continued by another indicator.")
                    % {"name": continues.name}
                }
            )
    indicator.continues = continues
    indicator.save(update_fields=["continues"])
    return indicator


@transaction.atomic
def set_partners(*, framework: Framework, structures) -> Framework:
    """The structures that build a structure's framework with it (a group of structures): their
    staff read and change it. Only structures sharing a network with the owner."""
    refuse_if_frozen(framework)
    structures = list(structures)
    if framework.structure_id is None:
        if structures:
            raise ValidationError(
                {"partners": _("A network's framework is already shared by its structures.")}
            )
        return framework
    allowed = set(
        Structure.objects.filter(networks__structures=framework.structure_id)
        .exclude(pk=framework.structure_id)
        .values_list("pk", flat=True)
    )
    for structure in structures:
        if structure.pk not in allowed:
            raise ValidationError(
                {
                    "partners": _("%(name)s shares no network with the framework's owner.")
                    % {"name": structure.name}
                }
            )
    framework.partners.set(structures)
    return framework


@transaction.atomic
def publish_template(*, framework: Framework, published: bool) -> Framework:
    """Share a framework as a template with every structure and network (or stop sharing)."""
    framework.is_template = published
    framework.save(update_fields=["is_template"])
    return framework


@transaction.atomic
def start_from_template(
    *, template: Framework, title: str = "", structure=None, network=None
) -> Framework:
    """A new framework for `structure` or `network`, a copy of a published template (without
    its values), which keeps where it comes from."""
    if not template.is_template:
        raise ValidationError(_("This framework is not published as a template."))
    copy = _saved(
        Framework(
            structure=structure,
            network=network,
            title=title or template.title,
            stakeholders="",
            copied_from=template,
            provenance=fill(
                _("Template “%(title)s” (version %(number)s) of %(owner)s"),
                title=template.title,
                number=template.number,
                owner=template.owner,
            ),
        )
    )
    _copy_tree(template, copy, continued=False)
    return copy
