"""Builders of import fixture files, made by the tests themselves (no binary file in the repo).

Rows are sequences of cell values: `None` is an empty cell, `()` an empty row. Strings, numbers,
`datetime.date`/`datetime`/`time` values are written with their type where the format has types
(XLSX, ODS); in CSV they are written as a French spreadsheet would (dates as dd/mm/yyyy).
`Formula("1+1", cached=2)` is a formula cell, with the value the spreadsheet last computed
(or none when `cached` is None, as a file saved by a program that does not compute formulas).

    path = write(tmp_path, "actes.csv", csv_bytes(rows, encoding="cp1252", delimiter=","))
    path = write(tmp_path, "actes.xlsx", xlsx_bytes({"Actes": rows, "Personnes": other_rows}))
"""

import csv
import datetime
import io
import re
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Formula:
    """A formula cell: `expression` without the leading "=", `cached` the value last computed."""

    expression: str
    cached: object = None


Rows = Iterable[Sequence]


def write(directory: Path, name: str, data: bytes) -> Path:
    """Write `data` to `directory / name` and return the path."""
    path = Path(directory) / name
    path.write_bytes(data)
    return path


# --- CSV ----------------------------------------------------------------------------------------


def _csv_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, Formula):
        return "=" + value.expression
    return str(value)


def csv_text(rows: Rows, *, delimiter: str = ";", preamble: Rows = (), newline="\r\n") -> str:
    """The CSV text of `preamble` rows (title rows, blank rows) then `rows`."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator=newline)
    for row in [*preamble, *rows]:
        writer.writerow([_csv_text(value) for value in row])
    return buffer.getvalue()


def csv_bytes(
    rows: Rows,
    *,
    encoding: str = "utf-8",
    delimiter: str = ";",
    bom: bool = False,
    preamble: Rows = (),
    newline: str = "\r\n",
) -> bytes:
    """A CSV file as Excel or LibreOffice would save it: `encoding` "utf-8", "cp1252" (Excel's
    "CSV (séparateur: point-virgule)" on Windows) or "utf-16" (Excel's "Unicode text", tabs);
    `bom` adds the UTF-8 byte order mark ("CSV UTF-8" in Excel)."""
    data = csv_text(rows, delimiter=delimiter, preamble=preamble, newline=newline).encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data


# --- XLSX ---------------------------------------------------------------------------------------


def xlsx_bytes(sheets: Mapping[str, Rows], *, number_format: str = "DD/MM/YYYY") -> bytes:
    """An XLSX workbook with one sheet per entry, in order (openpyxl, as Excel would type the
    cells: dates as dates with `number_format`, numbers as numbers)."""
    import openpyxl

    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    cached: dict[tuple[int, str], object] = {}
    for index, (name, rows) in enumerate(sheets.items(), start=1):
        sheet = workbook.create_sheet(name)
        for line, row in enumerate(rows, start=1):
            for column, value in enumerate(row, start=1):
                if value is None:
                    continue
                cell = sheet.cell(row=line, column=column)
                if isinstance(value, Formula):
                    cell.value = "=" + value.expression
                    if value.cached is not None:
                        cached[(index, cell.coordinate)] = value.cached
                else:
                    cell.value = value
                    if isinstance(value, datetime.datetime):
                        cell.number_format = number_format + " HH:MM"
                    elif isinstance(value, datetime.date):
                        cell.number_format = number_format
    buffer = io.BytesIO()
    workbook.save(buffer)
    return _with_cached_values(buffer.getvalue(), cached) if cached else buffer.getvalue()


def _with_cached_values(data: bytes, cached: dict[tuple[int, str], object]) -> bytes:
    """openpyxl writes formulas without the value Excel would have cached: add it."""
    source = zipfile.ZipFile(io.BytesIO(data))
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            match = re.fullmatch(r"xl/worksheets/sheet(\d+)\.xml", item.filename)
            if match:
                index = int(match.group(1))
                for (sheet_index, coordinate), value in cached.items():
                    if sheet_index != index:
                        continue
                    is_text = isinstance(value, str)
                    text = (value if is_text else repr(value)).encode()
                    kind = b' t="str"' if is_text else b""
                    pattern = re.compile(
                        rf'(<c r="{coordinate}"[^>]*)(><f>.*?</f>)<v\s*/>'.encode()
                    )
                    content = pattern.sub(
                        lambda m, kind=kind, text=text: (
                            m.group(1) + kind + m.group(2) + b"<v>" + text + b"</v>"
                        ),
                        content,
                    )
            target.writestr(item, content)
    return output.getvalue()


# --- ODS ----------------------------------------------------------------------------------------


def ods_bytes(sheets: Mapping[str, Rows]) -> bytes:
    """An OpenDocument spreadsheet (LibreOffice's own format) with one table per entry."""
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import Table, TableCell, TableRow
    from odf.text import P

    document = OpenDocumentSpreadsheet()
    for name, rows in sheets.items():
        table = Table(name=name)
        for row in rows:
            table_row = TableRow()
            for value in row:
                table_row.addElement(_ods_cell(value, TableCell, P))
            table.addElement(table_row)
        document.spreadsheet.addElement(table)
    buffer = io.BytesIO()
    document.write(buffer)
    return buffer.getvalue()


def _ods_cell(value, TableCell, P):
    formula = None
    if isinstance(value, Formula):
        formula, value = "of:=" + value.expression, value.cached
    attributes = {"formula": formula} if formula else {}
    if value is None:
        return TableCell(**attributes)
    if isinstance(value, bool):
        cell = TableCell(valuetype="boolean", booleanvalue=str(value).lower(), **attributes)
        text = "VRAI" if value else "FAUX"
    elif isinstance(value, int | float):
        cell = TableCell(valuetype="float", value=value, **attributes)
        text = str(value)
    elif isinstance(value, datetime.datetime):
        cell = TableCell(valuetype="date", datevalue=value.isoformat(), **attributes)
        text = value.strftime("%d/%m/%Y %H:%M")
    elif isinstance(value, datetime.date):
        cell = TableCell(valuetype="date", datevalue=value.isoformat(), **attributes)
        text = value.strftime("%d/%m/%Y")
    elif isinstance(value, datetime.time):
        cell = TableCell(
            valuetype="time", timevalue=f"PT{value.hour:02d}H{value.minute:02d}M00S", **attributes
        )
        text = value.strftime("%H:%M")
    else:
        cell = TableCell(valuetype="string", **attributes)
        text = str(value)
    cell.addElement(P(text=text))
    return cell


# --- Files that are not spreadsheets, whatever their name says ---------------------------------


def pdf_bytes() -> bytes:
    return (
        b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
        b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
    )


def png_bytes() -> bytes:
    return (
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00"
        b"\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N"
        b"\x00\x00\x00\x00IEND\xaeB`\x82"
    )


def xls_bytes() -> bytes:
    """The start of a legacy Excel 97-2003 workbook (an OLE2 compound file)."""
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504 + b"Workbook" + b"\x00" * 512


def docx_bytes() -> bytes:
    """A ZIP that is neither a workbook nor an OpenDocument spreadsheet (a Word document)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    return buffer.getvalue()
