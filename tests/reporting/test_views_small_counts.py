"""Acceptance 2 (the screens and files of the report): a funder reads no count from 1 to 4, on
the page, in the charts' data, the XLSX, the CSV and the PDF, on a seeded history built once for
the module; the same reading finds them where a structure's administrator may read them."""

import copy
import csv
import io
import json
import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from maillage.accounts.rules import forget_roles
from maillage.reporting import exports, selectors
from maillage.reporting.catalogue import COUNT_UNITS, GENERAL_RULES, UNITS, indicator
from maillage.reporting.forms import ReportFilterForm
from tests.reporting.privacy import assert_private
from tests.worlds import module_world

PERIOD = {"from": "2025-01-01", "to": "2025-12-31"}


SMALL = {"1", "2", "3", "4"}
# A lone digit 1 to 4 in a text: not part of a number, a date, a decimal, a code or a sign.
LONE_SMALL = re.compile(r"(?<![\w,./:+\-\u2212\u00a0\u202f])[1-4](?![\w,./:%\u00a0\u202f])")


def _build_history():
    from tests.reporting.world import build_world

    return build_world()


# Built once for the module's tests that read it (each in a savepoint of its transaction).
shared_history = module_world(_build_history, name="shared_history")


@pytest.fixture
def history(shared_history, db):
    return copy.deepcopy(shared_history)


def history_url(history, name, **query):
    url = reverse(f"reporting:{name}", kwargs={"slug": history.network.slug})
    params = {**PERIOD, **query}
    return url + "?" + "&".join(f"{key}={value}" for key, value in params.items())


def history_report(history, user, **query):
    forget_roles(user)
    form = ReportFilterForm({"network": history.network.slug, **PERIOD, **query}, user=user)
    assert form.is_valid(), form.errors
    return selectors.build_report(user=user, filters=form.filters())


def small_count_cells(content: str) -> list[tuple[str, str]]:
    """(unit, text) of every figure of a count shown as 1 to 4 on a report page."""
    cells = re.findall(r'<td[^>]*data-unit="(\w*)"[^>]*>([^<]*)</td>', content)
    assert cells, "no figure found on the page"
    return [(unit, text) for unit, text in cells if unit in COUNT_UNITS and text.strip() in SMALL]


def small_counts_in_chart_data(content: str) -> list:
    found = []
    for data in re.findall(
        r'<script id="chart-data-\w+" type="application/json">(.*?)</script>', content
    ):
        data = json.loads(data)
        if data["kind"] == "sankey":
            values = [link["value"] for link in data["links"]]
        elif data["kind"] == "funnel":
            values = [item["value"] for item in data["items"]]
        elif data["kind"] == "months":
            values = data["series"][0]["values"]  # acts (the hours are not counts)
        else:
            values = data["values"]
        found += [value for value in values if value in (1, 2, 3, 4)]
    return found


def test_a_funder_reads_no_small_count_on_the_page(history, login):
    response = login(history.funder).get(history_url(history, "network"))
    assert_private(response.context["report"])  # the report the page renders (engine's check)
    content = response.content.decode()
    assert "report-figure--masked" in content  # the history has small counts to hide
    assert small_count_cells(content) == []
    assert small_counts_in_chart_data(content) == []
    # The same check finds them where they may be read: a structure admin on their structure.
    admin_page = login(history.admins["place"]).get(history_url(history, "network"))
    assert small_count_cells(admin_page.content.decode())


def xlsx_small_counts(content: bytes, report) -> list:
    """Cells of count columns holding 1 to 4, sheet by sheet (the tables of `report`)."""
    book = load_workbook(io.BytesIO(content), read_only=True)
    found = []
    for sheet, table in zip(book.worksheets[1:], exports.report_tables(report), strict=True):
        for row in list(sheet.iter_rows(values_only=True))[1:]:
            for index, unit in enumerate(table.units):
                if unit == "" and table.key == "indicators":
                    unit = indicator(row[0]).unit if index in (2, 3) else None
                elif unit == "":
                    unit = indicator(row[0]).unit
                if unit in COUNT_UNITS and row[index] in (1, 2, 3, 4, "1", "2", "3", "4"):
                    found.append((sheet.title, row))
    return found


def test_a_funder_reads_no_small_count_in_the_xlsx_or_the_csv(history, login):
    client = login(history.funder)
    report = history_report(history, history.funder)
    assert_private(report)
    response = client.get(history_url(history, "network_xlsx"))
    assert xlsx_small_counts(response.content, report) == []
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    assert any(
        "<5" in row for sheet in book.worksheets for row in sheet.iter_rows(values_only=True)
    )

    lines = list(
        csv.reader(
            io.StringIO(
                client.get(history_url(history, "network_csv")).content.decode("utf-8-sig")
            ),
            delimiter=";",
        )
    )
    count_units = {str(UNITS[unit]) for unit in COUNT_UNITS}
    rows = [line for line in lines[1:] if len(line) > 4]
    assert any(line[2] == "<5" or line[3] == "<5" for line in rows)
    for line in rows:
        if line[4] in count_units:
            assert line[2] not in SMALL and line[3] not in SMALL, line

    # The check can fail: the administrator of a small structure reads them in the XLSX.
    admin = history.admins["place"]
    response = login(admin).get(history_url(history, "network_xlsx"))
    assert xlsx_small_counts(response.content, history_report(history, admin))


def pdf_text(response) -> str:
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)


def lone_small_numbers(text: str, report) -> list[str]:
    """Lone 1 to 4 of the PDF's text once the words of the catalogue and the rule are set aside
    (definitions say "3 structures", "6 months"…): what is left of them can only be a count."""

    def flat(words):
        return " ".join(words.split())

    text = flat(text)
    for result in report.indicators.values():
        for words in (result.definition, result.formula, result.label):
            text = text.replace(flat(words), " ")
    for words in (selectors.masking_rule_text(), *map(str, GENERAL_RULES)):
        text = text.replace(flat(words), " ")
    return [text[max(0, m.start() - 40) : m.end() + 5] for m in LONE_SMALL.finditer(text)]


def test_the_pdf_is_made_for_the_same_scope_and_a_funder_reads_no_small_count_in_it(history, login):
    # One PDF (WeasyPrint takes seconds) read for both: its scope, then its small counts.
    report = history_report(history, history.funder)
    assert_private(report)
    text = pdf_text(login(history.funder).get(history_url(history, "network_pdf")))
    assert history.network.name in text
    for code, result in report.indicators.items():
        assert result.label in text.replace("\n", " "), code
    assert "<5" in text
    assert lone_small_numbers(text, report) == []
    # The same reading finds them in the PDF of a small structure's administrator.
    admin = history.admins["place"]
    text = pdf_text(login(admin).get(history_url(history, "network_pdf")))
    assert lone_small_numbers(text, history_report(history, admin))
