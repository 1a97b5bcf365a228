import datetime
import io

import pytest
from openpyxl import load_workbook

from maillage.core.exports import Sheet, csv_response, neutralise, xlsx_response


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+33 6 00", "'+33 6 00"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("Intermade", "Intermade"),
        (None, ""),
        (42, "42"),
    ],
)
def test_cells_a_spreadsheet_would_run_are_neutralised(value, expected):
    assert neutralise(value) == expected


def test_csv_response_is_utf8_with_bom_and_semicolons():
    response = csv_response("x.csv", ["Nom", "Ville"], [("Têtes de l'Art", "=cmd")])
    assert response["Content-Disposition"] == 'attachment; filename="x.csv"'
    assert response.content.decode("utf-8") == "\ufeffNom;Ville\r\nTêtes de l'Art;'=cmd\r\n"


def test_xlsx_response_neutralises_text_and_keeps_numbers_and_dates_typed():
    response = xlsx_response(
        "x.xlsx",
        [
            Sheet(
                "Personnes",
                ["Nom", "Actes", "Depuis"],
                [("=HYPERLINK(1)", 3, datetime.date(2026, 1, 5))],
            ),
            Sheet("Définitions", ["Code"], [("-x",)]),
        ],
    )
    assert response["Content-Disposition"] == 'attachment; filename="x.xlsx"'
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["Personnes", "Définitions"]
    rows = list(workbook["Personnes"].values)
    assert rows[1][0] == "'=HYPERLINK(1)"
    assert rows[1][1] == 3
    assert rows[1][2].date() == datetime.date(2026, 1, 5)
    assert workbook["Définitions"]["A2"].value == "'-x"
