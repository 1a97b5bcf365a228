"""Issue 17, points 4, 5, 6 and 12, walked in Chromium on the demo data, axe on every page opened.

Screenshots of the map at 1366 px and of the report's charts are saved under
var/test-artifacts/ (not committed) for a reader to look at.
"""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from playwright.sync_api import expect

from maillage.accounts.models import User
from maillage.pathways.models import Person

pytestmark = pytest.mark.django_db(transaction=True)

ARTIFACTS = Path(settings.BASE_DIR) / "var" / "test-artifacts"
PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1366, "height": 768}

# Every element whose right edge passes the viewport's (a horizontal scroll of the page or of a
# box the reader must scroll to see all of a row).
OVERFLOWING = """() => {
  const width = document.documentElement.clientWidth;
  const out = [];
  for (const element of document.querySelectorAll("body *")) {
    const box = element.getBoundingClientRect();
    if (box.width > 0 && box.right > width + 0.5) {
      out.push(`${element.tagName.toLowerCase()}.${element.className} → ${Math.round(box.right)}`);
    }
  }
  return out.slice(0, 10);
}"""


def open_session(page, live_server, email):
    """Log the browser in without the form (the login form has its own tests)."""
    client = Client()
    client.force_login(User.objects.get(email=email))
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def save_artifact(page_or_locator, name):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page_or_locator.screenshot(path=str(ARTIFACTS / name))


def test_map_home_and_timeline_fit_a_phone_and_the_map_shows_six_stages_on_a_laptop(
    demo, page, live_server, assert_accessible
):
    """Point 4: at 390 px nothing is wider than the screen (home, map as a list of stages, the
    advisor's home, a person's timeline); at 1366 px the six stages of the map are side by side."""
    network = demo
    map_url = reverse("directory:map", kwargs={"slug": network.slug})
    person = Person.objects.filter(accompaniments__structure__slug="intermade").first()

    page.set_viewport_size(PHONE)
    open_session(page, live_server, "conseil.intermade@demo.maillage.test")
    for url in (
        reverse("home"),
        map_url,
        reverse("pathways:home"),
        reverse("pathways:person_detail", kwargs={"uuid": person.uuid}),
    ):
        page.goto(url)
        assert page.evaluate(OVERFLOWING) == [], url
        assert_accessible(page)
    # On the phone the map reads stage by stage: one column, each stage under the previous one.
    page.goto(map_url)
    titles = page.locator(".map-column__title")
    expect(titles).to_have_count(6)
    lefts = {round(titles.nth(index).bounding_box()["x"]) for index in range(6)}
    assert len(lefts) == 1
    tops = [titles.nth(index).bounding_box()["y"] for index in range(6)]
    assert tops == sorted(tops)
    # The timeline keeps its Structure on the phone, beside the event it belongs to.
    page.goto(reverse("pathways:person_detail", kwargs={"uuid": person.uuid}))
    timeline = page.get_by_role("region", name="Chronologie entre structures")
    expect(timeline.locator("td[data-label='Structure']").first).to_be_visible()

    page.set_viewport_size(LAPTOP)
    page.goto(map_url)
    titles = page.locator(".map-column__title")
    expect(titles).to_have_count(6)
    for index in range(6):
        box = titles.nth(index).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= LAPTOP["width"], index
    assert page.evaluate(OVERFLOWING) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= LAPTOP["width"]
    save_artifact(page, "map-1366.png")
    assert_accessible(page)


# Every text of a chart's SVG that is cut: outside the drawing, or ended by an ellipsis.
CUT_LABELS = """(chart) => {
  const svg = chart.querySelector("svg");
  const frame = svg.getBoundingClientRect();
  const cut = [];
  for (const text of svg.querySelectorAll("text")) {
    const box = text.getBoundingClientRect();
    if (box.width === 0) continue;
    const outside = box.left < frame.left - 0.5 || box.right > frame.right + 0.5
      || box.top < frame.top - 0.5 || box.bottom > frame.bottom + 0.5;
    if (outside || /(…|\\.\\.\\.)$/.test(text.textContent)) cut.push(text.textContent);
  }
  return cut;
}"""


