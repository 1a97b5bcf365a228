"""Exports of lists as files, safe to open in a spreadsheet.

Every CSV and XLSX the product writes goes through `csv_response` or `xlsx_workbook`: text cells
that a spreadsheet would run as a formula get a leading apostrophe (formula injection).
"""

import csv
import datetime
import decimal
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.http import HttpResponse

# A cell starting with one of these is run as a formula by spreadsheet programs.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value) -> str:
    """The value as text, with a leading apostrophe when a spreadsheet would run it as a formula."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_TRIGGERS) else text


def csv_response(filename: str, header: Sequence[str], rows: Iterable[Sequence]) -> HttpResponse:
    """A CSV download as French spreadsheets read it: UTF-8 with BOM, `;` between cells."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([neutralise(cell) for cell in header])
    for row in rows:
        writer.writerow([neutralise(cell) for cell in row])
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Sheet:
    """One sheet of a workbook: a title (31 characters at most), a header row and rows."""

    title: str
    header: Sequence[str]
    rows: Iterable[Sequence]


def _xlsx_cell(value):
    """Numbers and dates stay typed; everything else is neutralised text."""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float | decimal.Decimal | datetime.date):
        return value
    return neutralise(value)


def xlsx_workbook(sheets: Iterable[Sheet]) -> bytes:
    """An XLSX file (write-only mode, so memory stays flat) with one sheet per `Sheet`."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    for sheet in sheets:
        worksheet = workbook.create_sheet(title=sheet.title[:31])
        worksheet.append([neutralise(cell) for cell in sheet.header])
        for row in sheet.rows:
            worksheet.append([_xlsx_cell(cell) for cell in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_response(filename: str, sheets: Iterable[Sheet]) -> HttpResponse:
    """An XLSX download of `sheets`."""
    response = HttpResponse(xlsx_workbook(sheets), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
