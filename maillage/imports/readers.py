"""Reading the spreadsheets structures keep: CSV, XLSX and ODS, as rows under a detected header.

The format is told by the content, never by the file name. CSV is read incrementally; XLSX and
ODS through python-calamine, which returns the values the spreadsheet cached for its formulas and
never evaluates one. Line numbers are those the spreadsheet shows (the file's first line is 1),
so an error report points at the line the person sees.

    table = open_table(path, known_headers=known_headers("acts"))
    for row in table.rows:  # Row(line=7, cells=("Dupont", date(2026, 1, 31), "1h30", …))
        ...
"""

import codecs
import csv
import io
import os
import re
import struct
import zipfile
from collections import Counter
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import chain, islice

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from maillage.core.text import strip_accents

MAX_BYTES = getattr(settings, "IMPORT_MAX_BYTES", 50 * 1024 * 1024)
HEADER_SEARCH_ROWS = 30  # the header is looked for among this many non-blank rows
HEADER_LENGTH = 100  # a longer header cell is cut (a 1 MB cell would be on every select)
SNIFF_BYTES = 64 * 1024  # what is read to tell the format, the encoding and the delimiter
DELIMITERS = (";", ",", "\t")  # in order of preference when they score alike
_DECLARED_DELIMITER = re.compile(r"sep=(.)", re.IGNORECASE)
ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"

# csv.field_size_limit is 128 KiB by default: a long note in a cell is not an error.
csv.field_size_limit(16 * 1024 * 1024)


