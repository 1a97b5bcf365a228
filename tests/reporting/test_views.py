"""The report pages and files as each reader gets them: who may open what, the filters, the same
figures on the page and in every file, and nothing from 1 to 4 for a masked reader."""

import copy
import csv
import datetime
import html
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from maillage.accounts.rules import forget_roles
from maillage.pathways.acts import services as act_services
from maillage.pathways.persons import services as person_services
from maillage.reporting import selectors
from maillage.reporting.forms import ReportFilterForm
from tests.factories import StructureMembershipFactory, act_type
from tests.reporting.report_samples import build_report_world
from tests.utils import page_text
from tests.worlds import module_world

PERIOD = {"from": "2025-01-01", "to": "2025-12-31"}


# Built once for the module (each test in a savepoint of its transaction, with its own copy).
shared_report_world = module_world(build_report_world, name="shared_report_world")


@pytest.fixture
def world(shared_report_world, db):
    return copy.deepcopy(shared_report_world)


def report_url(world, name="network", **query):
    url = reverse(f"reporting:{name}", kwargs={"slug": world.network.slug})
    params = {**PERIOD, **query}
    return url + "?" + "&".join(f"{key}={value}" for key, value in params.items())


def shown_value(response, code):
    """The figure shown for the indicator `code` on the report page."""
    row = re.search(
        rf'<tr id="indicator-{code}".*?<td class="report-table__number report-value[^"]*"'
        r"[^>]*>([^<]*)</td>",
        response.content.decode(),
        re.DOTALL,
    )
    assert row, f"indicator {code} not on the page"
    return html.unescape(row.group(1))


def built_report(user, **query):
    forget_roles(user)
    form = ReportFilterForm({"network": "reseau-test", **PERIOD, **query}, user=user)
    assert form.is_valid(), form.errors
    return selectors.build_report(user=user, filters=form.filters())


# --- Who may open what ------------------------------------------------------------------------


def test_the_index_lists_the_scopes_of_each_reader(world, login):
    coordinator_page = page_text(login(world.coordinator).get(reverse("reporting:index")))
    assert reverse("reporting:network", kwargs={"slug": "reseau-test"}) in coordinator_page
    assert "/rapports/autre-reseau/" not in coordinator_page

    funder_page = page_text(login(world.other_funder).get(reverse("reporting:index")))
    assert "Rapport d'Autre réseau" in funder_page
    assert "/rapports/reseau-test/" not in funder_page

    admin_page = page_text(login(world.admin).get(reverse("reporting:index")))
    assert "/rapports/reseau-test/?structure=intermade" in admin_page
    assert "Rapport de Réseau test" not in admin_page


def test_the_reports_menu_shows_for_readers_only(world, login):
    menu = f'href="{reverse("reporting:index")}"'
    assert menu in page_text(login(world.funder).get(reverse("accounts:account")))
    assert menu not in page_text(login(world.advisor).get(reverse("accounts:account")))


def test_an_advisor_gets_no_report(world, login):
    client = login(world.advisor)
    assert client.get(reverse("reporting:index")).status_code == 403
    assert client.get(report_url(world)).status_code == 403
    assert client.get(report_url(world, "network_xlsx")).status_code == 403


def test_a_funder_of_another_network_finds_nothing(world, login):
    client = login(world.other_funder)
    for name in ("network", "network_xlsx", "network_csv", "network_pdf"):
        assert client.get(report_url(world, name)).status_code == 404, name


def test_a_visitor_is_sent_to_the_login(world, client):
    response = client.get(report_url(world))
    assert response.status_code == 302 and "connexion" in response["Location"]


def test_a_structure_admin_reads_their_structure_only(world, login):
    client = login(world.admin)
    response = client.get(report_url(world))
    assert response.status_code == 200
    # Defaults to their structure, with counts from 1 to 4 unmasked for their own figures.
    assert shown_value(response, "persons_accompanied") == "7"
    response = client.get(report_url(world, structure="apeas"))
    assert "Le rapport ne peut pas être calculé" in page_text(response)


def test_the_admin_of_two_structures_is_asked_to_choose_one(world, login):
    StructureMembershipFactory(structure=world.apeas, user=world.admin, admin=True)
    client = login(world.admin)
    response = client.get(report_url(world))
    assert response.status_code == 200
    assert "Choisissez l'une de vos structures" in page_text(response)
    assert client.get(report_url(world, "network_pdf")).status_code == 302
    response = client.get(report_url(world, structure="apeas"))
    assert shown_value(response, "persons_accompanied") == "3"  # their own: unmasked


# --- The page ---------------------------------------------------------------------------------


