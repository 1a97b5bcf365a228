"""Reading CSV, XLSX and ODS files as the structures keep them (fixtures built here)."""

import datetime
import gc

import pytest

from maillage.imports import readers
from maillage.imports.readers import (
    FileRefused,
    Row,
    check_file,
    normalise_label,
    open_table,
    sheet_names,
    sniff_format,
)
from tests.imports.files import (
    Formula,
    csv_bytes,
    csv_text,
    docx_bytes,
    ods_bytes,
    pdf_bytes,
    png_bytes,
    write,
    xls_bytes,
    xlsx_bytes,
)

TITLE = [("Suivi des actes 2025 — Intermade",), ()]
HEADER = ("  N° dossier ", "Nom", "Prénom", " Date du   RDV", "Durée", None, None)
ROWS = [
    HEADER,
    ("D-001", "Lefèvre", "Élodie", "31/01/2025", "1h30"),
    (),
    ("D-002", "Nguyễn", "François", "2025-02-03", "90", None, None),
    ("D-003", "Ça", "Zoé, Anaïs", "04/02/2025", "1,5"),
    (),
    (),
]
EXPECTED_HEADER = ["N° dossier", "Nom", "Prénom", "Date du RDV", "Durée"]


def _cp1252_rows():
    # Windows-1252 has no "ễ": Excel would have written a "?"; the other accents are kept.
    return [tuple(str(v).replace("ễ", "e") if v else v for v in row) for row in ROWS]


# --- CSV: every encoding and separator ---------------------------------------------------------


@pytest.mark.parametrize("delimiter", [";", ",", "\t"])
@pytest.mark.parametrize(
    ("encoding", "bom", "expected_encoding"),
    [
        ("utf-8", False, "utf-8"),
        ("utf-8", True, "utf-8-sig"),
        ("cp1252", False, "cp1252"),
        ("utf-16", False, "utf-16"),
    ],
)
def test_csv_in_each_encoding_and_separator(tmp_path, encoding, bom, expected_encoding, delimiter):
    rows = _cp1252_rows() if encoding == "cp1252" else ROWS
    data = csv_bytes(rows, encoding=encoding, bom=bom, delimiter=delimiter, preamble=TITLE)
    path = write(tmp_path, "actes.txt", data)

    table = open_table(path)

    assert (table.format, table.encoding, table.delimiter) == ("csv", expected_encoding, delimiter)
    assert table.sheet == ""
    assert table.header == EXPECTED_HEADER
    assert table.header_line == 3  # a title row and a blank row above it
    rows = list(table.rows)
    assert [row.line for row in rows] == [4, 6, 7]  # the blank line 5 is skipped, not counted away
    last_name = "Nguyen" if encoding == "cp1252" else "Nguyễn"
    assert rows[0] == Row(4, ("D-001", "Lefèvre", "Élodie", "31/01/2025", "1h30"))
    assert rows[1].cells == ("D-002", last_name, "François", "2025-02-03", "90")
    assert rows[2].cells == ("D-003", "Ça", "Zoé, Anaïs", "04/02/2025", "1,5")


def test_csv_with_commas_inside_cells_keeps_the_semicolon(tmp_path):
    rows = [("Nom", "Secteur", "Note")] + [
        ("Dupont", "Alimentation, agriculture", "a, b, c, d, e, f")
    ] * 5
    path = write(tmp_path, "f.csv", csv_bytes(rows, delimiter=";"))

    table = open_table(path)

    assert table.delimiter == ";"
    assert next(table.rows).cells == ("Dupont", "Alimentation, agriculture", "a, b, c, d, e, f")
    table.close()


def test_csv_quoted_multiline_cells_keep_the_line_numbers(tmp_path):
    text = csv_text(
        [
            ("Nom", "Commentaire", "Date"),
            ("Dupont", "premier\nsecond\ntroisième", "01/02/2025"),
            ("Martin", "court", "02/02/2025"),
            ("Durand", 'il a dit "oui"\net puis', "03/02/2025"),
            ("Bernard", "", "04/02/2025"),
        ],
        newline="\n",
    )
    path = write(tmp_path, "f.csv", text.encode())

    rows = list(open_table(path).rows)

    # Lines as a text editor shows them: Dupont's record spans lines 2-4.
    assert [(row.line, row.cells[0]) for row in rows] == [
        (2, "Dupont"),
        (5, "Martin"),
        (6, "Durand"),
        (8, "Bernard"),
    ]
    assert rows[0].cells[1] == "premier\nsecond\ntroisième"


