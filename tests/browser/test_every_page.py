"""Every page of tests/pages.py, as its user sees it, scanned by axe.

The pages are visited a few at a time, by one user in a row: one restore of the world and one
login per group, not per page (a page cost twice as much in restoring, emptying the tables and
opening a tab as in being read). Each page is still checked on its own, and a group reports
every page that fails, each with what failed, not only the first.
"""

from itertools import groupby

import pytest
from django.test import Client
from django.urls import reverse

from tests.pages import PAGES, build_world
from tests.snapshots import restored

pytestmark = pytest.mark.django_db(transaction=True)

# Pages per group: small enough that the two workers share the groups evenly.
GROUP_SIZE = 12


def open_session(page, live_server, user):
    """Log the browser in without the form (the login form has its own tests)."""
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def _role(entry):
    return entry.as_role or "anonymous"


def _groups():
    """The pages by role, in the registry's order, cut into groups of at most GROUP_SIZE."""
    groups = []
    for role, entries in groupby(sorted(PAGES, key=_role), key=_role):
        entries = list(entries)
        count = -(-len(entries) // GROUP_SIZE)
        size = -(-len(entries) // count)
        for number in range(count):
            chunk = entries[number * size : (number + 1) * size]
            groups.append(pytest.param(chunk, id=f"{role}-{number + 1}of{count}"))
    return groups


def check_page(page, assert_accessible, entry, world):
    response = page.goto(reverse(entry.url_name, kwargs=entry.kwargs(world)))
    assert response.ok, f"HTTP {response.status}"
    assert entry.shows in page.locator("main").inner_text()
    assert page.locator("html").get_attribute("lang") == "fr"
    assert page.locator("main#main").count() == 1
    assert_accessible(page)


@pytest.mark.parametrize("entries", _groups())
def test_pages_have_no_accessibility_violation(page, live_server, assert_accessible, entries):
    # Built once per worker, restored once per group (what the group's pages wrote is gone).
    world = restored("pages.build_world", build_world)
    if entries[0].as_role:
        open_session(page, live_server, world["users"][entries[0].as_role])
    failures = []
    for entry in entries:
        try:
            check_page(page, assert_accessible, entry, world)
        except Exception as error:  # every page's failure is reported below
            failures.append(f"{entry}: {type(error).__name__}: {error}")
        # A script error or CSP violation belongs to the page that raised it.
        if page.problems:
            failures.append(f"{entry}: " + "\n".join(page.problems))
            page.problems.clear()
    assert not failures, f"{len(failures)} of {len(entries)} pages fail:\n\n" + "\n\n".join(
        failures
    )