class FileRefused(Exception):
    """The file cannot be read as a table; `message` says why and what to do (translated)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(slots=True)
class Row:
    line: int  # as the spreadsheet shows it; for CSV the physical line where the record starts
    cells: tuple  # aligned on the header, None for an empty cell


@dataclass
class Table:
    format: str  # "csv", "xlsx" or "ods"
    sheet: str  # "" for CSV
    header: list[str]
    header_line: int
    encoding: str | None  # CSV only: "utf-8", "utf-8-sig", "cp1252" or "utf-16"
    delimiter: str | None  # CSV only
    rows: Iterator[Row] = field(repr=False)

    def close(self) -> None:
        """Release the file now rather than when the rows are garbage-collected."""
        close = getattr(self.rows, "close", None)
        if close is not None:
            close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()


# --- Labels -------------------------------------------------------------------------------------

_NUMERO_SIGN = re.compile(r"\bn\s*[°º]")
_NON_WORD = re.compile(r"[\W_]+")
_ABBREVIATIONS = {"no": "numero", "num": "numero"}


@lru_cache(maxsize=65536)
def normalise_label(text) -> str:
    """A label as it is compared: lower case, no accents, punctuation and apostrophes as spaces,
    "N°", "No", "Num" as "numero", single spaces ("N° de dossier " → "numero de dossier")."""
    text = _NUMERO_SIGN.sub(" numero ", str(text or "").lower())
    text = strip_accents(text).replace("œ", "oe").replace("æ", "ae")
    words = _NON_WORD.sub(" ", text).split()
    # A lone "no" or "num" is an abbreviation of "numéro" ("No client", "Num. adhérent").
    return " ".join(_ABBREVIATIONS.get(word, word) for word in words)


def clean_header(text) -> str:
    """A header cell as shown to the user: stripped, inner whitespace collapsed."""
    if text is None:
        return ""
    if isinstance(text, float) and text.is_integer():
        text = int(text)
    return " ".join(str(text).split())


# --- Telling the format -------------------------------------------------------------------------

_LOCAL_HEADER = b"PK\x03\x04"
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED = "EncryptedPackage".encode("utf-16-le")
_REFUSED_MAGIC = (
    (b"%PDF", "pdf"),
    (b"\x89PNG", "image"),
    (b"\xff\xd8\xff", "image"),
    (b"GIF8", "image"),
    (b"RIFF", "image"),
    (b"II*\x00", "image"),
    (b"MM\x00*", "image"),
    (_OLE2, "xls"),
    (b"\x1f\x8b", "archive"),
    (b"Rar!", "archive"),
    (b"7z\xbc\xaf", "archive"),
    (b"{\\rtf", "document"),
)
_ALLOWED_CONTROLS = frozenset(b"\t\n\r\x0b\x0c\x1a")


def _refuse(kind: str) -> FileRefused:
    messages = {
        "pdf": _(
            "This file is a PDF document, not a spreadsheet. Export your table from your "
            "spreadsheet program as CSV, XLSX or ODS, and upload that file."
        ),
        "image": _(
            "This file is an image, not a spreadsheet. Upload the table itself as a CSV, XLSX "
            "or ODS file."
        ),
        "xls": _(
            "This file is in the old Excel 97-2003 format (.xls), which cannot be read. Open it "
            "in Excel or LibreOffice, save it as .xlsx, .ods or CSV, and upload the new file."
        ),
        "archive": _(
            "This file is a compressed archive, not a spreadsheet. Extract the table from it "
            "and upload the CSV, XLSX or ODS file itself."
        ),
        "document": _(
            "This file is a text document, not a spreadsheet. Upload the table as a CSV, XLSX "
            "or ODS file."
        ),
        "zip": _(
            "This file is neither an Excel workbook (.xlsx) nor a LibreOffice spreadsheet "
            "(.ods). Save your table in one of these formats, or as CSV, and upload it again."
        ),
        "binary": _(
            "This file is not a spreadsheet that can be read. Save your table as CSV, XLSX or "
            "ODS and upload that file."
        ),
        "empty": _(
            "This file is empty. Check that you chose the right file and that it was saved "
            "with its rows, then upload it again."
        ),
        "encoding": _(
            "The text of this file could not be read: its character encoding is not UTF-8 nor "
            "Windows-1252. Save it again as “CSV UTF-8” from your spreadsheet program and "
            "upload the new file."
        ),
        "damaged": _(
            "This spreadsheet could not be opened: it may be damaged or protected by a "
            "password. Open it in your spreadsheet program, save it again without a password, "
            "and upload the new file."
        ),
    }
    return FileRefused(messages[kind])


def _zip_names(head: bytes) -> tuple[list[str], bool]:
    """The member names of a ZIP file, and whether they are all of them: from its directory
    when `head` is the whole file, else from the local headers found in `head`."""
    try:
        with zipfile.ZipFile(io.BytesIO(head)) as archive:
            return archive.namelist(), True
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        pass
    names, start = [], 0
    while (start := head.find(_LOCAL_HEADER, start)) >= 0:
        fixed = head[start + 4 : start + 30]
        if len(fixed) < 26:
            break
        name_length = struct.unpack("<H", fixed[22:24])[0]
        names.append(head[start + 30 : start + 30 + name_length].decode("utf-8", "replace"))
        start += 4
    return names, False


def _zip_format(names: list[str], complete: bool, head: bytes) -> str | None:
    """ "ods" when the first member is OpenDocument's spreadsheet mimetype, "xlsx" for an Office
    Open XML workbook (its [Content_Types].xml may lie beyond a head cut short)."""
    if head[30:38] == b"mimetype" and head[38 : 38 + len(ODS_MIMETYPE)] == ODS_MIMETYPE:
        return "ods"
    if any(name.startswith("xl/") for name in names) and (
        "[Content_Types].xml" in names or not complete
    ):
        return "xlsx"
    return None


def _looks_like_text(head: bytes) -> bool:
    """No NUL byte and hardly any control character (UTF-16 text has NULs, and its mark)."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return True
    if b"\x00" in head:
        return False
    sample = head[:8192]
    controls = sum(1 for byte in sample if byte < 32 and byte not in _ALLOWED_CONTROLS)
    return controls <= len(sample) // 100


def _decodes(head: bytes) -> bool:
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return True
    try:
        # A multi-byte character cut at the end of the head is fine.
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
        return True
    except UnicodeDecodeError:
        pass
    try:
        head.decode("cp1252")
        return True
    except UnicodeDecodeError:
        return False


