"""A framework as a file (YAML, or JSON which YAML reads too), to share it between networks
outside Maillage or keep it: its dimensions, criteria and indicators with how each is measured,
never its values. `read_definition` validates a file and names the path of each error
(`dimensions[0].criteria[1].indicators[2].measurement`); `import_definition` creates the
framework from it, all or nothing.
"""

from decimal import Decimal, InvalidOperation

import yaml
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from maillage.assessments.models import Instrument
from maillage.reporting.catalogue import INDICATORS

from ..models import MeasurementKind, ScoreAggregate, ScorePart
from . import services

MAX_BYTES = 512 * 1024


def framework_definition(framework) -> dict:
    dimensions = []
    for dimension in framework.dimensions.all():
        criteria = []
        for criterion in dimension.criteria.all():
            indicators = []
            for indicator in criterion.indicators.select_related("instrument"):
                entry = {
                    "code": indicator.code,
                    "name": indicator.name,
                    "measurement": indicator.kind,
                }
                if indicator.kind == MeasurementKind.COMPUTED:
                    entry["report_code"] = indicator.report_code
                if indicator.kind == MeasurementKind.ASSESSMENT:
                    entry["instrument"] = indicator.instrument.code
                    entry["score"] = indicator.score_part
                    if indicator.score_key:
                        entry["score_key"] = indicator.score_key
                    entry["aggregate"] = indicator.aggregate
                for name in ("unit", "source"):
                    if getattr(indicator, name):
                        entry[name] = getattr(indicator, name)
                if indicator.target is not None:
                    entry["target"] = str(indicator.target.normalize())
                indicators.append(entry)
            criteria.append({"name": criterion.name, "indicators": indicators})
        dimensions.append({"name": dimension.name, "criteria": criteria})
    definition = {"title": framework.title}
    if framework.stakeholders:
        definition["stakeholders"] = framework.stakeholders
    definition["dimensions"] = dimensions
    return definition


def definition_yaml(framework) -> bytes:
    return yaml.safe_dump(
        framework_definition(framework), allow_unicode=True, sort_keys=False
    ).encode()


class DefinitionErrors(Exception):
    """The file is refused; `errors` lists (path, translated message)."""

    def __init__(self, errors: list[tuple[str, str]]):
        super().__init__(errors)
        self.errors = errors


def _text(errors, data, key, path, *, required=True, max_length=200):
    value = data.get(key)
    if value is None or value == "":
        if required:
            errors.append((f"{path}.{key}" if path else key, _("This field is required.")))
        return ""
    if not isinstance(value, str | int | float):
        errors.append((f"{path}.{key}" if path else key, _("Write a text here.")))
        return ""
    value = str(value).strip()
    if len(value) > max_length:
        errors.append(
            (
                f"{path}.{key}" if path else key,
                _("At most %(count)s characters.") % {"count": max_length},
            )
        )
    return value


def _list(errors, data, key, path):
    value = data.get(key, [])
    if not isinstance(value, list):
        errors.append((f"{path}.{key}" if path else key, _("Write a list here.")))
        return []
    return value


def _mapping(errors, value, path):
    if not isinstance(value, dict):
        errors.append((path, _("Write the fields of this entry here.")))
        return None
    return value


def read_definition(content: bytes) -> dict:
    """The validated definition; raises DefinitionErrors naming the path of each error."""
    if len(content) > MAX_BYTES:
        raise DefinitionErrors([("", _("The file is too large for a framework."))])
    try:
        data = yaml.safe_load(content.decode("utf-8-sig"))
    except (UnicodeDecodeError, yaml.YAMLError):
        raise DefinitionErrors(
            [("", _("This file is neither YAML nor JSON: export a framework to see the format."))]
        ) from None
    errors = []
    if _mapping(errors, data, "") is None:
        raise DefinitionErrors(errors)
    known_codes = {item.code for item in INDICATORS}
    instruments = {i.code: i for i in Instrument.objects.all()}
    result = {
        "title": _text(errors, data, "title", ""),
        "stakeholders": _text(errors, data, "stakeholders", "", required=False, max_length=5000),
        "dimensions": [],
    }
    codes = set()
    for d, dimension in enumerate(_list(errors, data, "dimensions", "")):
        d_path = f"dimensions[{d}]"
        if _mapping(errors, dimension, d_path) is None:
            continue
        d_result = {"name": _text(errors, dimension, "name", d_path), "criteria": []}
        for c, criterion in enumerate(_list(errors, dimension, "criteria", d_path)):
            c_path = f"{d_path}.criteria[{c}]"
            if _mapping(errors, criterion, c_path) is None:
                continue
            c_result = {"name": _text(errors, criterion, "name", c_path), "indicators": []}
            for i, indicator in enumerate(_list(errors, criterion, "indicators", c_path)):
                i_path = f"{c_path}.indicators[{i}]"
                if _mapping(errors, indicator, i_path) is None:
                    continue
                entry = _indicator(errors, indicator, i_path, known_codes, instruments)
                if entry["code"]:
                    if entry["code"] in codes:
                        errors.append(
                            (
                                f"{i_path}.code",
                                _("Another indicator of this file has the code “%(code)s”.")
                                % {"code": entry["code"]},
                            )
                        )
                    codes.add(entry["code"])
                c_result["indicators"].append(entry)
            d_result["criteria"].append(c_result)
        result["dimensions"].append(d_result)
    if errors:
        raise DefinitionErrors(errors)
    return result


