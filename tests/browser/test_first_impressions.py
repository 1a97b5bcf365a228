"""Issue 17, points 4, 5, 6 and 12, walked in Chromium on the demo data, axe on every page opened.

Screenshots of the map at 1366 px and of the report's charts are saved under
var/test-artifacts/ (not committed) for a reader to look at.
"""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from playwright.sync_api import expect

from maillage.accounts.models import User
from maillage.directory.models import Network
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
    page, live_server, assert_accessible
):
    """Point 4: at 390 px nothing is wider than the screen (home, map as a list of stages, the
    advisor's home, a person's timeline); at 1366 px the six stages of the map are side by side."""
    call_command("loaddemo", verbosity=0)
    network = Network.objects.get()
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