def sniff_format(head: bytes) -> str:
    """ "xlsx", "ods" or "csv", told from the first bytes of a file (or all of it); raises
    FileRefused for anything else (a PDF, an image, a legacy .xls, an archive, a binary)."""
    if not head:
        raise _refuse("empty")
    if head.startswith(_LOCAL_HEADER):
        found = _zip_format(*_zip_names(head), head)
        if found is None:
            raise _refuse("zip")
        return found
    if head.startswith(_OLE2) and _ENCRYPTED in head:
        raise _refuse("damaged")  # an Excel workbook saved with a password is wrapped in OLE2
    for magic, kind in _REFUSED_MAGIC:
        if head.startswith(magic):
            raise _refuse(kind)
    if not _looks_like_text(head):
        raise _refuse("binary")
    if not _decodes(head):
        raise _refuse("encoding")
    if not head.strip(b" \t\r\n\x0b\x0c\x1a\xef\xbb\xbf"):
        raise _refuse("empty")
    return "csv"


def check_file(path) -> str:
    """The format of the file at `path` after checking its size and its content; raises
    FileRefused when it is too large, empty or not a spreadsheet."""
    size = os.path.getsize(path)
    if size > MAX_BYTES:
        raise FileRefused(
            _(
                "This file is too large (%(size)s; the limit is %(limit)s). Split it into "
                "several files, for instance one per year, and import them one after the other."
            )
            % {"size": filesizeformat(size), "limit": filesizeformat(MAX_BYTES)}
        )
    with open(path, "rb") as handle:
        head = handle.read(SNIFF_BYTES)
    if head.startswith(_LOCAL_HEADER) and len(head) == SNIFF_BYTES:
        # A large ZIP: its directory, at the end, tells what it holds.
        try:
            with zipfile.ZipFile(path) as archive:
                names = archive.namelist()
        except (zipfile.BadZipFile, OSError) as error:
            raise _refuse("damaged") from error
        found = _zip_format(names, True, head)
        if found is None:
            raise _refuse("zip")
    else:
        found = sniff_format(head)
    if found != "csv":
        stat = os.stat(path)
        _check_zip(os.fspath(path), stat.st_size, stat.st_mtime_ns, found)
    return found


@lru_cache(maxsize=16)
def _check_zip(path: str, size: int, mtime_ns: int, file_format: str) -> None:
    """The bounds of a workbook, checked once per file version (raises FileRefused, which is
    not cached: a refused file is checked again, and refused again)."""
    from . import limits

    limits.check_zip(path, file_format)


# --- Sheets -------------------------------------------------------------------------------------


def _workbook(path):
    from python_calamine import CalamineWorkbook

    try:
        return CalamineWorkbook.from_path(os.fspath(path))
    except Exception as error:  # calamine raises its own errors, and ValueError/OSError
        raise _refuse("damaged") from error


def _worksheet_names(workbook) -> list[str]:
    from python_calamine import SheetTypeEnum, SheetVisibleEnum

    return [
        meta.name
        for meta in workbook.sheets_metadata
        if meta.typ == SheetTypeEnum.WorkSheet and meta.visible == SheetVisibleEnum.Visible
    ] or list(workbook.sheet_names)


def sheet_names(path) -> list[str]:
    """The visible worksheets of a workbook, in order; [] for a CSV file."""
    if check_file(path) == "csv":
        return []
    workbook = _workbook(path)
    try:
        return _worksheet_names(workbook)
    finally:
        workbook.close()


def _pick_sheet(names: list[str], wanted: str) -> str:
    if not wanted:
        return names[0]
    if wanted in names:
        return wanted
    by_label = {normalise_label(name): name for name in names}
    if normalise_label(wanted) in by_label:
        return by_label[normalise_label(wanted)]
    raise FileRefused(
        _("This workbook has no sheet named “%(sheet)s”. Choose one of its sheets: %(names)s.")
        % {"sheet": wanted, "names": ", ".join(f"“{name}”" for name in names)}
    )


def _spreadsheet_value(value):
    """A calamine value as the rows give it: stripped text, int for whole numbers, None."""
    if value.__class__ is str:
        return value.strip() or None
    if value.__class__ is float:
        return int(value) if value.is_integer() and abs(value) < 2**53 else value
    return value


