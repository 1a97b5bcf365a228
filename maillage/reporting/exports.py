"""A report as files: XLSX (a sheet per table and the definitions), CSV (the indicators), and the
pseudonymised person-level CSV for coordinators.

Every cell comes from the tables of `tables.py`, so a figure reads the same as on the page: a
shown figure is a number, a masked one is its text ("<5"). Files go through
`maillage.core.exports`, which neutralises cells a spreadsheet would run as formulas.
"""

import re

from django.http import HttpResponse
from django.utils.translation import gettext as _

from maillage.core.exports import Sheet, csv_response, xlsx_response

from . import tables
from .catalogue import GENERAL_RULES
from .report import Figure, Report

SHEET_TITLE_MAX = 31
FORBIDDEN_IN_SHEET_TITLES = re.compile(r"[\[\]:*?/\\]")


def filename(report: Report, extension: str, stem: str = "rapport") -> str:
    filters = report.filters
    slug = getattr(filters.network, "slug", "reseau")
    return f"{stem}-{slug}-{filters.date_from:%Y-%m-%d}-{filters.date_to:%Y-%m-%d}.{extension}"


def file_response(content: bytes, content_type: str, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def spreadsheet_value(value):
    """A shown figure as its number; a masked or missing one as its text ("<5", "—")."""
    if isinstance(value, Figure):
        if value.masked or value.value is None:
            return value.display
        return value.value
    return value


def _sheet_titles(titles):
    """Titles Excel accepts: at most 31 characters, none of []:*?/\\, each different."""
    seen: set[str] = set()
    for title in titles:
        base = FORBIDDEN_IN_SHEET_TITLES.sub(" ", str(title)).strip()[:SHEET_TITLE_MAX] or "-"
        candidate, number = base, 2
        while candidate.lower() in seen:
            suffix = f" ({number})"
            candidate = base[: SHEET_TITLE_MAX - len(suffix)] + suffix
            number += 1
        seen.add(candidate.lower())
        yield candidate


def report_tables(report: Report) -> list[tables.Table]:
    """Every table of the report, in the order of the workbook (definitions last)."""
    # The assessment results only where the scope has before/after pairs over the period.
    results = [tables.assessment_results_table(report)] if report.assessment_results else []
    return [
        tables.indicators_table(report),
        *tables.breakdowns_by_dimension(report),
        tables.flows_table(report),
        tables.funnel_table(report),
        tables.acts_table(report),
        tables.outcomes_table(report),
        *results,
        tables.definitions_table(report),
    ]


def about_sheet_rows(report: Report, masking_rule: str):
    yield from tables.scope_lines(report)
    yield (_("Small counts"), masking_rule)
    for rule in GENERAL_RULES:
        yield (_("Rule common to every indicator"), str(rule))


def report_sheets(report: Report, *, masking_rule: str) -> list[Sheet]:
    all_tables = report_tables(report)
    about_title = _("Report")
    titles = list(_sheet_titles([about_title, *(table.title for table in all_tables)]))
    sheets = [
        Sheet(title=titles[0], header=(_("About"), ""), rows=about_sheet_rows(report, masking_rule))
    ]
    for title, table in zip(titles[1:], all_tables, strict=True):
        rows = [tuple(spreadsheet_value(cell) for cell in row) for row in table.rows]
        sheets.append(Sheet(title=title, header=table.header, rows=rows))
    return sheets


def report_xlsx_response(report: Report, *, masking_rule: str):
    return xlsx_response(filename(report, "xlsx"), report_sheets(report, masking_rule=masking_rule))


# Columns of the indicators table the CSV leaves out: the change, whose sign ("+8") a spreadsheet
# would read as a formula (the XLSX has it as a number).
CSV_LEFT_OUT = frozenset({4})


def report_csv_response(report: Report, *, masking_rule: str):
    """The indicators as shown, each with its definition; the masking rule as the last line."""
    table = tables.indicators_table(report)
    definitions = {result.code: result.definition for result in report.indicators.values()}

    def kept(row):
        return tuple(value for index, value in enumerate(row) if index not in CSV_LEFT_OUT)

    header = (*kept(table.header), _("Definition"))
    rows = [
        (
            *(value.display if isinstance(value, Figure) else value for value in kept(row)),
            definitions[row[0]],
        )
        for row in table.rows
    ]
    rows += [(), (masking_rule,)]
    return csv_response(filename(report, "csv", stem="indicateurs"), header, rows)


def pseudonymised_persons_response(report_filters, header, rows):
    slug = getattr(report_filters.network, "slug", "reseau")
    name = (
        f"personnes-pseudonymisees-{slug}-"
        f"{report_filters.date_from:%Y-%m-%d}-{report_filters.date_to:%Y-%m-%d}.csv"
    )
    return csv_response(name, header, rows)
