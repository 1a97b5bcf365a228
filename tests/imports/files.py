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


# --- Malformed workbooks, written by hand so they stay tiny (never open them with calamine
# without the guard of `maillage.imports.limits`: the far corner aborts the process) -----------

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_HEADER_CELLS = (
    '<row r="1"><c r="A1" t="inlineStr"><is><t>Nom</t></is></c>'
    '<c r="B1" t="inlineStr"><is><t>Prénom</t></is></c></row>'
)


def raw_xlsx_bytes(sheet_body: str, *, dimension: str = "", padding: int = 0) -> bytes:
    """An XLSX workbook of one sheet "Feuil1" whose <sheetData> holds `sheet_body` (XML), with
    a declared `dimension` and `padding` bytes of blanks in the sheet (a zip bomb: they
    compress about a thousand times)."""
    rels = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    package = "http://schemas.openxmlformats.org/package/2006/relationships"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Default Extension="xml" ContentType="application/xml"/></Types>',
        )
        archive.writestr(
            "_rels/.rels",
            f'<?xml version="1.0"?><Relationships xmlns="{package}"><Relationship Id="rId1" '
            f'Type="{rels}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        archive.writestr(
            "xl/workbook.xml",
            f'<?xml version="1.0"?><workbook xmlns="{_MAIN}" xmlns:r="{rels}"><sheets>'
            '<sheet name="Feuil1" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            f'<?xml version="1.0"?><Relationships xmlns="{package}"><Relationship Id="rId1" '
            f'Type="{rels}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
        )
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(f'<?xml version="1.0"?><worksheet xmlns="{_MAIN}">'.encode())
            if dimension:
                sheet.write(f'<dimension ref="{dimension}"/>'.encode())
            sheet.write(f"<sheetData>{sheet_body}</sheetData>".encode())
            blanks = b" " * (1024 * 1024)
            for start in range(0, padding, len(blanks)):
                sheet.write(blanks[: padding - start])
            sheet.write(b"</worksheet>")
    return buffer.getvalue()


def far_corner_xlsx_bytes() -> bytes:
    """A header row and one cell at XFD1048576, the sheet's far corner (1.5 KB)."""
    return raw_xlsx_bytes(_HEADER_CELLS + '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>')


def huge_dimension_xlsx_bytes() -> bytes:
    """A header row in a sheet that declares it reaches XFD1048576."""
    return raw_xlsx_bytes(_HEADER_CELLS, dimension="A1:XFD1048576")


def unreferenced_cells_xlsx_bytes(cells: int) -> bytes:
    """A header row, then a row of `cells` cells without references (each one column on)."""
    return raw_xlsx_bytes(_HEADER_CELLS + '<row r="2">' + "<c><v>1</v></c>" * cells + "</row>")


def zip_bomb_xlsx_bytes(uncompressed: int) -> bytes:
    """A small workbook whose sheet unzips to `uncompressed` bytes."""
    return raw_xlsx_bytes(_HEADER_CELLS, padding=uncompressed)


_ODS_NAMESPACES = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
)
_ODS_HEADER = (
    '<table:table-row><table:table-cell office:value-type="string"><text:p>Nom</text:p>'
    '</table:table-cell><table:table-cell office:value-type="string"><text:p>Prénom</text:p>'
    "</table:table-cell></table:table-row>"
)


def raw_ods_bytes(table_body: str) -> bytes:
    """An ODS spreadsheet of one table "Feuille1" holding `table_body` (XML rows)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet"
        )
        archive.writestr(
            "META-INF/manifest.xml",
            '<?xml version="1.0"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:'
            'opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry '
            'manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.'
            'spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" '
            'manifest:media-type="text/xml"/></manifest:manifest>',
        )
        archive.writestr(
            "content.xml",
            f'<?xml version="1.0"?><office:document-content {_ODS_NAMESPACES} '
            'office:version="1.2"><office:body><office:spreadsheet><table:table '
            f'table:name="Feuille1">{_ODS_HEADER}{table_body}</table:table></office:spreadsheet>'
            "</office:body></office:document-content>",
        )
    return buffer.getvalue()


def ods_repeat_bomb_bytes(*, rows: int = 1, columns: int = 1) -> bytes:
    """A non-empty cell repeated over `columns` columns, its row over `rows` rows."""
    return raw_ods_bytes(
        f'<table:table-row table:number-rows-repeated="{rows}"><table:table-cell '
        f'table:number-columns-repeated="{columns}" office:value-type="float" office:value="1">'
        "<text:p>1</text:p></table:table-cell></table:table-row>"
    )


def ods_trailing_blanks_bytes() -> bytes:
    """A header and a data row, then empty cells and rows repeated to the sheet's end, as
    LibreOffice saves every sheet."""
    return raw_ods_bytes(
        '<table:table-row><table:table-cell office:value-type="string"><text:p>Dupont</text:p>'
        '</table:table-cell><table:table-cell table:number-columns-repeated="16383"/>'
        '</table:table-row><table:table-row table:number-rows-repeated="1048574">'
        '<table:table-cell table:number-columns-repeated="16384"/></table:table-row>'
    )


def wide_csv_bytes(columns: int) -> bytes:
    """A CSV file with a header of `columns` columns and one row."""
    header = ";".join(f"Colonne {index}" for index in range(columns))
    return (header + "\r\n" + ";".join("x" for _index in range(columns)) + "\r\n").encode()


def malformed_files(bomb: int = 16 * 1024 * 1024) -> dict[str, bytes]:
    """The malformed files every reader must refuse quickly, by name (the zip bomb unzips to
    `bomb` bytes: the tests lower IMPORT_MAX_UNCOMPRESSED_BYTES below it, to stay quick)."""
    return {
        "coin.xlsx": far_corner_xlsx_bytes(),
        "dimension.xlsx": huge_dimension_xlsx_bytes(),
        "bombe.xlsx": zip_bomb_xlsx_bytes(bomb),
        "colonnes.csv": wide_csv_bytes(100_000),
        "lignes-repetees.ods": ods_repeat_bomb_bytes(rows=1_048_575),
        "colonnes-repetees.ods": ods_repeat_bomb_bytes(columns=16_384),
        "repetitions.ods": ods_repeat_bomb_bytes(rows=100_000, columns=16_384),
    }