def _spreadsheet_records(path, sheet: str) -> Iterator[tuple[int, list]]:
    workbook = _workbook(path)
    try:
        try:
            worksheet = workbook.get_sheet_by_name(sheet)
        except Exception as error:
            raise _refuse("damaged") from error
    finally:
        workbook.close()
    # calamine yields the rows from the sheet's first line (the empty ones above the data too),
    # so the position is the line number the spreadsheet shows.
    yield from enumerate(worksheet.iter_rows(), start=1)


# --- CSV ----------------------------------------------------------------------------------------


def _csv_encoding(path) -> str:
    """ "utf-8-sig", "utf-16", "utf-8" when the whole file decodes as UTF-8, else "cp1252"."""
    with open(path, "rb") as handle:
        start = handle.read(4)
        if start.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return "utf-16"
        handle.seek(0)
        bom = start.startswith(codecs.BOM_UTF8)
        decoder = codecs.getincrementaldecoder("utf-8")()
        try:
            while chunk := handle.read(1024 * 1024):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
            return "utf-8-sig" if bom else "utf-8"
        except UnicodeDecodeError:
            if bom:
                raise _refuse("encoding") from None
        handle.seek(0)
        try:
            while chunk := handle.read(1024 * 1024):
                chunk.decode("cp1252")
        except UnicodeDecodeError:
            raise _refuse("encoding") from None
    return "cp1252"


def _detect_delimiter(sample: str) -> str:
    """The delimiter under which the most rows of the sample have the same number (> 1) of
    fields; a title row, blank rows or a comma inside a text do not mislead it."""
    lines = sample.splitlines()
    if lines and (declared := _DECLARED_DELIMITER.fullmatch(lines[0].strip().strip('"'))):
        return declared.group(1)  # Excel's "sep=;" first line
    if len(sample) >= SNIFF_BYTES // 2 and len(lines) > 1:
        lines = lines[:-1]  # the last line may be cut
    lines = [line for line in lines if line.strip()][: HEADER_SEARCH_ROWS * 2]
    best, best_score = DELIMITERS[0], (0, 0)
    for delimiter in DELIMITERS:
        counts = Counter(len(row) for row in csv.reader(lines, delimiter=delimiter) if len(row) > 1)
        if not counts:
            continue
        width, rows = max(counts.items(), key=lambda item: (item[1], item[0]))
        if (rows, width) > best_score:
            best, best_score = delimiter, (rows, width)
    return best


def _csv_records(path, encoding: str, delimiter: str) -> Iterator[tuple[int, list]]:
    with open(path, encoding=encoding, newline="") as handle:
        reader = csv.reader(handle, delimiter=delimiter)
        previous = 0
        try:
            for values in reader:
                yield previous + 1, values
                previous = reader.line_num
        except csv.Error as error:
            raise FileRefused(
                _(
                    "Line %(line)s of this CSV file cannot be read (%(error)s). Check the "
                    "quotes on that line, or save the file again from your spreadsheet program."
                )
                % {"line": previous + 1, "error": error}
            ) from error


# --- The table ----------------------------------------------------------------------------------


def _is_blank(values) -> bool:
    for value in values:
        if value is None or value == "":
            continue
        if value.__class__ is str and not value.strip():
            continue
        return False
    return True


def _header_score(values, known_headers: Collection[str]) -> int:
    return sum(
        1 for value in values if value is not None and normalise_label(value) in known_headers
    )


def _text_cells(values) -> int:
    return sum(1 for value in values if isinstance(value, str) and value.strip())


def _pick_header(candidates: list[tuple[int, list]], known_headers: Collection[str]):
    if known_headers:
        scored = [
            (_header_score(values, known_headers), index)
            for index, (_line, values) in enumerate(candidates)
        ]
        best = max(scored, key=lambda item: (item[0], -item[1]), default=(0, 0))
        if best[0] > 0:
            return best[1]
    for index, (_line, values) in enumerate(candidates):
        if _text_cells(values) >= 2:
            return index
    raise FileRefused(
        _(
            "No header row was found in the first %(count)s rows of this file. The table needs "
            "a row of column names (for instance Nom, Prénom, Date de naissance) above its data."
        )
        % {"count": HEADER_SEARCH_ROWS}
    )


