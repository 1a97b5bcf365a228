"""Bounds on what an import file may hold, checked before any spreadsheet reader allocates.

python-calamine reads a sheet into one dense rectangle, from its first to its last cell: a
single cell at XFD1048576 in a 1.6 KB workbook asks for 17 billion cells and aborts the whole
process (SIGABRT, which Python cannot catch), and a 6 MB workbook may unzip to gigabytes. So a
ZIP-based file (XLSX, ODS) is checked first, with the standard library only:

- the ZIP directory: how many members, the sum of their uncompressed sizes, and how much each
  inflates (more than a hundred times: a zip bomb);
- every member, decompressed here as a stream and counted (a member that inflates to more than
  its directory says is refused: the Rust reader would read it all);
- the sheets: their declared `<dimension ref>` (XLSX) and the reach of their cells, as the reader
  would place them: cell references (XLSX) or the repetitions `table:number-rows-repeated` and
  `table:number-columns-repeated` of non-empty cells (ODS).

The reach (last row times last column) must stay within `IMPORT_MAX_ROWS`, `IMPORT_MAX_COLUMNS` and
`IMPORT_MAX_CELLS`, the uncompressed size within `IMPORT_MAX_UNCOMPRESSED_BYTES`. CSV files are
streamed: `readers` counts their rows, columns and cells as it reads them.

An XLSX sheet is scanned with a few byte-level searches per megabyte (Excel, LibreOffice and
openpyxl write `<c r="B7" …>` for every cell); a sheet whose cells are written otherwise (no
reference, another attribute first, lower case…) is parsed with expat, slower but exact.
"""

import re
import struct
import zipfile
import zlib
from dataclasses import dataclass
from xml.parsers import expat

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.formats import number_format
from django.utils.translation import gettext as _

CHUNK = 1024 * 1024
MAX_MEMBERS = 10_000  # a workbook has a few dozen parts; a directory of millions costs memory
BOMB_RATIO = 100  # uncompressed / compressed size of a part
BOMB_MIN_SIZE = 1024 * 1024  # a smaller part may inflate as it likes
XLSX_SHEET = re.compile(r"xl/worksheets/[^/]+\.xml", re.IGNORECASE)
TABLE_NS = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
OFFICE_NS = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"


@dataclass(frozen=True)
class Limits:
    rows: int
    columns: int
    cells: int
    uncompressed: int


def limits() -> Limits:
    """The limits in force (settings are read at each call: tests may change them)."""
    return Limits(
        rows=getattr(settings, "IMPORT_MAX_ROWS", 500_000),
        columns=getattr(settings, "IMPORT_MAX_COLUMNS", 500),
        cells=getattr(settings, "IMPORT_MAX_CELLS", 5_000_000),
        uncompressed=getattr(settings, "IMPORT_MAX_UNCOMPRESSED_BYTES", 200 * 1024 * 1024),
    )


def _refused(message: str):
    from .readers import FileRefused

    return FileRefused(message)


def _damaged():
    from .readers import _refuse

    return _refuse("damaged")


def _number(value: int) -> str:
    return number_format(value, force_grouping=True)


def extent_refusal(found: str):
    """The file reaches `found` ("1,048,576 rows and 16,384 columns"), over the limits."""
    bounds = limits()
    return _refused(
        _(
            "This file is too large to be read: it reaches %(found)s. An import file may have "
            "at most %(rows)s rows, %(columns)s columns and %(cells)s cells. Delete the empty "
            "rows and columns at the end of the table (a single cell far down or far to the "
            "right counts), or split the file into several files, and import them one after "
            "the other."
        )
        % {
            "found": found,
            "rows": _number(bounds.rows),
            "columns": _number(bounds.columns),
            "cells": _number(bounds.cells),
        }
    )


def reach_refusal(rows: int, columns: int):
    return extent_refusal(
        _("%(rows)s rows and %(columns)s columns")
        % {"rows": _number(rows), "columns": _number(columns)}
    )


def count_refusal(kind: str, count: int):
    """A CSV file refused while it is read: "columns" (in one row), "rows" or "cells"."""
    texts = {
        "columns": _("a row of %(count)s columns"),
        "rows": _("more than %(count)s rows"),
        "cells": _("more than %(count)s cells"),
    }
    return extent_refusal(texts[kind] % {"count": _number(count)})


def check_extent(rows: int, columns: int) -> None:
    bounds = limits()
    if rows > bounds.rows or columns > bounds.columns or rows * columns > bounds.cells:
        raise reach_refusal(rows, columns)