def _indicator(errors, data, path, known_codes, instruments) -> dict:
    entry = {
        "name": _text(errors, data, "name", path),
        "code": _text(errors, data, "code", path, required=False, max_length=60),
        "unit": _text(errors, data, "unit", path, required=False, max_length=60),
        "source": _text(errors, data, "source", path, required=False, max_length=255),
        "kind": _text(errors, data, "measurement", path),
        "report_code": "",
        "instrument": None,
        "score_part": "",
        "score_key": "",
        "aggregate": "",
        "target": None,
    }
    if entry["kind"] and entry["kind"] not in MeasurementKind.values:
        errors.append(
            (
                f"{path}.measurement",
                _("Write one of: %(values)s.") % {"values": ", ".join(MeasurementKind.values)},
            )
        )
    if entry["kind"] == MeasurementKind.COMPUTED:
        entry["report_code"] = _text(errors, data, "report_code", path, max_length=60)
        if entry["report_code"] and entry["report_code"] not in known_codes:
            errors.append(
                (
                    f"{path}.report_code",
                    _("Maillage's report has no figure with the code “%(code)s”.")
                    % {"code": entry["report_code"]},
                )
            )
    if entry["kind"] == MeasurementKind.ASSESSMENT:
        code = _text(errors, data, "instrument", path, max_length=80)
        if code and code not in instruments:
            errors.append(
                (
                    f"{path}.instrument",
                    _("Maillage has no instrument with the code “%(code)s”.") % {"code": code},
                )
            )
        entry["instrument"] = instruments.get(code)
        entry["score_part"] = _text(errors, data, "score", path, max_length=20)
        if entry["score_part"] and entry["score_part"] not in ScorePart.values:
            errors.append(
                (
                    f"{path}.score",
                    _("Write one of: %(values)s.") % {"values": ", ".join(ScorePart.values)},
                )
            )
        entry["score_key"] = _text(
            errors,
            data,
            "score_key",
            path,
            required=entry["score_part"] in (ScorePart.SECTION, ScorePart.CRITERION),
            max_length=80,
        )
        entry["aggregate"] = _text(errors, data, "aggregate", path, max_length=20)
        if entry["aggregate"] and entry["aggregate"] not in ScoreAggregate.values:
            errors.append(
                (
                    f"{path}.aggregate",
                    _("Write one of: %(values)s.") % {"values": ", ".join(ScoreAggregate.values)},
                )
            )
    target = data.get("target")
    if target not in (None, ""):
        try:
            entry["target"] = Decimal(str(target))
            if not entry["target"].is_finite() or abs(entry["target"]) >= 10**10:
                raise InvalidOperation
        except InvalidOperation:
            errors.append((f"{path}.target", _("Write a number here.")))
            entry["target"] = None
    return entry


@transaction.atomic
def import_definition(definition: dict, *, structure=None, network=None, provenance: str = ""):
    """Create the framework a validated definition describes, all or nothing."""
    framework = services.create_framework(
        title=definition["title"],
        structure=structure,
        network=network,
        stakeholders=definition["stakeholders"],
    )
    if provenance:
        framework.provenance = provenance
        framework.save(update_fields=["provenance"])
    for d, dimension_data in enumerate(definition["dimensions"]):
        dimension = services.add_dimension(framework=framework, name=dimension_data["name"])
        for c, criterion_data in enumerate(dimension_data["criteria"]):
            criterion = services.add_criterion(dimension=dimension, name=criterion_data["name"])
            for i, entry in enumerate(criterion_data["indicators"]):
                try:
                    services.add_indicator(criterion=criterion, **entry)
                except ValidationError as error:
                    path = f"dimensions[{d}].criteria[{c}].indicators[{i}]"
                    raise DefinitionErrors(
                        [(path, message) for message in error.messages]
                    ) from None
    return framework
