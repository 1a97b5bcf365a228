"""Values of entered indicators read from a spreadsheet (XLSX, ODS or CSV, read as the imports
app reads them: python-calamine for workbooks): one row per value, with the columns indicator
code, period (a year), value and comment. All or nothing: a file with one wrong cell writes
nothing, and says which row and column; a dry run checks the file and shows what would be
written.
"""

import os
import tempfile
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from maillage.imports.readers import FileRefused, normalise_label, open_table

from ..models import Measurement, MeasurementKind
from . import services

MAX_ROWS = 5000
MAX_BYTES = 5 * 1024 * 1024

# Column -> the labels a header may use (compared normalised).
COLUMNS = {
    "code": ("code", "indicator code", "code indicateur", "code de l indicateur", "indicateur"),
    "period": ("period", "periode", "year", "annee"),
    "value": ("value", "valeur"),
    "comment": ("comment", "commentaire"),
}
COLUMN_LABELS = {
    "code": gettext_lazy("indicator code"),
    "period": gettext_lazy("period"),
    "value": gettext_lazy("value"),
    "comment": gettext_lazy("comment"),
}


@dataclass(frozen=True)
class RowError:
    line: int  # the row as the spreadsheet shows it (0: the file as a whole)
    column: str  # translated column name, "" for the whole row or file
    message: str


@dataclass(frozen=True)
class Planned:
    line: int
    indicator: object
    year: int
    value: Decimal
    comment: str
    replaces: Decimal | None  # the value recorded before, if any


@dataclass(frozen=True)
class ValuesImport:
    planned: list
    errors: list
    written: bool


def _year(raw):
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    text = str(raw).strip()
    if not text.isdigit() or not 2000 <= int(text) <= 2100:
        return None
    return int(text)


def _decimal(raw):
    if isinstance(raw, bool):
        return None
    text = str(raw).strip().replace("\u202f", "").replace("\xa0", "").replace(" ", "")
    if "," in text and "." not in text:
        text = text.replace(",", ".")
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    if not value.is_finite() or abs(value) >= 10**10:
        return None
    return value.quantize(Decimal("0.01"))


def read_values(framework, path) -> tuple[list[Planned], list[RowError]]:
    indicators = {
        i.code: i for i in services.framework_indicators(framework).select_related("criterion")
    }
    existing = {
        (m.indicator_id, m.year): m.value
        for m in Measurement.objects.filter(indicator__in=indicators.values())
    }
    known = {normalise_label(label) for labels in COLUMNS.values() for label in labels}
    try:
        table = open_table(path, known_headers=known)
    except FileRefused as refused:
        return [], [RowError(0, "", refused.message)]
    planned, errors, seen = [], [], {}
    with table:
        positions = {}
        for index, header in enumerate(table.header):
            for column, labels in COLUMNS.items():
                if normalise_label(header) in {normalise_label(label) for label in labels}:
                    positions.setdefault(column, index)
        missing = [str(COLUMN_LABELS[c]) for c in ("code", "period", "value") if c not in positions]
        if missing:
            return [], [
                RowError(
                    table.header_line,
                    "",
                    _("The header row has no column %(columns)s.")
                    % {"columns": ", ".join(f"“{name}”" for name in missing)},
                )
            ]
        for count, row in enumerate(table.rows):
            if count >= MAX_ROWS:
                errors.append(
                    RowError(
                        row.line,
                        "",
                        _("At most %(count)s rows per file: split it.") % {"count": MAX_ROWS},
                    )
                )
                break
            cells = {c: row.cells[i] for c, i in positions.items()}
            if all(value in (None, "") for value in cells.values()):
                continue
            row_errors = []
            code = str(cells["code"] or "").strip()
            indicator = indicators.get(code)
            if not code:
                row_errors.append(("code", _("Write the indicator's code.")))
            elif indicator is None:
                row_errors.append(
                    (
                        "code",
                        _("No indicator of this framework has the code “%(code)s”.")
                        % {"code": code},
                    )
                )
            elif indicator.kind != MeasurementKind.ENTERED:
                row_errors.append(
                    (
                        "code",
                        _("“%(name)s” is computed: its values are not entered.")
                        % {"name": indicator.name},
                    )
                )
            year = None if cells["period"] in (None, "") else _year(cells["period"])
            if year is None:
                row_errors.append(("period", _("Write the year, between 2000 and 2100.")))
            value = None if cells["value"] in (None, "") else _decimal(cells["value"])
            if value is None:
                row_errors.append(("value", _("Write a number (e.g. 12 or 12,5).")))
            comment = str(cells.get("comment") or "").strip()
            if len(comment) > 500:
                row_errors.append(("comment", _("At most %(count)s characters.") % {"count": 500}))
            if not row_errors and indicator is not None and year is not None:
                key = (indicator.pk, year)
                if key in seen:
                    row_errors.append(
                        (
                            "period",
                            _("Row %(line)s already gives this indicator's value for %(year)s.")
                            % {"line": seen[key], "year": year},
                        )
                    )
                seen[key] = row.line
            if row_errors:
                errors.extend(
                    RowError(row.line, str(COLUMN_LABELS[column]), message)
                    for column, message in row_errors
                )
                continue
            planned.append(
                Planned(
                    line=row.line,
                    indicator=indicator,
                    year=year,
                    value=value,
                    comment=comment,
                    replaces=existing.get((indicator.pk, year)),
                )
            )
    if not planned and not errors:
        errors.append(RowError(0, "", _("The file has no value to import.")))
    return planned, errors


def import_values(*, framework, uploaded, user, dry_run: bool) -> ValuesImport:
    """Check the file and, unless `dry_run` or an error, record every value (all or nothing)."""
    if uploaded.size > MAX_BYTES:
        return ValuesImport(
            [], [RowError(0, "", _("The file is too large (5 MB at most)."))], False
        )
    suffix = os.path.splitext(uploaded.name or "")[1][:8]
    with tempfile.NamedTemporaryFile(suffix=suffix) as handle:
        for chunk in uploaded.chunks():
            handle.write(chunk)
        handle.flush()
        planned, errors = read_values(framework, handle.name)
    if errors or dry_run:
        return ValuesImport(planned, errors, False)
    with transaction.atomic():
        for entry in planned:
            services.record_measurement(
                indicator=entry.indicator,
                year=entry.year,
                value=entry.value,
                comment=entry.comment,
                user=user,
            )
    return ValuesImport(planned, [], True)