def test_every_chart_is_readable_at_1366_px_with_no_label_cut_and_prints(
    demo, page, live_server, assert_accessible
):
    """Point 5: on the demo, read unmasked by a structure's administrator, the four charts are
    drawn in SVG, every label whole inside its drawing, each beside its table; the funnel is one
    bar per stage with the stage's full name; the Sankey is wide; on paper the charts stay."""
    network = demo
    page.set_viewport_size(LAPTOP)
    open_session(page, live_server, "admin.intermade@demo.maillage.test")
    page.goto(reverse("reporting:network", kwargs={"slug": network.slug}), timeout=60_000)
    drawings = page.locator(".report-chart__canvas svg")
    expect(drawings).to_have_count(4)
    for key in ("flows", "funnel", "acts", "outcomes"):
        figure = page.locator(f".report-chart--{key}")
        chart = figure.locator(".report-chart__canvas")
        assert chart.evaluate(CUT_LABELS) == [], key
        expect(figure.locator(".report-chart__table table")).to_be_visible()
        save_artifact(figure, f"report-chart-{key}.png")
    # Each stage's full name is drawn beside its bar (wrapped when long, never shortened).
    funnel_text = page.locator(".report-chart--funnel .report-chart__canvas svg").text_content()
    for stage in ("Accueil, information, orientation", "Consolidation et développement"):
        assert all(word in funnel_text for word in stage.split()), stage
    sankey = page.locator(".report-chart--flows .report-chart__canvas").bounding_box()
    assert sankey["width"] >= 1000 and sankey["height"] >= 500
    assert_accessible(page)
    page.emulate_media(media="print")
    expect(page.locator(".report-filters-box")).to_be_hidden()
    expect(drawings.first).to_be_visible()
    expect(page.locator(".report-chart__table table").first).to_be_visible()


def test_the_report_opens_on_its_key_figures_and_keeps_the_details_for_later(
    demo, page, live_server, assert_accessible
):
    """Point 12: the coordinator's report of the demo weighs under 200 KB, shows its key figures
    on a laptop's first screen, the charts and the wandering figures; a definition unfolds, an
    indicator's breakdowns open in place (htmx) or on their own page."""
    network = demo
    page.set_viewport_size(LAPTOP)
    open_session(page, live_server, "coordination@demo.maillage.test")
    # A report is computed on each view: seconds on a loaded machine.
    response = page.goto(
        reverse("reporting:network", kwargs={"slug": network.slug}), timeout=60_000
    )
    assert len(response.body()) < 200_000
    cards = page.locator("#report-results .report-card")
    expect(page.get_by_role("heading", name="Chiffres clés")).to_be_in_viewport()
    expect(cards.first).to_be_in_viewport()
    expect(page.get_by_role("heading", name="Errance entre structures")).to_be_visible()
    expect(page.locator("#card-wandering_many_structures")).to_be_visible()
    assert_accessible(page)

    row = page.locator("#indicator-persons_accompanied")
    definition = row.locator(".report-formula p").first
    expect(definition).to_be_hidden()
    row.locator(".report-formula summary").click()
    expect(definition).to_be_visible()
    row.locator(".report-breakdown summary").click()
    # The report is computed again for them: seconds on a loaded machine.
    expect(row.locator(".report-breakdown__tables table").first).to_be_visible(timeout=30_000)
    assert_accessible(page)
    # Without htmx, the same breakdowns are a page of their own.
    link = reverse(
        "reporting:network_breakdowns",
        kwargs={"slug": network.slug, "code": "persons_accompanied"},
    )
    page.goto(link, timeout=60_000)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Personnes accompagnées")
    expect(page.locator(".report-table").first).to_be_visible()
    assert_accessible(page)


def test_attendees_of_a_collective_act_are_found_by_typing(
    demo, page, live_server, assert_accessible
):
    """Point 6: on the demo, an advisor types part of a name; the list narrows as they type
    (htmx) to the matching persons, each with birth year and file number; a ticked person stays
    ticked through the next search."""
    open_session(page, live_server, "conseil.intermade@demo.maillage.test")
    page.goto(reverse("pathways:act_create"))
    options = page.locator("#attendee-options li")
    assert options.count() <= 20  # not the whole caseload as bare checkboxes
    assert_accessible(page)
    person = Person.objects.filter(accompaniments__structure__slug="intermade").first()
    search = page.get_by_label("Trouver une personne")
    with page.expect_response(lambda response: "participants" in response.url):
        search.fill(person.last_name)
    expect(options.first).to_contain_text(person.last_name, timeout=20_000)
    match = page.get_by_role("checkbox", name=person.display_name).first
    expect(match).to_be_visible()
    expect(page.locator("#attendee-options")).to_contain_text(
        re.compile(r"né·e en \d{4}|année de naissance inconnue")
    )
    match.check()
    with page.expect_response(lambda response: "participants" in response.url):
        search.fill("zzz-nobody")
    expect(options).to_have_count(1, timeout=20_000)  # the ticked person, kept
    expect(page.get_by_role("checkbox", name=person.display_name).first).to_be_checked()
    assert_accessible(page)
