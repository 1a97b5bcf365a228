"""Issue 19: before/after assessment results feed the report, masked like every figure."""

import datetime
import io

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from openpyxl import load_workbook

from maillage.assessments.models import Answer, AssessmentStatus, Context, Item
from maillage.reporting.report import ReportFilters
from maillage.reporting.selectors import build_report
from tests.assessments.factories import make_assessment, project_of, tiny_version
from tests.factories import (
    NetworkFactory,
    NetworkRoleFactory,
    OfferFactory,
    OfferSessionFactory,
    StageFactory,
    StructureFactory,
    StructureMembershipFactory,
)
from tests.utils import page_text

pytestmark = pytest.mark.django_db

PERIOD = (datetime.date(2026, 1, 1), datetime.date(2026, 6, 30))
BEFORE_DAY = datetime.date(2025, 12, 1)  # before the period: only the "after" must fall in it
AFTER_DAY = datetime.date(2026, 3, 2)


def pair(
    version, structure, session, before, after, *, status=AssessmentStatus.SUBMITTED, on=AFTER_DAY
):
    """One person's project assessed before and after the session (tiny grid: 1 or 4)."""
    project = project_of(structure)
    item = Item.objects.get(version=version, key="i1")
    for context, value, day in (
        (Context.BEFORE, before, BEFORE_DAY),
        (Context.AFTER, after, on),
    ):
        assessment = make_assessment(
            version=version,
            structure=structure,
            project=project,
            context=context,
            offer_session=session,
            status=status,
            assessed_on=day,
        )
        Answer.objects.create(assessment=assessment, item=item, value=value)


@pytest.fixture
def world():
    version = tiny_version()
    network = NetworkFactory(name="Réseau évalué")
    mine = StructureFactory(networks=[network])
    session = OfferSessionFactory(offer=OfferFactory(structure=mine))
    for after in (4, 4, 4, 4, 1, 1):  # 6 people, 4 progressed: 66.7 %
        pair(version, mine, session, 1, after)
    pair(version, mine, session, 1, 4, status=AssessmentStatus.DRAFT)  # not completed
    # Another structure of the network: in the network's report, not in `mine`'s.
    neighbour = StructureFactory(networks=[network])
    pair(version, neighbour, OfferSessionFactory(offer=OfferFactory(structure=neighbour)), 1, 4)
    # A structure of another network: in neither.
    other_network = NetworkFactory(name="Autre réseau")
    outsider = StructureFactory(networks=[other_network])
    pair(version, outsider, OfferSessionFactory(offer=OfferFactory(structure=outsider)), 1, 4)
    admin = StructureMembershipFactory(structure=mine, admin=True).user
    return {
        "network": network,
        "mine": mine,
        "admin": admin,
        "coordinator": NetworkRoleFactory(network=network).user,
        "other_network": other_network,
        "other_funder": NetworkRoleFactory(network=other_network, funder=True).user,
    }


def filters(network, structure=None):
    return ReportFilters(
        network=network, date_from=PERIOD[0], date_to=PERIOD[1], structure=structure
    )


def row_of(report):
    (row,) = report.assessment_results
    return row


def test_a_structure_admin_reads_the_hand_counted_figures_of_their_cohort(world):
    report = build_report(user=world["admin"], filters=filters(world["network"], world["mine"]))
    assert not report.masked
    row = row_of(report)
    assert (row.instrument, row.criterion) == ("Petite grille", "Critère")
    # The draft pair, the neighbour's and the outsider's pairs are not counted.
    assert (row.assessed.value, row.progressed.value, row.share.value) == (6, 4, 66.7)
    assert (row.assessed.display, row.progressed.display, row.share.display) == (
        "6",
        "4",
        "66,7 %",
    )


def test_a_masked_reader_sees_no_count_from_1_to_4_nor_a_share_giving_one_back(world):
    report = build_report(user=world["coordinator"], filters=filters(world["network"]))
    assert report.masked
    row = row_of(report)
    # The network: 6 + the neighbour's 1 = 7 assessed, 5 progressed, 2 did not.
    assert (row.assessed.display, row.assessed.value) == ("7", 7)
    assert (row.progressed.display, row.progressed.value) == ("5", 5)
    assert row.share.masked and row.share.value is None  # 2 who did not progress: under 5
    assert "71" not in row.share.display