def test_the_report_shows_each_indicator_with_its_definition_and_the_masking_rule(world, login):
    response = login(world.coordinator).get(report_url(world))
    assert response.status_code == 200
    text = page_text(response)
    report = built_report(world.coordinator)
    assert report.indicators
    for code, result in report.indicators.items():
        assert f'id="indicator-{code}"' in text
        assert result.definition in text and result.formula in text
        assert shown_value(response, code) == result.value.display
    assert selectors.masking_rule_text() in text
    assert shown_value(response, "persons_accompanied") == "10"


def test_the_first_screen_shows_the_key_figures_charts_and_wandering_then_details_on_demand(
    world, login
):
    """Issue 17 point 12: cards with their change on the previous period first, the charts, the
    wandering figures; definitions folded and each indicator's breakdowns on their own page."""
    client = login(world.coordinator)
    content = client.get(report_url(world)).content.decode()
    headline = content.index('id="headline-title"')
    assert headline < content.index('id="charts-title"') < content.index('id="wandering-title"')
    assert content.index('id="wandering-title"') < content.index('id="indicators-title"')
    card = re.search(
        r'<li class="report-card" id="card-persons_accompanied">(.*?)</li>', content, re.S
    )
    assert card and ">\n    10 <span" in card.group(1)
    # No breakdown table on the report page: a link (and htmx) opens them per indicator.
    assert "APEAS</th>" not in content
    breakdowns = reverse(
        "reporting:network_breakdowns",
        kwargs={"slug": world.network.slug, "code": "persons_accompanied"},
    )
    assert f'href="{breakdowns}?from=2025-01-01&amp;to=2025-12-31"' in content
    page = client.get(breakdowns, PERIOD)
    assert "Ventilations de « Personnes accompagnées »" in page_text(page)
    # Breakdown by structure: APEAS's three people are masked.
    assert re.search(
        r'<th scope="row">APEAS</th>\s*<td class="report-table__number report-figure--masked"',
        page.content.decode(),
    )
    partial = client.get(breakdowns, PERIOD, HTTP_HX_REQUEST="true")
    assert "<html" not in partial.content.decode() and "APEAS</th>" in partial.content.decode()
    assert (
        client.get(
            reverse(
                "reporting:network_breakdowns", kwargs={"slug": world.network.slug, "code": "x"}
            ),
            PERIOD,
        ).status_code
        == 404
    )


def test_a_card_shows_a_change_only_when_both_figures_are_shown(world, login):
    """A masked reader sees no change beside a figure masked now or over the previous period."""
    response = login(world.coordinator).get(report_url(world))
    report = built_report(world.coordinator)
    content = response.content.decode()
    for code, result in report.indicators.items():
        card = re.search(rf'id="card-{code}">(.*?)</li>', content, re.S)
        if card is None:
            continue
        both_shown = (
            result.previous is not None
            and not result.value.masked
            and not result.previous.masked
            and result.value.value is not None
            and result.previous.value is not None
        )
        assert ("par rapport à la période précédente" in card.group(1)) == both_shown, code


def test_filtering_by_structure_and_period_changes_the_figures(world, login):
    response = login(world.admin).get(report_url(world, structure="intermade"))
    assert shown_value(response, "persons_accompanied") == "7"
    client = login(world.coordinator)
    later = client.get(report_url(world, **{"from": "2025-06-01"}))
    assert shown_value(later, "persons_accompanied") == "0"


def test_a_masked_reader_may_not_single_out_a_few_people_by_a_filter(world, login):
    """APEAS's three people, or the three left out by Intermade's report, would be the
    difference between the network's report and the structure's (docs/masking.md)."""
    client = login(world.coordinator)
    for structure in ("apeas", "intermade"):
        response = client.get(report_url(world, structure=structure))
        assert "fewer than 5" in page_text(response) or "moins de 5" in page_text(response)
        assert 'id="indicator-persons_accompanied"' not in response.content.decode()
        csv_response = client.get(report_url(world, "network_csv", structure=structure))
        assert csv_response.status_code == 302


def test_the_export_links_carry_the_filters(world, login):
    response = login(world.coordinator).get(
        report_url(world, **{"from": "2025-03-01", "to": "2025-03-31"})
    )
    text = page_text(response)
    for name in ("network_xlsx", "network_csv", "network_pdf", "network_persons_csv"):
        url = reverse(f"reporting:{name}", kwargs={"slug": "reseau-test"})
        assert f"{url}?from=2025-03-01&to=2025-03-31" in text, name


