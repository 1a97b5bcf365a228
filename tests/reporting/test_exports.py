"""The report's files: XLSX (a sheet per table, the definitions), CSV (the indicators), PDF (with
its charts), all read from the same `Report` as the page."""

import csv
import io
import re

import pytest
from django.utils import translation
from openpyxl import load_workbook
from pypdf import PdfReader

from maillage.reporting import exports, pdf, tables
from maillage.reporting.report import Figure, IndicatorResult
from tests.reporting.report_samples import sample_report

RULE = "Les effectifs de moins de cinq sont affichés « <5 »."


@pytest.fixture(autouse=True)
def french():
    with translation.override("fr"):
        yield


def workbook(report):
    response = exports.report_xlsx_response(report, masking_rule=RULE)
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert (
        'filename="rapport-reseau-test-2024-11-01-2025-10-31.xlsx"'
        in (response["Content-Disposition"])
    )
    return load_workbook(io.BytesIO(response.content), read_only=True)


def rows(sheet):
    return [tuple(row) for row in sheet.iter_rows(values_only=True)]


def test_the_xlsx_opens_with_a_sheet_per_table_and_the_definitions():
    book = workbook(sample_report())
    assert book.sheetnames == [
        "Rapport",
        "Indicateurs",
        "Genre",
        "Structure",
        "Orientations entre structures",
        "Personnes arrivées à chaque éta",
        "Actes par mois",
        "Sorties par type",
        "Définitions",
    ]
    definitions = rows(book["Définitions"])
    assert definitions[0] == ("Code", "Indicateur", "Définition", "Formule", "Unité")
    assert definitions[1] == (
        "persons_accompanied",
        "Personnes accompagnées",
        "Personnes présentes à au moins un acte de la période.",
        "Nombre de personnes distinctes présentes aux actes de la période.",
        "personnes",
    )
    assert [row[0] for row in definitions[1:]] == [
        "persons_accompanied",
        "loop_closure_rate",
        "declined_twice",
    ]
    about = dict(rows(book["Rapport"])[1:])
    assert about["Réseau"] == "Réseau test"
    assert about["Petits effectifs"] == RULE


def test_xlsx_figures_are_numbers_when_shown_and_text_when_masked():
    book = workbook(sample_report())
    indicators = {row[0]: row for row in rows(book["Indicateurs"])[1:]}
    assert indicators["persons_accompanied"][2:6] == (37, 29, 8, "personnes")
    assert indicators["loop_closure_rate"][2:6] == (62.5, 50.0, 12.5, "%")
    # Masked now: no change shown, which would give the masked figure away.
    assert indicators["declined_twice"][2:5] == ("<5", 8, "—")
    gender = rows(book["Genre"])
    assert gender[0] == ("Code", "Indicateur", "Genre", "Valeur")
    assert ("persons_accompanied", "Personnes accompagnées", "Non précisé", "<5") in gender
    flows = rows(book["Orientations entre structures"])
    assert ("Intermade", "Place", "<5") in flows and ("APEAS", "Intermade", 12) in flows


def test_no_xlsx_cell_holds_a_count_from_1_to_4_for_a_masked_reader():
    book = workbook(sample_report(masked=True))
    for sheet in book.worksheets:
        for row in sheet.iter_rows(values_only=True):
            for value in row:
                assert value not in (1, 2, 3, 4, "1", "2", "3", "4"), (sheet.title, row)
    # The structure admin's workbook has them: the check above can fail.
    book = workbook(sample_report(masked=False))
    funnel = dict(rows(book["Personnes arrivées à chaque éta"])[1:])
    assert funnel["Test d'activité"] == 3


def test_sheet_titles_are_short_distinct_and_valid():
    titles = list(exports._sheet_titles(["Genre", "genre", "A/B: [c]?", "x" * 40, "x" * 40, ""]))
    assert titles[0] == "Genre" and titles[1] == "genre (2)"
    assert titles[2] == "A B   c"
    assert titles[3] == "x" * 31 and titles[4] == "x" * 27 + " (2)"
    assert titles[5] == "-"
    assert all(len(title) <= 31 for title in titles)


def test_the_csv_holds_the_indicators_as_shown_and_the_masking_rule():
    response = exports.report_csv_response(sample_report(), masking_rule=RULE)
    assert (
        'filename="indicateurs-reseau-test-2024-11-01-2025-10-31.csv"'
        in (response["Content-Disposition"])
    )
    lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert lines[0] == [
        "Code",
        "Indicateur",
        "Valeur",
        "Période précédente",
        "Unité",
        "Définition",
    ]
    by_code = {line[0]: line for line in lines[1:4]}
    assert by_code["persons_accompanied"][2:5] == ["37", "29", "personnes"]
    assert by_code["declined_twice"][2:4] == ["<5", "8"]
    assert by_code["loop_closure_rate"][2] == "62,5 %"
    assert lines[-1] == [RULE]


@pytest.mark.parametrize(
    ("current", "previous", "unit", "value", "display"),
    [
        (Figure(12, "12"), Figure(20, "20"), "persons", -8, "\N{MINUS SIGN}8"),
        (Figure(12, "12"), Figure(12, "12"), "persons", 0, "0"),
        (Figure(7.5, "7,5"), Figure(5.0, "5,0"), "hours", 2.5, "+2,5"),
        (Figure(40.0, "40,0 %"), Figure(45.5, "45,5 %"), "percent", -5.5, "\N{MINUS SIGN}5,5 pts"),
        (Figure(None, "<5", True), Figure(9, "9"), "persons", None, "—"),
        (Figure(9, "9"), Figure(None, "<5", True), "persons", None, "—"),
        (Figure(None, "—"), Figure(9, "9"), "days", None, "—"),
    ],
)
def test_the_change_is_shown_only_between_two_shown_figures(
    current, previous, unit, value, display
):
    result = IndicatorResult("x", "X", "", "", unit, value=current, previous=previous)
    assert tables.change(result) == Figure(value=value, display=display)


def pdf_pages(report):
    content = pdf.render_pdf(report, masking_rule=RULE, base_url="/")
    assert content.startswith(b"%PDF")
    return [page.extract_text() for page in PdfReader(io.BytesIO(content)).pages]


def test_the_pdf_draws_the_charts_beside_their_tables():
    pages = pdf_pages(sample_report())
    text = "\n".join(pages)
    assert "Réseau test" in text and RULE in text
    # Each chart's labels are printed twice: once drawn in the chart, once in its table.
    for label in ("Faisabilité", "Réorientation", "Place"):
        assert text.count(label) >= 2, label
    for value in ("80", "87", "12"):  # values printed on the bars and bands
        assert len(re.findall(rf"(?<![\d,]){value}(?![\d,])", text)) >= 2, value
    # A masked category is in the table only ("<5"), never drawn.
    assert text.count("Test d'activité") == 1
    assert text.count("Arrêt accompagné") == 1
    assert "Mode de calcul des indicateurs" in text


def test_the_pdf_shows_no_count_from_1_to_4_to_a_masked_reader():
    text = "\n".join(pdf_pages(sample_report(masked=True))).replace(RULE, "")
    # Dates are written 01/11/2024: a lone digit from 1 to 4 can only be a count.
    assert not re.findall(r"(?<![\w,./])[1-4](?![\w,./])", text)
    text = "\n".join(pdf_pages(sample_report(masked=False)))
    assert re.findall(r"(?<![\w,./])[1-4](?![\w,./])", text)