def test_csv_short_rows_are_padded_and_extra_cells_dropped(tmp_path):
    text = "Nom;Prénom;Date\r\nDupont\r\nMartin;Zoé;01/02/2025;en trop;encore\r\n ; ; \r\n"
    path = write(tmp_path, "f.csv", text.encode())

    table = open_table(path)

    assert [row.cells for row in table.rows] == [
        ("Dupont", None, None),
        ("Martin", "Zoé", "01/02/2025"),
    ]  # the row of spaces is blank


def test_duplicate_headers_are_told_apart(tmp_path):
    path = write(tmp_path, "f.csv", b"Nom;Date;Date;Commentaire\r\na;1;2;3\r\n")

    assert open_table(path).header == ["Nom", "Date", "Date (2)", "Commentaire"]


def test_csv_undecodable_text_is_refused(tmp_path):
    # 0x81 and 0x8d are neither UTF-8 nor Windows-1252.
    path = write(tmp_path, "f.csv", b"Nom;Pr\x81nom\r\nDupont;Zo\x8d\r\n")

    with pytest.raises(FileRefused) as refused:
        open_table(path)
    assert "UTF-8" in refused.value.message


def test_csv_of_windows_1252_whose_head_looks_like_utf8(tmp_path):
    # The é that is not UTF-8 comes after the first megabyte: the whole file is checked.
    head = "Nom;Prénom\r\n" + "Dupont;Camille\r\n" * 80_000
    data = head.encode("utf-8") + "Durand;Zoé\r\n".encode("cp1252")
    path = write(tmp_path, "f.csv", data)

    table = open_table(path)

    assert table.encoding == "cp1252"
    assert table.header == ["Nom", "PrÃ©nom"]  # what the bytes are in Windows-1252
    *_rest, last = table.rows
    assert last.cells == ("Durand", "Zoé")


# --- XLSX and ODS ------------------------------------------------------------------------------


def _workbook_rows():
    return [
        ("Suivi des actes 2025",),
        (),
        (None, None, None, None, None, None),
        ("  Nom ", "Date du RDV", "Date de naissance", "Durée", "Calcul", "Sans valeur", None),
        ("Dupont", datetime.date(2025, 1, 31), 33000, datetime.time(1, 30), Formula("1+1", 2)),
        (),
        ("Martin", datetime.datetime(2025, 2, 3, 10, 0), "12/05/1990", 1.5, Formula("1+1"), None),
        ("  Zoé  ", None, None, None, Formula('"a"&"b"', "ab"), Formula("1+1")),
        (None, None, None, None, None, None),
    ]


@pytest.mark.parametrize(("fmt", "builder"), [("xlsx", xlsx_bytes), ("ods", ods_bytes)])
def test_workbook_rows_types_and_lines(tmp_path, fmt, builder):
    path = write(tmp_path, "actes.csv", builder({"Actes 2025": _workbook_rows()}))  # name lies

    table = open_table(path)

    assert (table.format, table.sheet, table.encoding, table.delimiter) == (
        fmt,
        "Actes 2025",
        None,
        None,
    )
    assert table.header == [
        "Nom",
        "Date du RDV",
        "Date de naissance",
        "Durée",
        "Calcul",
        "Sans valeur",
    ]
    assert table.header_line == 4
    rows = list(table.rows)
    assert [row.line for row in rows] == [5, 7, 8]
    assert rows[0].cells == (
        "Dupont",
        datetime.date(2025, 1, 31),
        33000,
        datetime.time(1, 30),
        2,
        None,
    )
    assert rows[1].cells == (
        "Martin",
        datetime.datetime(2025, 2, 3, 10, 0),
        "12/05/1990",
        1.5,
        None,  # a formula the file holds no value for is never computed
        None,
    )
    assert rows[2].cells == ("Zoé", None, None, None, "ab", None)
    assert isinstance(rows[0].cells[2], int)  # a whole number, not 33000.0


@pytest.mark.parametrize("builder", [xlsx_bytes, ods_bytes])
def test_formulas_are_never_evaluated(tmp_path, builder):
    sheet = [("Nom", "Total"), ("a", Formula("1+1")), ("b", Formula("SUM(1,2)", 7))]
    path = write(tmp_path, "f", builder({"S": sheet}))

    cells = [row.cells for row in open_table(path).rows]

    # No cached value: nothing (never 2); a cached value: that value, even a "wrong" one.
    assert cells == [("a", None), ("b", 7)]


