"""Every page of tests/pages.py, as its user sees it, scanned by axe."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.pages import PAGES, build_world
from tests.snapshots import restored

pytestmark = pytest.mark.django_db(transaction=True)


def open_session(page, live_server, user):
    """Log the browser in without the form (the login form has its own tests)."""
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


@pytest.mark.parametrize("entry", PAGES, ids=str)
def test_page_has_no_accessibility_violation(page, live_server, assert_accessible, entry):
    # Built once per worker, restored for each page (what a page wrote is gone).
    world = restored("pages.build_world", build_world)
    if entry.as_role:
        open_session(page, live_server, world["users"][entry.as_role])
    response = page.goto(reverse(entry.url_name, kwargs=entry.kwargs(world)))
    assert response.ok, f"{entry}: HTTP {response.status}"
    assert entry.shows in page.locator("main").inner_text()
    assert page.locator("html").get_attribute("lang") == "fr"
    assert page.locator("main#main").count() == 1
    assert_accessible(page)