def _size_refusal(size: int):
    return _refused(
        _(
            "This spreadsheet is too large once uncompressed (%(size)s; the limit is "
            "%(limit)s). Delete what the import does not need (other sheets, images, empty "
            "rows and columns), or split it into several files, and import them one after "
            "the other."
        )
        % {"size": filesizeformat(size), "limit": filesizeformat(limits().uncompressed)}
    )


def _bomb_refusal(info: zipfile.ZipInfo):
    return _refused(
        _(
            "This file unzips to %(size)s from %(compressed)s, far more than a spreadsheet "
            "does: it cannot be read safely. Open it in your spreadsheet program, save it "
            "again, and upload the new file."
        )
        % {
            "size": filesizeformat(info.file_size),
            "compressed": filesizeformat(info.compress_size),
        }
    )


# --- The ZIP container ---------------------------------------------------------------------------

_END_OF_DIRECTORY = b"PK\x05\x06"


def _member_count(path) -> int:
    """The number of members the end-of-directory record announces (before zipfile reads the
    directory into memory)."""
    with open(path, "rb") as handle:
        handle.seek(0, 2)
        size = handle.tell()
        handle.seek(max(0, size - 65_557))
        tail = handle.read()
    position = tail.rfind(_END_OF_DIRECTORY)
    if position < 0 or len(tail) < position + 22:
        raise _damaged()
    return struct.unpack("<H", tail[position + 10 : position + 12])[0]


def _member_chunks(handle, info: zipfile.ZipInfo, budget: int):
    """The decompressed bytes of one member, by chunks; refused when it inflates beyond what
    the directory says, or beyond `budget`."""
    handle.seek(info.header_offset)
    fixed = handle.read(30)
    if len(fixed) < 30 or fixed[:4] != b"PK\x03\x04":
        raise _damaged()
    name_length, extra_length = struct.unpack("<HH", fixed[26:30])
    handle.seek(info.header_offset + 30 + name_length + extra_length)
    if info.flag_bits & 0x1:
        raise _damaged()  # encrypted
    if info.compress_type == zipfile.ZIP_STORED:
        decompress = None
    elif info.compress_type == zipfile.ZIP_DEFLATED:
        decompress = zlib.decompressobj(-15)
    else:
        raise _damaged()
    left = info.compress_size
    produced = 0
    limit = min(info.file_size, budget)
    while left > 0:
        raw = handle.read(min(CHUNK, left))
        if not raw:
            raise _damaged()
        left -= len(raw)
        pending = raw
        while pending:
            if decompress is None:
                data, pending = pending, b""
            else:
                try:
                    data = decompress.decompress(pending, CHUNK)
                except zlib.error as error:
                    raise _damaged() from error
                pending = decompress.unconsumed_tail
            produced += len(data)
            if produced > limit:
                if produced > budget:
                    raise _size_refusal(produced)
                raise _damaged()  # more than the directory says
            if data:
                yield data
            if decompress is not None and decompress.eof:
                return


def check_zip(path, file_format: str) -> None:
    """Refuse an XLSX or ODS file whose parts or sheets exceed the limits (FileRefused)."""
    bounds = limits()
    if _member_count(path) > MAX_MEMBERS:
        raise _damaged()
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise _damaged() from error
    with archive:
        members = archive.infolist()
    if len(members) > MAX_MEMBERS:
        raise _damaged()
    declared = sum(info.file_size for info in members)
    if declared > bounds.uncompressed:
        raise _size_refusal(declared)
    for info in members:
        # As Apache POI does: a part that inflates more than a hundred times is a zip bomb
        # (spreadsheets' XML compresses ten to twenty times).
        if info.file_size > BOMB_MIN_SIZE and info.file_size > BOMB_RATIO * info.compress_size:
            raise _bomb_refusal(info)
    budget = bounds.uncompressed
    with open(path, "rb") as handle:
        for info in members:
            if info.is_dir():
                continue
            if file_format == "xlsx" and XLSX_SHEET.fullmatch(info.filename):
                scan = XlsxScan()
            elif file_format == "ods" and info.filename == "content.xml":
                scan = OdsScan()
            else:
                scan = None
            used = 0
            for data in _member_chunks(handle, info, budget):
                used += len(data)
                if scan is not None:
                    scan.feed(data)
            budget -= used
            if scan is None:
                continue
            rows, columns = scan.close()
            if rows == -1:  # the quick scan could not vouch for this sheet: read it exactly
                scan = XlsxExactScan()
                for data in _member_chunks(handle, info, bounds.uncompressed):
                    scan.feed(data)
                rows, columns = scan.close()
            check_extent(rows, columns)


# --- XLSX sheets ---------------------------------------------------------------------------------


