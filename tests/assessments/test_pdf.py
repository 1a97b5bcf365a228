"""An assessment as PDF: the radar and the score table, for those who read the assessment."""

import pytest
from django.urls import reverse

from maillage.assessments import services
from maillage.assessments.models import Context
from maillage.assessments.scoring import Answer
from maillage.assessments.views import assessment_pdf_html
from tests.assessments.factories import make_assessment, shipped
from tests.factories import StructureFactory, StructureMembershipFactory

pytestmark = pytest.mark.django_db


def test_an_assessment_as_pdf_carries_its_radar_and_score_table(client):
    structure = StructureFactory()
    user = StructureMembershipFactory(structure=structure).user
    assessment = make_assessment(
        version=shipped("project-shared-diagnostic"),
        structure=structure,
        context=Context.DIAGNOSTIC,
        title="Diagnostic d'entrée",
    )
    services.record_answers(
        assessment=assessment,
        user=user,
        answers={"diag-skills-trade": Answer(4), "diag-skills-management": Answer(1)},
    )
    html = assessment_pdf_html(assessment)
    assert "<svg" in html and "Score par critère" in html
    table = html[html.index("<table") :]
    row = table[table.index("Compétences") :]
    assert "2,50" in row[: row.index("</tr>")]
    client.force_login(user)
    url = reverse("assessments:export_pdf", kwargs={"uuid": assessment.uuid})
    response = client.get(url)
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    client.force_login(StructureMembershipFactory(structure=StructureFactory()).user)
    assert client.get(url).status_code == 404
