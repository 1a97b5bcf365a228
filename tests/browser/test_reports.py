"""Acceptance 4: in a browser, the coordinator opens the network's report, filters it by structure
and period, sees the figures change, and downloads the XLSX; the charts are drawn without any
script error or Content-Security-Policy violation (the `page` fixture fails on them)."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.browser.conftest import sign_in
from tests.reporting.report_samples import build_report_world

pytestmark = pytest.mark.django_db(transaction=True)

# A report is computed for each filter (htmx): on a loaded machine that takes seconds.
REPORT_TIMEOUT = 20_000


def log_in(page, user):
    sign_in(page, user)  # the login form has its own tests (tests/browser/conftest.py)


def open_filters(page):
    """The filters are folded once a report is shown (its key figures come first)."""
    if page.locator(".report-filters-box").get_attribute("open") is None:
        page.locator(".report-filters-box > summary").click()


def persons_accompanied(page):
    return page.locator("#indicator-persons_accompanied .report-value")


def test_the_coordinator_filters_the_report_and_downloads_the_xlsx(page, assert_accessible):
    world = build_report_world()
    log_in(page, world.coordinator)
    page.goto("/")

    page.get_by_role("navigation", name="Menu principal").get_by_role(
        "link", name="Rapports"
    ).click()
    expect(page.get_by_role("heading", level=1, name="Rapports")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Rapport de Réseau test").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Rapport de Réseau test")

    # The whole network over 2025.
    open_filters(page)
    page.locator("#id_from").fill("2025-01-01")
    page.locator("#id_to").fill("2025-12-31")
    page.get_by_role("button", name="Afficher le rapport").click()
    expect(persons_accompanied(page)).to_have_text("10", timeout=REPORT_TIMEOUT)

    # Every chart is drawn (an SVG) beside its table, and named for assistive technology.
    charts = page.locator(".report-chart__canvas")
    expect(charts.first.locator("svg")).to_be_visible()
    for index in range(charts.count()):
        chart = charts.nth(index)
        expect(chart.locator("svg")).to_have_count(1)
        assert chart.get_attribute("role") == "img"
        assert chart.get_attribute("aria-label")
    assert_accessible(page)

    # A structure whose report would single out fewer than 5 of the network's people (APEAS's
    # three, compared with the network's ten) is refused, and the page says why.
    page.locator("#id_structure").select_option(label="APEAS")
    page.get_by_role("button", name="Afficher le rapport").click()
    expect(page.get_by_role("alert")).to_contain_text("moins de 5", timeout=REPORT_TIMEOUT)
    assert "structure=apeas" in page.url
    # Filter by period: the address keeps the filters.
    page.locator("#id_structure").select_option(label="Tous")
    page.locator("#id_from").fill("2025-03-01")
    page.locator("#id_to").fill("2025-03-31")
    page.get_by_role("button", name="Afficher le rapport").click()
    expect(persons_accompanied(page)).to_have_text("10", timeout=REPORT_TIMEOUT)
    expect(page.locator(".report-chart__canvas svg").first).to_be_visible()
    assert_accessible(page)

    # The XLSX has the same figure, for the same filters.
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Tableur (XLSX)").click()
    download = download_info.value
    assert download.suggested_filename == "rapport-reseau-test-2025-03-01-2025-03-31.xlsx"
    book = load_workbook(io.BytesIO(download.path().read_bytes()), read_only=True)
    assert "Définitions" in book.sheetnames
    indicators = {row[0]: row for row in book["Indicateurs"].iter_rows(values_only=True)}
    assert indicators["persons_accompanied"][2] == 10


def test_the_report_reads_without_javascript(browser, live_server):
    """The GET form and the tables work with scripts off; the charts' tables say it all."""
    world = build_report_world()
    context = browser.new_context(
        base_url=live_server.url, locale="fr-FR", java_script_enabled=False
    )
    page = context.new_page()
    try:
        log_in(page, world.funder)
        url = reverse("reporting:network", kwargs={"slug": "reseau-test"})
        page.goto(f"{url}?from=2025-01-01&to=2025-12-31")
        expect(persons_accompanied(page)).to_have_text("10", timeout=REPORT_TIMEOUT)
        open_filters(page)
        page.locator("#id_from").fill("2025-03-01")
        page.locator("#id_to").fill("2025-03-31")
        page.get_by_role("button", name="Afficher le rapport").click()
        expect(persons_accompanied(page)).to_have_text("10", timeout=REPORT_TIMEOUT)
        assert "from=2025-03-01" in page.url
        expect(page.locator(".report-chart__canvas").first).to_be_hidden()
        expect(page.locator(".report-chart table").first).to_be_visible()
    finally:
        context.close()


def test_a_funder_sees_the_four_charts_drawn_without_a_script_error(page, assert_accessible):
    """On a year of history: the Sankey, the funnel, the acts per month and the outcomes are all
    drawn; a tooltip opens inside the drawing (no inline style for the CSP to refuse)."""
    from tests.reporting.world import build_world

    world = build_world()
    # Read unmasked by a structure's administrator: for a funder, every flow of this small
    # history differs by 1 to 4 from the same flow a month shorter, so the Sankey would have
    # nothing left to draw (docs/masking.md).
    log_in(page, world.admins["intermade"])
    url = reverse("reporting:network", kwargs={"slug": world.network.slug})
    page.goto(f"{url}?structure=intermade&from=2025-01-01&to=2025-12-31")
    drawings = page.locator(".report-chart__canvas svg")
    expect(drawings).to_have_count(4)
    for key in ("flows", "funnel", "acts", "outcomes"):
        chart = page.locator(f'[data-chart="chart-data-{key}"]')
        expect(chart.locator("svg")).to_be_visible()
        box = chart.bounding_box()
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        page.wait_for_timeout(100)
    assert_accessible(page)
    # A funder's masked figures are in the tables as "<5", beside the charts.
    page.context.clear_cookies()
    log_in(page, world.funder)
    page.goto(f"{url}?from=2025-01-01&to=2025-12-31")
    expect(page.locator(".report-chart td.report-figure--masked").first).to_be_visible()
    assert_accessible(page)