def _unique_header(values) -> list[str]:
    header = [clean_header(value)[:HEADER_LENGTH].rstrip() for value in values]
    while header and not header[-1]:
        header.pop()
    seen = Counter()
    unique = []
    for name in header:
        seen[name] += 1
        unique.append(f"{name} ({seen[name]})" if name and seen[name] > 1 else name)
    return unique


def _csv_rows(records: Iterable[tuple[int, list]], width: int) -> Iterator[Row]:
    for line, values in records:
        cells = [value.strip() or None for value in values[:width]]
        if not any(cells):
            continue
        if len(cells) < width:
            cells.extend([None] * (width - len(cells)))
        yield Row(line, tuple(cells))


def _spreadsheet_rows(records: Iterable[tuple[int, list]], width: int) -> Iterator[Row]:
    convert = _spreadsheet_value
    for line, values in records:
        cells = [convert(value) for value in values[:width]]
        if all(value is None for value in cells):
            continue
        if len(cells) < width:
            cells.extend([None] * (width - len(cells)))
        yield Row(line, tuple(cells))


def open_table(path, *, sheet: str = "", known_headers: Collection[str] = ()) -> Table:
    """The table of a CSV file or of one sheet of a workbook (the first visible one by default),
    with its header row detected: among the first 30 non-blank rows, the one with the most
    cells in `known_headers` (normalised with `normalise_label`), else the first row with two
    text cells. Raises FileRefused when the file cannot be read as a table."""
    file_format = check_file(path)
    encoding = delimiter = None
    if file_format == "csv":
        encoding = _csv_encoding(path)
        with open(path, encoding=encoding, newline="") as handle:
            sample = handle.read(SNIFF_BYTES)
        delimiter = _detect_delimiter(sample)
        records = _csv_records(path, encoding, delimiter)
        sheet = ""
    else:
        workbook = _workbook(path)
        try:
            names = _worksheet_names(workbook)
        finally:
            workbook.close()
        if not names:
            raise _refuse("empty")
        sheet = _pick_sheet(names, sheet)
        records = _spreadsheet_records(path, sheet)

    records = _bounded(records)
    known = (
        known_headers if isinstance(known_headers, set | frozenset | dict) else set(known_headers)
    )
    candidates = list(
        islice((record for record in records if not _is_blank(record[1])), HEADER_SEARCH_ROWS)
    )
    if not candidates:
        records.close()
        raise FileRefused(
            _(
                "This file has no rows to import. Check that you chose the right file (or "
                "sheet) and that it was saved with its rows."
            )
        )
    try:
        index = _pick_header(candidates, known)
    except FileRefused:
        records.close()
        raise
    header_line, header_values = candidates[index]
    header = _unique_header(header_values)
    rest = chain(candidates[index + 1 :], records)
    builder = _csv_rows if file_format == "csv" else _spreadsheet_rows
    return Table(
        format=file_format,
        sheet=sheet,
        header=header,
        header_line=header_line,
        encoding=encoding,
        delimiter=delimiter,
        rows=_closing(builder(rest, len(header)), records),
    )


def _bounded(records: Iterator[tuple[int, list]]) -> Iterator[tuple[int, list]]:
    """The records, refused (FileRefused) past the row, column or cell limits. A workbook's
    reach was checked before it was opened; a CSV file is counted as it is read."""
    from .limits import count_refusal, limits

    bounds = limits()
    cells = 0
    try:
        for line, values in records:
            width = len(values)
            cells += width
            if width > bounds.columns:
                raise count_refusal("columns", width)
            if line > bounds.rows:
                raise count_refusal("rows", bounds.rows)
            if cells > bounds.cells:
                raise count_refusal("cells", bounds.cells)
            yield line, values
    finally:
        records.close()


def _closing(rows: Iterator[Row], records) -> Iterator[Row]:
    """The rows, closing the file underneath when they are closed or exhausted."""
    try:
        yield from rows
    finally:
        records.close()


__all__ = [
    "MAX_BYTES",
    "FileRefused",
    "Row",
    "Table",
    "check_file",
    "clean_header",
    "normalise_label",
    "open_table",
    "sheet_names",
    "sniff_format",
]
