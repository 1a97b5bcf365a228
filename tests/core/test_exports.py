import pytest

from maillage.core.exports import csv_response, neutralise

pytestmark = pytest.mark.sqlite


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
