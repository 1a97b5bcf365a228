"""Template files to download, one per entity: the headers the import recognises, an example row,
and (in the XLSX) a help sheet explaining each column.

Built from `entities.ENTITIES`, so a field added there appears here. The headers are the first
header of each field, as a French structure writes it and as the automatic mapping matches it
first. The files go through `maillage.core.exports`, like every file the product writes.
"""

import datetime

from django.http import HttpResponse
from django.utils.translation import gettext as _

from maillage.core.exports import Sheet, csv_response, xlsx_response
from maillage.directory.models import LegalForm
from maillage.pathways.referentials import KINDS, entries_for_structures

from .entities import CHOICES, ENTITIES, FieldSpec

FORMATS = ("xlsx", "csv")
# At most this many accepted values are listed per column in the help sheet.
MAX_VALUES = 30

# Example values by field code, then by kind; the other fields are left empty in the example.
EXAMPLES_BY_CODE = {
    "file_number": "D-2025-001",
    "external_id": "2025-001",
    "last_name": "Durand",
    "first_name": "Camille",
    "birth_date": datetime.date(1990, 5, 4),
    "title": "Café associatif",
}
EXAMPLES_BY_KIND = {
    "date": datetime.date(2025, 1, 15),
    "duration": "1h30",
    "email": "camille.durand@exemple.fr",
    "phone": "06 12 34 56 78",
    "postal_code": "13005",
    "commune": "Marseille 5e",
    "bool": "non",
}


def entities() -> dict:
    return ENTITIES


def header(entity: str) -> list[str]:
    """The header of each field, as a French structure writes it."""
    return [_header_of(spec) for spec in ENTITIES[entity].fields]


def _header_of(spec: FieldSpec) -> str:
    return spec.headers[0] if spec.headers else str(spec.label)


def _accepted_values(spec: FieldSpec, structure_ids) -> list[str]:
    """The values a referential, choice or legal form column accepts (their labels)."""
    if spec.kind == "choice":
        return [str(label) for _value, label, _synonyms in CHOICES.get(spec.source, ())]
    if spec.kind == "referential" and spec.source in KINDS:
        model = KINDS[spec.source][0]
        entries = entries_for_structures(model, structure_ids)[: MAX_VALUES + 1]
        return [entry.label for entry in entries]
    if spec.kind == "legal_form":
        entries = LegalForm.objects.filter(is_active=True).order_by("position", "code")
        return [entry.label for entry in entries[: MAX_VALUES + 1]]
    return []


def example_row(entity: str, accepted: dict[str, list[str]]) -> list:
    row = []
    for spec in ENTITIES[entity].fields:
        if spec.code in EXAMPLES_BY_CODE:
            row.append(EXAMPLES_BY_CODE[spec.code])
        elif accepted.get(spec.code):
            row.append(accepted[spec.code][0])
        else:
            row.append(EXAMPLES_BY_KIND.get(spec.kind, ""))
    return row


def help_rows(entity: str, accepted: dict[str, list[str]]) -> list[list[str]]:
    """A row about the file, then one per column: header, required, what to write, values."""
    spec = ENTITIES[entity]
    rows = [[_("The whole file"), "", str(spec.help or spec.label), "", ""]]
    for field in spec.fields:
        values = accepted.get(field.code, [])
        listed = "; ".join(values[:MAX_VALUES]) + ("; …" if len(values) > MAX_VALUES else "")
        rows.append(
            [
                _header_of(field),
                _("yes") if field.required else _("no"),
                str(field.label) + (f" — {field.help}" if field.help else ""),
                listed,
                ", ".join(field.headers[1:]),
            ]
        )
    return rows


def _csv_cell(value):
    return value.strftime("%d/%m/%Y") if isinstance(value, datetime.date) else value


def response(entity: str, file_format: str, *, structure_ids=()) -> HttpResponse:
    """The template of `entity` as an XLSX (with its help sheet) or a CSV download.

    `structure_ids`: the user's structures, whose networks' referential entries are listed.
    """
    spec = ENTITIES[entity]
    accepted = {field.code: _accepted_values(field, structure_ids) for field in spec.fields}
    example = example_row(entity, accepted)
    name = f"modele-import-{entity}.{file_format}"
    if file_format == "csv":
        return csv_response(name, header(entity), [[_csv_cell(value) for value in example]])
    help_header = [
        _("Column header"),
        _("Required field"),
        _("What to write"),
        _("Accepted values"),
        _("Other headers recognised"),
    ]
    return xlsx_response(
        name,
        [
            Sheet(title=str(spec.label), header=header(entity), rows=[example]),
            Sheet(
                title=_("Help on the columns"), header=help_header, rows=help_rows(entity, accepted)
            ),
        ],
    )
