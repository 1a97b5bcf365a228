"""The report as an A4 PDF for a funder (WeasyPrint, like the brochure and the person export).

WeasyPrint runs no JavaScript, so the charts are drawn on the server as SVG (`charts.chart_svg`:
pygal bars, and a Sankey drawn by hand for the flows) and placed inline, each followed by its
table. Nothing is fetched from outside: the stylesheet is read from the static files and fonts
are the system ones WeasyPrint embeds.
"""

from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils import timezone

from maillage.core.pdf import write_pdf

from . import charts, tables
from .catalogue import GENERAL_RULES
from .report import Report

STYLESHEET = "maillage/css/reports_pdf.css"


@dataclass(frozen=True)
class DrawnChart:
    chart: charts.Chart
    svg: str

    @property
    def title(self) -> str:
        return self.chart.title


def render_html(report: Report, *, masking_rule: str) -> str:
    context = {
        "report": report,
        "scope": tables.scope_lines(report),
        "masking_rule": masking_rule,
        "generated_on": timezone.localdate(),
        "indicators": tables.indicator_rows(report),
        "charts": [
            DrawnChart(chart=chart, svg=charts.chart_svg(chart))
            for chart in charts.report_charts(report)
        ],
        "breakdowns": tables.breakdown_tables(report),
        "assessment_table": tables.assessment_results_table(report),
        "definitions": tables.definitions_table(report),
        "general_rules": GENERAL_RULES,
    }
    return render_to_string("reporting/pdf.html", context)


def html_to_pdf(html: str, *, base_url: str) -> bytes:
    """An A4 PDF of `html` in the reports' print style, fetching nothing from outside (also
    used by other apps' documents for funders, e.g. the territory's social-utility report)."""
    return write_pdf(html, base_url=base_url, stylesheet=STYLESHEET)


def render_pdf(report: Report, *, masking_rule: str, base_url: str) -> bytes:
    return html_to_pdf(render_html(report, masking_rule=masking_rule), base_url=base_url)