@pytest.mark.parametrize("builder", [xlsx_bytes, ods_bytes])
def test_workbook_sheets(tmp_path, builder):
    path = write(
        tmp_path,
        "f",
        builder(
            {
                "Personnes": [("Nom", "Prénom"), ("Dupont", "Camille")],
                "Actes": [("Titre",), ("Nom", "Date"), ("Dupont", "01/02/2025")],
            }
        ),
    )

    assert sheet_names(path) == ["Personnes", "Actes"]
    assert open_table(path).sheet == "Personnes"  # the first sheet by default
    actes = open_table(path, sheet="Actes")
    assert (actes.sheet, actes.header, actes.header_line) == ("Actes", ["Nom", "Date"], 2)
    assert list(actes.rows) == [Row(3, ("Dupont", "01/02/2025"))]
    assert open_table(path, sheet="ACTES").sheet == "Actes"
    with pytest.raises(FileRefused) as refused:
        open_table(path, sheet="Orientations")
    assert "Orientations" in refused.value.message
    assert "Personnes" in refused.value.message


def test_sheet_names_of_a_csv_file(tmp_path):
    assert sheet_names(write(tmp_path, "f.csv", b"a;b\r\n1;2\r\n")) == []


def test_a_large_workbook_is_told_from_its_directory(tmp_path):
    rows = [("Nom", "Commentaire")] + [(f"n{i}", "x" * 40 + str(i)) for i in range(5000)]
    path = write(tmp_path, "f.bin", xlsx_bytes({"S": rows}))
    assert path.stat().st_size > readers.SNIFF_BYTES

    assert check_file(path) == "xlsx"
    assert sum(1 for _row in open_table(path).rows) == 5000


# --- Header detection --------------------------------------------------------------------------


def test_known_headers_pick_the_header_below_a_two_cell_title(tmp_path):
    rows = [
        ("Structure", "Intermade"),
        ("Année", "2025"),
        ("Nom", "Prénom", "Date de naissance"),
        ("Dupont", "Camille", "01/02/1990"),
    ]
    path = write(tmp_path, "f.csv", csv_bytes(rows))

    without = open_table(path)
    known = open_table(path, known_headers={"nom", "prenom", "date de naissance"})

    assert without.header_line == 1  # the first row with two text cells
    assert known.header_line == 3
    assert known.header == ["Nom", "Prénom", "Date de naissance"]
    assert [row.line for row in known.rows] == [4]


def test_known_headers_are_compared_normalised(tmp_path):
    rows = [("Export",), ("Liste", "des", "personnes"), ("NOM ", "prénom", "N° Dossier")]
    path = write(tmp_path, "f.csv", csv_bytes([*rows, ("a", "b", "c")]))

    table = open_table(path, known_headers=["nom", "prenom", "numero dossier"])

    assert table.header_line == 3


def test_a_file_without_header_row_is_refused(tmp_path):
    path = write(tmp_path, "f.csv", b"12\r\n13\r\n14\r\n")

    with pytest.raises(FileRefused) as refused:
        open_table(path)
    assert "30" in refused.value.message


@pytest.mark.parametrize(
    "data", [b"", b"\r\n\r\n  \r\n", b"\xef\xbb\xbf", csv_bytes([(), (None, None)])]
)
def test_an_empty_file_is_refused(tmp_path, data):
    with pytest.raises(FileRefused):
        open_table(write(tmp_path, "vide.csv", data))


def test_an_empty_workbook_sheet_is_refused(tmp_path):
    path = write(tmp_path, "f.xlsx", xlsx_bytes({"Vide": [], "Autre": [("a", "b")]}))

    with pytest.raises(FileRefused):
        open_table(path, sheet="Vide")


# --- Safety: content, not name; size ------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data", "word"),
    [
        ("actes.csv", pdf_bytes(), "PDF"),
        ("actes.xlsx", png_bytes(), None),
        ("actes.xlsx", xls_bytes(), ".xls"),
        ("actes.xls", xls_bytes(), ".xls"),
        ("actes.xlsx", docx_bytes(), ".xlsx"),
        ("actes.csv", bytes(range(256)) * 4, None),
    ],
)
def test_files_that_are_not_spreadsheets_are_refused_by_content(tmp_path, name, data, word):
    path = write(tmp_path, name, data)

    with pytest.raises(FileRefused) as refused:
        open_table(path)
    with pytest.raises(FileRefused):
        sniff_format(data)
    if word:
        assert word in refused.value.message


