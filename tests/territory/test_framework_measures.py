"""Issue 20: values imported from a spreadsheet (all or nothing, a dry run, errors by row and
column), and indicators measured by an assessment's score (computed per period from the owner's
submitted assessments the reader may see, never stored)."""

import datetime
import html
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from maillage.assessments.models import Answer, AssessmentStatus, Item, SubjectKind
from maillage.territory.frameworks import selectors, services
from maillage.territory.models import Measurement
from tests.assessments.factories import make_assessment, tiny_version
from tests.factories import StructureFactory, StructureMembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    structure = StructureFactory(name="Intermade")
    admin = StructureMembershipFactory(structure=structure, admin=True).user
    framework = services.create_framework(title="Utilité sociale", structure=structure)
    criterion = services.add_criterion(
        dimension=services.add_dimension(framework=framework, name="Sociale"), name="Engagement"
    )
    volunteers = services.add_indicator(
        criterion=criterion, name="Bénévoles", kind="entered", code="benevoles"
    )
    services.record_measurement(indicator=volunteers, year=2025, value=3, user=admin)
    services.add_indicator(
        criterion=criterion, name="Actes", kind="computed", report_code="acts", code="actes"
    )
    return {
        "structure": structure,
        "admin": admin,
        "framework": framework,
        "criterion": criterion,
        "volunteers": volunteers,
    }


def xlsx(rows) -> SimpleUploadedFile:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile("valeurs.xlsx", buffer.getvalue())


def test_a_spreadsheet_of_values_is_checked_then_recorded_all_or_nothing(client, world):
    client.force_login(world["admin"])
    url = reverse("territory:framework_values", args=[world["framework"].pk])
    bad = [
        ["Code", "Période", "Valeur", "Commentaire"],
        ["benevoles", 2024, 5, "Assemblée"],
        ["inconnu", 2024, 1, ""],
        ["actes", "vingt", "beaucoup", ""],
        ["benevoles", 2024, 6, "doublon"],
    ]
    response = client.post(url, {"file": xlsx(bad), "mode": "record"})
    page = html.unescape(response.content.decode())
    assert response.status_code == 200
    assert "Aucun indicateur de ce référentiel n'a le code « inconnu »" in page
    rows = {(e.line, e.column) for e in response.context["result"].errors}
    assert rows == {
        (3, "code de l'indicateur"),
        (4, "code de l'indicateur"),
        (4, "période"),
        (4, "valeur"),
        (5, "période"),
    }
    assert Measurement.objects.filter(year=2024).count() == 0  # nothing was recorded
    good = [
        ["Code", "Période", "Valeur", "Commentaire"],
        ["benevoles", 2024, 5, "Assemblée"],
        ["benevoles", 2025, "4,5", ""],
    ]
    response = client.post(url, {"file": xlsx(good), "mode": "check"})
    planned = response.context["result"].planned
    assert [(p.year, p.value, p.replaces) for p in planned] == [
        (2024, Decimal(5), None),
        (2025, Decimal("4.5"), Decimal(3)),
    ]
    assert Measurement.objects.filter(year=2024).count() == 0  # a dry run records nothing
    response = client.post(url, {"file": xlsx(good), "mode": "record"})
    assert response.status_code == 302
    values = dict(world["volunteers"].measurements.values_list("year", "value"))
    assert values == {2024: Decimal(5), 2025: Decimal("4.5")}
    # A CSV file is read too (the imports' reader).
    csv = SimpleUploadedFile("v.csv", "code;année;valeur\nbenevoles;2026;7\n".encode())
    assert client.post(url, {"file": csv, "mode": "record"}).status_code == 302
    assert world["volunteers"].measurements.get(year=2026).value == Decimal(7)


def _assessed(version, structure, on, level, *, status=AssessmentStatus.SUBMITTED):
    assessment = make_assessment(
        version=version,
        structure=structure,
        subject_kind=SubjectKind.STRUCTURE,
        subject_structure=structure,
        assessed_on=on,
        status=status,
    )
    Answer.objects.create(
        assessment=assessment, item=Item.objects.get(version=version, key="i1"), value=level
    )
    return assessment


def test_an_indicator_measured_by_assessments_is_computed_per_year_for_those_who_see_them(
    client, world
):
    version = tiny_version()
    structure = world["structure"]
    with pytest.raises(ValidationError):
        services.add_indicator(
            criterion=world["criterion"],
            name="Gouvernance",
            kind="assessment",
            instrument=version.instrument,
            score_part="criterion",
            score_key="missing",
            aggregate="median",
        )
    indicator = services.add_indicator(
        criterion=world["criterion"],
        name="Auto-évaluation",
        kind="assessment",
        instrument=version.instrument,
        score_part="criterion",
        score_key="c1",
        aggregate="median",
    )
    for on, level in ((datetime.date(2025, 2, 1), 1), (datetime.date(2025, 6, 1), 4)):
        _assessed(version, structure, on, level)
    _assessed(version, structure, datetime.date(2025, 9, 1), 4)
    _assessed(version, structure, datetime.date(2026, 1, 5), 1, status=AssessmentStatus.DRAFT)
    other = StructureFactory()
    _assessed(version, other, datetime.date(2026, 1, 5), 4)  # another structure's subject
    points = selectors.assessment_points(
        world["framework"], indicator, world["admin"], [2025, 2026]
    )
    assert [(p.year, p.value) for p in points] == [(2025, Decimal(4)), (2026, None)]
    assert "3" in points[0].comment  # says how many assessments the median is of
    # A reader who may not see the assessments gets no value.
    outsider = StructureMembershipFactory(structure=other).user
    assert (
        selectors.assessment_points(world["framework"], indicator, outsider, [2025])[0].value
        is None
    )
    # Never stored.
    assert not indicator.measurements.exists()
    with pytest.raises(ValidationError):
        services.record_measurement(indicator=indicator, year=2025, value=1, user=world["admin"])
    # The framework page and the funders' report say how it is measured.
    client.force_login(world["admin"])
    page = html.unescape(
        client.get(reverse("territory:framework", args=[world["framework"].pk])).content.decode()
    )
    assert "médiane des évaluations soumises" in page
    assert "Médiane des évaluations soumises : 3 évaluations" in page
    response = client.get(reverse("territory:framework_proof_xlsx", args=[world["framework"].pk]))
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    (row,) = [r for r in rows if r[2] == "Auto-évaluation" and r[8] == 2025]
    assert row[3].startswith("calculé à partir des évaluations avec la grille « tiny »")
    assert row[9] == Decimal(4) or row[9] == 4
