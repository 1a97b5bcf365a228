"""The same figure everywhere (issue 15.4): for one dataset and one scope, every indicator shows
one value on the report page, in the JSON, the CSV, the XLSX and the PDF, and a structure's
median time to answer is the same on its public page as in its report.

Read as a structure's administrator (every figure shown) and as a coordinator (masked): a
figure is compared as its text ("12", "37,5 %", "<5", "masqué") and, in the XLSX and the JSON,
as its number when it is shown.
"""

import copy
import csv
import html
import io
import re
from datetime import timedelta

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from maillage.pathways.models import ReferralStatus
from maillage.reporting import pdf
from maillage.reporting.masking import masking_rule_text
from maillage.reporting.public import response_time_period
from maillage.reporting.report import ReportFilters
from maillage.reporting.selectors import build_report
from tests.factories import ReferralFactory

from .shared import module_world
from .world import PERIOD

shared_world = module_world(persons=40)


@pytest.fixture
def world(shared_world, db):
    return copy.deepcopy(shared_world)


def page_figures(content: str) -> dict:
    """code → the value shown in the page's table of indicators."""
    return {
        code: html.unescape(value).strip()
        for code, value in re.findall(
            r'<tr id="indicator-([a-z_]+)".*?<td class="report-table__number report-value'
            r'[^"]*"[^>]*>([^<]*)</td>',
            content,
            re.DOTALL,
        )
    }


def pdf_figures(document: str, report) -> dict:
    """code → the value the PDF's table of indicators shows beside the indicator's label."""
    found = {}
    for code, item in report.indicators.items():
        match = re.search(
            rf'<th scope="row">{re.escape(html.escape(item.label))}<span.*?</span></th>\s*'
            r"<td[^>]*>([^<]*)</td>",
            document,
            re.DOTALL,
        )
        found[code] = html.unescape(match.group(1)).strip() if match else None
    return found


@pytest.mark.parametrize("reader", ["structure admin", "coordinator"])
def test_every_indicator_reads_the_same_in_every_channel(world, login, reader):
    intermade = next(s for s in world.structures if s.slug == "intermade")
    user = world.admins["intermade"] if reader == "structure admin" else world.coordinator
    query = {"from": PERIOD[0].isoformat(), "to": PERIOD[1].isoformat()}
    structure = None
    if reader == "structure admin":
        query["structure"], structure = "intermade", intermade
    report = build_report(
        user=user,
        filters=ReportFilters(
            network=world.network, date_from=PERIOD[0], date_to=PERIOD[1], structure=structure
        ),
    )
    assert report.masked is (reader == "coordinator")
    expected = {code: item.value for code, item in report.indicators.items()}
    client = login(user)
    kwargs = {"slug": world.network.slug}

    page = client.get(reverse("reporting:network", kwargs=kwargs), query)
    payload = client.get(
        "/api/v1/reports/indicators", {"network": world.network.slug, **query}
    ).json()
    lines = list(
        csv.reader(
            io.StringIO(
                client.get(reverse("reporting:network_csv", kwargs=kwargs), query).content.decode(
                    "utf-8-sig"
                )
            ),
            delimiter=";",
        )
    )
    book = openpyxl.load_workbook(
        io.BytesIO(client.get(reverse("reporting:network_xlsx", kwargs=kwargs), query).content)
    )
    pdf_html = pdf.render_html(report, masking_rule=masking_rule_text())

    on_page = page_figures(page.content.decode())
    in_csv = {line[0]: line[2] for line in lines[1:] if line and line[0] in expected}
    in_xlsx = {row[0]: row[2] for row in book["Indicateurs"].iter_rows(values_only=True)}
    in_pdf = pdf_figures(pdf_html, report)
    for code, figure in expected.items():
        shown = figure.display
        assert on_page[code] == shown, (code, "page")
        assert payload["indicators"][code]["display"] == shown, (code, "json")
        assert payload["indicators"][code]["value"] == figure.value, (code, "json value")
        assert in_csv[code] == shown, (code, "csv")
        number = figure.value if not figure.masked and figure.value is not None else shown
        assert in_xlsx[code] == number, (code, "xlsx")
        assert in_pdf[code] == shown, (code, "pdf")
        previous = report.indicators[code].previous
        assert payload["indicators"][code]["previous"]["display"] == previous.display, code
    assert len(expected) == 25  # every indicator (crossed_without_referral: issue 16)


def test_the_public_page_shows_the_reports_median_time_to_answer(world, client):
    intermade = next(s for s in world.structures if s.slug == "intermade")
    apeas = next(s for s in world.structures if s.slug == "apeas")
    now = timezone.now()
    # Answered within the last 12 months: 6 h, 1 day, 1 day 12 h, 2 days, 3 days 6 h.
    for days, hours in ((0, 6), (1, 0), (1, 12), (2, 0), (3, 6)):
        sent = now - timedelta(days=20 + days)
        ReferralFactory(
            from_structure=apeas,
            to_structure=intermade,
            status=ReferralStatus.ACCEPTED,
            sent_at=sent,
            answered_at=sent + timedelta(days=days, hours=hours),
        )
    filters = response_time_period(intermade)
    admin = world.admins["intermade"]
    in_report = build_report(user=admin, filters=filters).indicators["median_days_to_answer"]
    assert not in_report.value.masked
    page = client.get(reverse("directory:structure", args=[intermade.slug]))
    text = " ".join(html.unescape(page.content.decode()).split())
    assert f"{in_report.value.display} jour" in text, (in_report.value.display, text[:0])