def test_sniff_format_from_the_first_bytes():
    workbook = xlsx_bytes({"S": [("a", "b")]})
    spreadsheet = ods_bytes({"S": [("a", "b")]})

    assert sniff_format(workbook) == "xlsx"
    assert sniff_format(spreadsheet) == "ods"
    assert sniff_format(spreadsheet[:200]) == "ods"  # its mimetype comes first
    assert sniff_format("Nom;Prénom\r\nZoé;É".encode("cp1252")) == "csv"
    assert sniff_format("Nom;Prénom\r\nZoé;É".encode()[:-1]) == "csv"  # a cut character
    assert sniff_format(csv_bytes([("a", "b")], encoding="utf-16", delimiter="\t")) == "csv"


def test_a_file_over_the_size_limit_is_refused(tmp_path, monkeypatch):
    path = write(tmp_path, "f.csv", csv_bytes([("Nom", "Prénom")] + [("Dupont", "Zoé")] * 100))
    monkeypatch.setattr(readers, "MAX_BYTES", 1000)

    with pytest.raises(FileRefused) as refused:
        open_table(path)
    with pytest.raises(FileRefused):
        sheet_names(path)
    assert "1000" in refused.value.message.replace("\xa0", "").replace(" ", "")


def test_a_damaged_workbook_is_refused(tmp_path):
    data = xlsx_bytes({"S": [("a", "b")]})
    path = write(tmp_path, "f.xlsx", data[: len(data) // 2] + b"\x00" * 100)

    with pytest.raises(FileRefused):
        open_table(path)


# --- Streaming ---------------------------------------------------------------------------------


def test_rows_are_streamed_and_an_abandoned_table_leaves_no_file_open(tmp_path):
    # Warnings are errors in the tests: an unclosed file would fail this test (ResourceWarning).
    path = write(tmp_path, "f.csv", csv_bytes([("Nom", "Prénom")] + [("a", "b")] * 1000))
    table = open_table(path)
    assert next(table.rows).line == 2
    del table
    gc.collect()

    with open_table(path) as table:
        assert next(table.rows).line == 2
    assert list(table.rows) == []


# --- Labels ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("  N° de   dossier ", "numero de dossier"),
        ("Nº dossier", "numero dossier"),
        ("No client", "numero client"),
        ("Num. adhérent", "numero adherent"),
        ("Numéro", "numero"),
        ("Date d'entrée", "date d entree"),
        ("Date d\u2019entrée", "date d entree"),
        ("DURÉE (h)", "duree h"),
        ("Cœur_de-cible", "coeur de cible"),
        ("Nom", "nom"),
        (None, ""),
    ],
)
def test_normalise_label(text, expected):
    assert normalise_label(text) == expected


@pytest.mark.parametrize("builder", [xlsx_bytes, ods_bytes])
def test_lines_count_empty_rows_above_the_table(tmp_path, builder):
    # Nothing at all above the header, and the table starting in column C.
    rows = [(), (), (), (None, None, "Nom", "Date"), (None, None, "Dupont", "01/02/2025")]
    path = write(tmp_path, "f", builder({"S": rows}))

    table = open_table(path)

    assert (table.header, table.header_line) == (["Nom", "Date"], 4)
    assert list(table.rows) == [Row(5, ("Dupont", "01/02/2025"))]


def test_csv_with_excel_separator_line(tmp_path):
    path = write(tmp_path, "f.csv", b"sep=,\r\nNom,Pr\xc3\xa9nom\r\nDupont;Martin,Zo\xc3\xa9\r\n")

    table = open_table(path)

    assert (table.delimiter, table.header, table.header_line) == (",", ["Nom", "Prénom"], 2)
    assert list(table.rows) == [Row(3, ("Dupont;Martin", "Zoé"))]


def test_a_workbook_saved_with_a_password_is_refused_as_such(tmp_path):
    data = xls_bytes() + "EncryptedPackage".encode("utf-16-le") + b"\x00" * 64

    with pytest.raises(FileRefused) as refused:
        open_table(write(tmp_path, "f.xlsx", data))
    assert ".xls" not in refused.value.message  # not mistaken for the old format
