"""A structure's own words for the entries of referential columns: value mappings.

When a value of a referential column ("RSA socle" in the Situation column) matches no entry,
even loosely (`matching`), the dry run lists it with the closest entries; the advisor maps it
once (`services.map_values`) and the answer is kept on the run and in the structure's saved
mapping (`SavedMapping.value_mappings`), as {field code: {value as the file writes it: entry
code}}. A file uploaded with that saved mapping uses its value mappings; a file uploaded without
one uses those of every mapping the structure saved for this kind of file (the most recently
saved first). Values are compared by `matching.loose_key`: "rsa socle" is "RSA socle".

A mapping file (`import_records --mapping mapping.json`) carries the same three things as a
saved mapping:

    {
      "columns": {"file_number": "N° dossier", "situation": "Situation"},
      "values": {"situation": {"RSA socle": "rsa", "Salarié(e) en CDD": "employee"}},
      "without_identifier": false
    }

`columns` maps field codes to the file's headers (fields left out are matched from the
headers), `values` field codes to {value: entry code}, and `without_identifier` says that the
file has no identifier of its rows although a column looks like one. Every key is optional.
"""

import json

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .entities import EntitySpec
from .models import SavedMapping
from .pipeline.cells import MAPPABLE_KINDS

MAPPING_FILE_KEYS = ("columns", "values", "without_identifier")


def merge_value_mappings(*mappings: dict | None) -> dict[str, dict[str, str]]:
    """The value mappings one after the other: a later answer for a value wins."""
    merged: dict[str, dict[str, str]] = {}
    for mapping in mappings:
        for code, values in (mapping or {}).items():
            merged.setdefault(code, {}).update(values)
    return merged


def structure_value_mappings(structure, entity: str) -> dict[str, dict[str, str]]:
    """The value mappings of every mapping the structure saved for this kind of file, the most
    recently saved winning."""
    saved = SavedMapping.objects.filter(structure=structure, entity=entity).order_by(
        "updated_at", "pk"
    )
    return merge_value_mappings(*saved.values_list("value_mappings", flat=True))


def clean_value_mappings(spec: EntitySpec, values) -> dict[str, dict[str, str]]:
    """Value mappings given as data (a mapping file), checked: ValidationError otherwise. The
    entry codes are checked when the file is read (an unknown code is an error of the rows)."""
    if not isinstance(values, dict):
        raise ValidationError(_mapping_file_error(), code="mapping_file")
    cleaned: dict[str, dict[str, str]] = {}
    errors = []
    for code, answers in values.items():
        field = spec.field_map.get(code)
        if field is None or field.kind not in MAPPABLE_KINDS:
            errors.append(
                _(
                    "“%(field)s” is not a column whose values can be mapped in this kind of "
                    "file: map the values of a referential column (situation, type of act…)."
                )
                % {"field": code}
            )
            continue
        if not isinstance(answers, dict) or not all(
            isinstance(value, str) and isinstance(entry, str) and value.strip() and entry
            for value, entry in answers.items()
        ):
            errors.append(_mapping_file_error())
            continue
        cleaned[code] = {value.strip(): entry for value, entry in answers.items()}
    if errors:
        raise ValidationError(errors, code="mapping_file")
    return cleaned


def _mapping_file_error() -> str:
    return _(
        'The mapping file must be a JSON object such as {"columns": {"situation": '
        '"Situation"}, "values": {"situation": {"RSA socle": "rsa"}}}.'
    )


def read_mapping_file(path: str) -> dict:
    """A mapping file's content (see the module's docstring); ValidationError with a
    translated message when it is not one."""
    try:
        with open(path, encoding="utf-8-sig") as handle:
            data = json.load(handle)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        raise ValidationError(_mapping_file_error(), code="mapping_file") from None
    if not isinstance(data, dict) or set(data) - set(MAPPING_FILE_KEYS):
        raise ValidationError(_mapping_file_error(), code="mapping_file")
    columns = data.get("columns", {})
    if not isinstance(columns, dict) or not all(
        isinstance(code, str) and isinstance(column, str) for code, column in columns.items()
    ):
        raise ValidationError(_mapping_file_error(), code="mapping_file")
    if not isinstance(data.get("without_identifier", False), bool):
        raise ValidationError(_mapping_file_error(), code="mapping_file")
    return data