def test_under_a_stage_filter_the_section_is_left_out_rather_than_unfiltered(world):
    """Assessments sit on no stage: the whole scope's figures must not pass for the stage's.

    (The stage has no offer: the report is built, where it used to fail with EmptyResultSet.)"""
    stage = StageFactory(network=world["network"])
    staged = ReportFilters(
        network=world["network"],
        date_from=PERIOD[0],
        date_to=PERIOD[1],
        structure=world["mine"],
        stage=stage,
    )
    assert build_report(user=world["admin"], filters=staged).assessment_results == ()
    assert row_of(
        build_report(user=world["admin"], filters=filters(world["network"], world["mine"]))
    )


def test_a_count_differing_by_1_to_4_from_the_period_without_its_last_month_is_hidden(world):
    """Two more people assessed in June: Jan-Jun minus Jan-May would give back 2."""
    mine = world["mine"]
    version = tiny_version()
    session = OfferSessionFactory(offer=OfferFactory(structure=mine))
    for _ in range(2):
        pair(version, mine, session, 1, 4, on=datetime.date(2026, 6, 15))
    row = row_of(build_report(user=world["coordinator"], filters=filters(world["network"])))
    assert row.assessed.masked and row.assessed.value is None  # 9, against 7 without June
    assert row.progressed.masked and row.share.masked
    unmasked = row_of(build_report(user=world["admin"], filters=filters(world["network"], mine)))
    assert (unmasked.assessed.value, unmasked.progressed.value) == (8, 6)


def test_a_reader_of_another_network_sees_nothing_of_it(world):
    with pytest.raises(PermissionDenied):
        build_report(user=world["other_funder"], filters=filters(world["network"]))
    own = build_report(user=world["other_funder"], filters=filters(world["other_network"]))
    (row,) = own.assessment_results  # the outsider's own pair, masked: 1 person
    assert (row.assessed.display, row.progressed.display, row.share.value) == ("<5", "<5", None)


def test_the_page_the_spreadsheet_and_the_json_show_the_results(world, client):
    client.force_login(world["admin"])
    query = f"from={PERIOD[0]}&to={PERIOD[1]}&structure={world['mine'].slug}"
    url = reverse("reporting:network", kwargs={"slug": world["network"].slug})
    text = page_text(client.get(f"{url}?{query}"))
    assert "Résultats des évaluations" in text
    assert "Critère" in text and "66,7 %" in text
    response = client.get(
        reverse("reporting:network_xlsx", kwargs={"slug": world["network"].slug}) + "?" + query
    )
    sheet = load_workbook(io.BytesIO(response.content))["Résultats des évaluations"]
    assert list(sheet.iter_rows(min_row=2, values_only=True)) == [
        ("Petite grille", "Critère", 6, 4, 66.7)
    ]
    data = client.get(
        "/api/v1/reports/indicators?" + query + f"&network={world['network'].slug}"
    ).json()
    (row,) = data["assessment_results"]
    assert row["share"] == {"value": 66.7, "display": "66,7 %", "masked": False}


def test_a_kept_report_is_dropped_when_an_assessment_is_written():
    """The kept reports (reporting/cache.py) would otherwise miss a newly submitted pair."""
    from django.db import connection

    from maillage.reporting import cache

    if connection.vendor != "postgresql":
        pytest.skip("kept reports are a PostgreSQL feature")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE t.tgname = 'reporting_note_change'"
        )
        triggered = {row[0] for row in cursor.fetchall()}
    assert {"assessments_assessment", "assessments_answer"} <= triggered
    assert set(cache.source_tables()) == triggered


def test_the_funders_pdf_has_the_results_table(world):
    from maillage.reporting.pdf import render_html

    report = build_report(user=world["coordinator"], filters=filters(world["network"]))
    html = render_html(report, masking_rule="")
    assert "Résultats des évaluations" in html and "Critère" in html