def test_only_a_coordinator_is_offered_the_pseudonymised_persons(world, login):
    url = reverse("reporting:network_persons_csv", kwargs={"slug": "reseau-test"})
    assert url in page_text(login(world.coordinator).get(report_url(world)))
    assert url not in page_text(login(world.funder).get(report_url(world)))


def test_htmx_gets_the_results_only(world, login):
    response = login(world.coordinator).get(report_url(world), HTTP_HX_REQUEST="true")
    text = page_text(response)
    assert "<html" not in text and 'id="indicator-persons_accompanied"' in text


def test_wrong_filters_say_what_to_correct_and_files_go_back_to_the_page(world, login):
    client = login(world.coordinator)
    response = client.get(report_url(world, **{"from": "2025-12-31", "to": "2025-01-01"}))
    assert response.status_code == 200
    text = page_text(response)
    assert "Le rapport ne peut pas être calculé" in text
    assert "Corrigez les filtres ci-dessus" in text
    download = client.get(
        report_url(world, "network_xlsx", **{"from": "2025-12-31", "to": "2025-01-01"})
    )
    assert download.status_code == 302
    assert download["Location"].startswith(
        reverse("reporting:network", kwargs={"slug": "reseau-test"})
    )


# The engine's aggregates, the filter choices and the session: a fixed number of queries, whatever
# the number of people, acts and referrals (a ceiling, and no growth when rows are added). A
# masked reader's 12-month report also reads each month of the period and of the previous one
# (acts, applications, referrals, outcomes) and the four periods one month shorter
# (docs/masking.md): a number fixed by the months, not by the data.
MAX_QUERIES = 400


def page_queries(client, url) -> int:
    client.get(url)  # the first read after writes may refresh the engine's pre-aggregates
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries.captured_queries)


def test_the_report_page_makes_a_bounded_number_of_queries(world, login):
    client = login(world.coordinator)
    before = page_queries(client, report_url(world))
    assert before <= MAX_QUERIES
    for index in range(20):
        person = person_services.create_person(
            structure=world.intermade,
            user=world.advisor,
            first_name="Nouveau",
            last_name=f"N{index}",
        )
        act_services.record_act(
            structure=world.intermade,
            user=world.advisor,
            act_type=act_type("collective_workshop"),
            occurred_on=datetime.date(2025, 5, 1 + index),
            duration_minutes=90,
            persons=[person],
        )
    assert page_queries(client, report_url(world)) <= before


# --- The files --------------------------------------------------------------------------------


def test_the_xlsx_holds_the_figures_of_the_page_and_the_definitions(world, login):
    response = login(world.coordinator).get(report_url(world, "network_xlsx"))
    assert response.status_code == 200
    assert (
        'filename="rapport-reseau-test-2025-01-01-2025-12-31.xlsx"'
        in response["Content-Disposition"]
    )
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    assert "Définitions" in book.sheetnames
    definitions = list(book["Définitions"].iter_rows(values_only=True))
    assert definitions[0] == ("Code", "Indicateur", "Définition", "Formule", "Unité")
    report = built_report(world.coordinator)
    assert [row[0] for row in definitions[1:]] == list(report.indicators)
    indicators = {row[0]: row for row in book["Indicateurs"].iter_rows(values_only=True)}
    for code, result in report.indicators.items():
        figure = result.value
        expected = figure.display if figure.masked or figure.value is None else figure.value
        assert indicators[code][2] == expected, code


def test_the_csv_holds_the_indicators_as_on_the_page(world, login):
    response = login(world.coordinator).get(report_url(world, "network_csv"))
    assert response.status_code == 200
    lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    by_code = {line[0]: line for line in lines[1:] if line}
    report = built_report(world.coordinator)
    for code, result in report.indicators.items():
        assert by_code[code][2] == result.value.display, code
    assert by_code["persons_accompanied"][2] == "10"
    assert lines[-1] == [selectors.masking_rule_text()]


def test_the_pseudonymised_csv_is_refused_to_funders_and_structure_admins(world, login):
    for user in (world.funder, world.admin):
        assert login(user).get(report_url(world, "network_persons_csv")).status_code == 403


def test_the_pseudonymised_csv_names_nobody(world, login):
    response = login(world.coordinator).get(report_url(world, "network_persons_csv"))
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        'attachment; filename="personnes-pseudonymisees-reseau-test-2025-01-01-2025-12-31.csv"'
    )
    content = response.content.decode("utf-8-sig")
    assert "Prénom0" not in content and "IntermadeNom0" not in content
    lines = [line for line in content.splitlines() if line]
    assert len(lines) == 12  # header, 10 persons and the k reached
    assert lines[-1].startswith("k-anonymat")
