"""Issue 20, acceptance 3: the social-utility report for a structure's funders opens as PDF and
XLSX, each claim (a criterion) with its indicators, how each is measured, its source and its
series; figures drawn from Maillage are masked as a funder reads them, whoever makes the file."""

import io
import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from maillage.reporting.catalogue import indicator as report_indicator
from tests.factories import StructureMembershipFactory
from tests.territory.test_frameworks import framework  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db


def rows_of(content: bytes) -> list[tuple]:
    sheet = load_workbook(io.BytesIO(content)).active
    return [tuple(row) for row in sheet.iter_rows(values_only=True)]


def test_the_funders_xlsx_gives_each_claim_its_indicators_masked_as_funders_read_them(
    client,
    framework,  # noqa: F811
):
    client.force_login(framework.admin)
    # The structure's administrator reads their own small counts on the framework page…
    page = client.get(reverse("territory:framework", args=[framework.pk])).content.decode()
    # (a computed figure links to the report page it comes from)
    assert re.search(
        r'data-year="2025"><a href="/[^"]*\?from=2025-01-01&amp;to=2025-12-31[^"]*"[^>]*>3<', page
    )
    # …but the report made for funders masks them.
    response = client.get(reverse("territory:framework_proof_xlsx", args=[framework.pk]))
    assert response.status_code == 200
    rows = rows_of(response.content)
    assert rows[0] == ("Utilité sociale d'Intermade",) + (None,) * (len(rows[0]) - 1)
    header = rows[3]
    assert header[:4] == ("Dimension", "Affirmation", "Indicateur", "Mode de mesure")
    data = {(row[1], row[2], row[8]): row for row in rows[4:]}
    acts_2025 = data[("Critère Économique", "Actes", 2025)]
    # 3 acts: hidden ("<5", or "—" when the month rule hides the whole figure), never 3.
    assert acts_2025[9] in ("<5", "—")
    assert data[("Critère Économique", "Actes", 2026)][9] == 7
    assert acts_2025[4] == report_indicator("acts").definition
    assert "Maillage" in acts_2025[3]
    volunteers = data[("Critère Sociale", "Bénévoles", 2026)]
    assert volunteers[9] == 4 and volunteers[7] == 5 and volunteers[4] is None
    # Every indicator of the framework, for both years: 6 indicators, 2 years each.
    assert len(rows) - 4 == 12


def test_the_funders_pdf_opens_with_each_claim_and_its_indicators(
    client,
    framework,  # noqa: F811
):
    client.force_login(framework.admin)
    response = client.get(reverse("territory:framework_proof_pdf", args=[framework.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    text = " ".join(text.split())
    for words in (
        "Utilité sociale d'Intermade",
        "Critère Économique",
        "Critère Sociale",
        "Critère Territoriale",
        "Personnes accompagnées",
        "Bénévoles",
        "Cible",
    ):
        assert words in text, words
    # The administrator's 3 acts of 2025 are not in the funders' document.
    assert "Année Valeur Commentaire 2025 3 —" not in text
    assert "Année Valeur Commentaire 2025 — — 2026 7 —" in text or "2025 <5" in text


def test_only_those_who_read_the_framework_get_its_report(client, framework):  # noqa: F811
    outsider = StructureMembershipFactory(admin=True).user
    client.force_login(outsider)
    for name in ("territory:framework_proof_pdf", "territory:framework_proof_xlsx"):
        assert client.get(reverse(name, args=[framework.pk])).status_code == 404