def column_number(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number


def column_letters(number: int) -> str:
    letters = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _above(value: str, alphabet: str) -> str:
    """A regular expression matching the strings of `alphabet` ("0-9" or "A-Z") that stand for
    a number greater than `value` (same length and greater, or longer)."""
    high = alphabet.split("-")[1]
    any_char = f"[{alphabet}]"
    choices = [f"{any_char}{{{len(value) + 1},}}"]
    for index, char in enumerate(value):
        if char == high:
            continue
        following = f"{any_char}{{{len(value) - index - 1}}}" if index < len(value) - 1 else ""
        nxt = chr(ord(char) + 1)
        choices.append(f"{re.escape(value[:index])}[{nxt}-{high}]{following}")
    return "(?:" + "|".join(choices) + ")"


_DIMENSION = re.compile(rb"<(?:[\w.-]+:)?dimension\s+ref\s*=\s*[\"']([^\"']*)[\"']")
_REFERENCE = re.compile(r"\$?([A-Z]{1,4})\$?([0-9]{1,8})")
_PREFIX = re.compile(rb"<([\w.-]+:)?(?:worksheet|sheetData)\b")


def _parse_reference(text: str) -> tuple[int, int]:
    """(row, column) of "B7"; (0, 0) when it is not a cell reference."""
    match = _REFERENCE.fullmatch(text.strip().upper())
    if not match:
        return 0, 0
    return int(match.group(2)), column_number(match.group(1))


class XlsxScan:
    """How far a sheet's cells reach, from byte searches; `close()` gives (rows, columns), or
    (-1, -1) when a cell is not written `<c r="A1"…` and the exact scan is needed."""

    def __init__(self):
        self.pending = b""
        self.started = False
        self.exact = True
        self.max_row = 0
        self.max_column = 0
        self.declared = (0, 0)

    def _start(self, data: bytes) -> None:
        match = _PREFIX.search(data)
        prefix = match.group(1) or b"" if match else b""
        # A prefixed sheet (`<x:c r=…>`) is left to the exact scan, as is any cell tag not
        # followed by ` r="` (no reference, another attribute first, a tab…).
        self.prefixed = bool(prefix)
        self.row_numbers = re.compile(
            rb"<" + re.escape(prefix) + rb"row\b[^>]*?\sr\s*=\s*[\"']([0-9]{1,12})[\"']"
        )
        self.cell_columns = re.compile(rb'<c r="([A-Z]{1,3})[0-9]')
        dimension = _DIMENSION.search(data)
        if dimension:
            last = dimension.group(1).decode("ascii", "replace").split(":")[-1]
            self.declared = _parse_reference(last)
        self.started = True

    def feed(self, data: bytes) -> None:
        if not self.exact:
            return
        data = self.pending + data
        cut = data.rfind(b">") + 1
        self.pending = data[cut:]
        if cut:
            self._scan(data[:cut])
        if len(self.pending) > CHUNK:
            # A megabyte without a tag's end (padding, a huge attribute): expat streams it.
            self.exact, self.pending = False, b""

    def _scan(self, data: bytes) -> None:
        if not self.started:
            self._start(data)
        if not self.exact:
            return
        if self.prefixed or b':c r="' in data:
            self.exact = False
            return
        numbers = self.row_numbers.findall(data)
        if numbers:
            self.max_row = max(self.max_row, max(int(number) for number in numbers))
        while True:
            # One search per chunk finds a cell written otherwise than `<c r="AB12"`, a cell
            # beyond the last <row r> seen (both for the exact scan), or one further right.
            found = self._pattern().search(data)
            if found is None:
                return
            if found.group(1) is None:
                self.exact = False
                return
            columns = self.cell_columns.findall(data)
            self.max_column = max(column_number(letters.decode()) for letters in columns)

    def _pattern(self):
        key = (self.max_row, self.max_column)
        if getattr(self, "_cached", (None,))[0] != key:
            row = _above(str(self.max_row), "0-9")
            column = _above(column_letters(self.max_column), "A-Z") if self.max_column else "[A-Z]+"
            pattern = (
                rb'<c(?:[\t\n\r/>]| (?!r="[A-Z]{1,3}[1-9][0-9]{0,6}")'
                + rb'| r="(?:[A-Z]{1,3}'
                + row.encode()
                + rb'"|('
                + column.encode()
                + rb")[0-9]))"
            )
            self._cached = (key, re.compile(pattern))
        return self._cached[1]

    def close(self) -> tuple[int, int]:
        if self.exact and self.pending.strip():
            self._scan(self.pending + b">")
        if not self.exact:
            return -1, -1
        rows = max(self.max_row, self.declared[0])
        columns = max(self.max_column, self.declared[1])
        return rows, columns


class XlsxExactScan:
    """How far a sheet's cells reach, placed as the reader places them (expat)."""

    def __init__(self):
        self.parser = expat.ParserCreate(namespace_separator=" ")
        self.parser.StartElementHandler = self._start
        self.row = 0
        self.column = 0
        self.max_row = 0
        self.max_column = 0
        self.declared = (0, 0)
        self.bounds = limits()

    @staticmethod
    def _local(name: str) -> str:
        return name.rsplit(" ", 1)[-1]

    def _start(self, name, attributes) -> None:
        local = self._local(name)
        reference = next(
            (value for key, value in attributes.items() if self._local(key) == "r"), None
        )
        if local == "row":
            self.row = int(reference) if reference and reference.isdigit() else self.row + 1
            self.column = 0
        elif local == "c":
            if reference:
                row, column = _parse_reference(reference)
                if not row:
                    raise _damaged()
                self.row, self.column = row, column
            else:
                self.column += 1
            self.max_row = max(self.max_row, self.row)
            self.max_column = max(self.max_column, self.column)
        elif local == "dimension":
            reference = next(
                (value for key, value in attributes.items() if self._local(key) == "ref"), ""
            )
            self.declared = _parse_reference(reference.split(":")[-1])
        self._check()

    def _check(self) -> None:
        bounds = self.bounds
        if self.max_row > bounds.rows or self.max_column > bounds.columns:
            raise reach_refusal(self.max_row, self.max_column)

    def feed(self, data: bytes) -> None:
        try:
            self.parser.Parse(data, False)
        except expat.ExpatError as error:
            raise _damaged() from error

    def close(self) -> tuple[int, int]:
        try:
            self.parser.Parse(b"", True)
        except expat.ExpatError as error:
            raise _damaged() from error
        return max(self.max_row, self.declared[0]), max(self.max_column, self.declared[1])


# --- ODS tables ----------------------------------------------------------------------------------


class OdsScan:
    """How far the tables' non-empty cells reach, repetitions counted (expat). Empty cells and
    rows repeated to the sheet's end, as LibreOffice writes them, reach nothing."""

    def __init__(self):
        self.parser = expat.ParserCreate(namespace_separator=" ")
        self.parser.StartElementHandler = self._start
        self.parser.EndElementHandler = self._end
        self.row = 0  # rows before the current one, in the current table
        self.column = 0
        self.row_repeat = 1
        self.row_filled = False
        self.cell = None  # (first column, repeat, filled) of the cell being read
        self.depth_in_cell = 0
        self.max_row = 0
        self.max_column = 0

    def _start(self, name, attributes) -> None:
        namespace, _sep, local = name.rpartition(" ")
        if self.cell is not None:
            self.depth_in_cell += 1
            self.cell[2] = True  # a paragraph, an annotation…: the cell has content
            return
        if namespace != TABLE_NS:
            return
        if local == "table":
            self.row = 0
        elif local == "table-row":
            self.row_repeat = self._repeat(attributes, "number-rows-repeated")
            self.column = 0
            self.row_filled = False
        elif local in ("table-cell", "covered-table-cell"):
            repeat = self._repeat(attributes, "number-columns-repeated")
            filled = f"{OFFICE_NS} value-type" in attributes
            self.cell = [self.column, repeat, filled]
            self.depth_in_cell = 0

    @staticmethod
    def _repeat(attributes, name: str) -> int:
        value = attributes.get(f"{TABLE_NS} {name}", "1")
        try:
            return max(1, int(value))
        except ValueError:
            raise _damaged() from None

    def _end(self, name) -> None:
        if self.cell is not None and self.depth_in_cell:
            self.depth_in_cell -= 1
            return
        namespace, _sep, local = name.rpartition(" ")
        if namespace != TABLE_NS:
            return
        if local in ("table-cell", "covered-table-cell") and self.cell is not None:
            first, repeat, filled = self.cell
            self.cell = None
            self.column = first + repeat
            if filled:
                self.row_filled = True
                self.max_column = max(self.max_column, self.column)
                if self.max_column > limits().columns:
                    raise reach_refusal(self.row + 1, self.max_column)
        elif local == "table-row":
            if self.row_filled:
                self.max_row = max(self.max_row, self.row + self.row_repeat)
                if self.max_row > limits().rows:
                    raise reach_refusal(self.max_row, self.max_column)
            self.row += self.row_repeat

    def feed(self, data: bytes) -> None:
        try:
            self.parser.Parse(data, False)
        except expat.ExpatError as error:
            raise _damaged() from error

    def close(self) -> tuple[int, int]:
        try:
            self.parser.Parse(b"", True)
        except expat.ExpatError as error:
            raise _damaged() from error
        return self.max_row, self.max_column
