"""Issue 20, acceptance 1: a framework with 3 dimensions and 6 indicators, 2 of them computed from
Maillage's figures, shows two years of series; the computed ones equal the report's figures."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from openpyxl import load_workbook

from maillage.pathways.acts import services as act_services
from maillage.pathways.models import ActType
from maillage.reporting.selectors import build_report
from maillage.territory.frameworks import selectors, services
from maillage.territory.frameworks.selectors import report_filters
from tests.factories import (
    NetworkFactory,
    NetworkRoleFactory,
    PersonFactory,
    StructureFactory,
    StructureMembershipFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def framework():
    network = NetworkFactory()
    structure = StructureFactory(name="Intermade", networks=[network])
    admin = StructureMembershipFactory(structure=structure, admin=True).user
    workshop = ActType.objects.get(code="collective_workshop")
    for year, count in ((2025, 3), (2026, 7)):
        for index in range(count):
            act_services.record_act(
                structure=structure,
                user=admin,
                act_type=workshop,
                occurred_on=datetime.date(year, 3, 1 + index),
                duration_minutes=60,
                persons=[PersonFactory(accompanied_by=[structure])],
            )
    framework = services.create_framework(title="Utilité sociale d'Intermade", structure=structure)
    plan = {
        "Économique": [("Activités créées", "entered", ""), ("Actes", "computed", "acts")],
        "Sociale": [
            ("Personnes accompagnées", "computed", "persons_accompanied"),
            ("Bénévoles", "entered", ""),
        ],
        "Territoriale": [("Partenaires", "entered", ""), ("Communes", "entered", "")],
    }
    for name, indicators in plan.items():
        criterion = services.add_criterion(
            dimension=services.add_dimension(framework=framework, name=name), name=f"Critère {name}"
        )
        for label, kind, code in indicators:
            indicator = services.add_indicator(
                criterion=criterion, name=label, kind=kind, report_code=code, target=Decimal(5)
            )
            if kind == "entered":
                for year, value in ((2025, 2), (2026, 4)):
                    services.record_measurement(
                        indicator=indicator, year=year, value=Decimal(value), user=admin
                    )
    framework.admin = admin
    return framework


def _series(framework, user):
    tree = selectors.framework_tree(framework, user, [2025, 2026])
    return {
        indicator.name: [point.value for point in points]
        for _d, criteria in tree
        for _c, indicators in criteria
        for indicator, points in indicators
    }


def test_the_computed_indicators_equal_the_reports_figures(framework):
    series = _series(framework, framework.admin)
    assert len(series) == 6
    for code, name in (("acts", "Actes"), ("persons_accompanied", "Personnes accompagnées")):
        expected = [
            build_report(
                user=framework.admin, filters=report_filters(framework, year), compare=False
            )
            .indicators[code]
            .value.value
            for year in (2025, 2026)
        ]
        assert series[name] == expected
    assert series["Actes"] == [3, 7]
    assert series["Bénévoles"] == [Decimal(2), Decimal(4)]


def test_the_framework_page_and_its_spreadsheet_show_the_series(client, framework):
    client.force_login(framework.admin)
    html = client.get(reverse("territory:framework", args=[framework.pk])).content.decode()
    for name in (
        "Économique",
        "Sociale",
        "Territoriale",
        "Actes",
        "Calculé depuis le rapport de Maillage",
    ):
        assert name in html
    response = client.get(reverse("territory:framework_xlsx", args=[framework.pk]))
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    actes = [row for row in rows if row[2] == "Actes" and row[7] in (2025, 2026)]
    assert [(row[7], row[8]) for row in actes] == [(2025, 3), (2026, 7)]


def test_a_funder_reads_no_framework_and_a_coordinator_gets_what_the_report_gives(
    client, framework
):
    network = framework.structure.networks.get()
    funder = NetworkRoleFactory(network=network, funder=True).user
    client.force_login(funder)
    assert client.get(reverse("territory:framework", args=[framework.pk])).status_code == 404
    coordinator = NetworkRoleFactory(network=network).user
    # The structure is the whole network here: in 2025 (3 persons) the report refuses a reading
    # that would isolate fewer than 5 persons, and the framework shows no computed value either;
    # in 2026 both give the same figure.
    with pytest.raises(ValidationError):
        build_report(user=coordinator, filters=report_filters(framework, 2025), compare=False)
    in_2026 = build_report(
        user=coordinator, filters=report_filters(framework, 2026), compare=False
    ).indicators["acts"]
    series = _series(framework, coordinator)
    assert series["Actes"] == [None, in_2026.value.value]
    assert series["Bénévoles"] == [Decimal(2), Decimal(4)]
