"""Playwright driving Debian's Chromium against pytest-django's live server."""

import os

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import sync_playwright

from maillage.accounts.models import User
from maillage.devtools.generator import DEMO_NETWORK_SLUG
from maillage.directory.models import Network
from tests.browser.impacts import BLOCKING_IMPACTS
from tests.snapshots import restored

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser():
    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
    # around it are still synchronous and safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    executable = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
    if not os.path.exists(executable):
        pytest.fail(
            f"Chromium not found at {executable}: install it with 'apt-get install chromium'"
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


_server = {}


@pytest.fixture(scope="session", autouse=True)
def _live_server_url(live_server):
    _server["url"] = live_server.url


def sign_in(page, user):
    """Log `user` (a user or an e-mail) into the page's browser, without the login form.

    The walks that are not about logging in start this way: the form, the lockout and each
    role's landing page have tests of their own (test_demo_login.py, test_pages_accessibility.py,
    test_first_impressions_rules.py), and a login through the form costs three page loads, the
    landing one a whole report for a coordinator or a funder. The cookies of whoever was logged
    in before are cleared first; the page stays where it is."""
    if isinstance(user, str):
        user = User.objects.get(email=user)
    client = Client()
    client.force_login(user)
    page.context.clear_cookies()
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": _server["url"],
            }
        ]
    )


@pytest.fixture
def page(browser, live_server):
    """A fresh browser tab; any script error or Content-Security-Policy violation fails the test."""
    context = browser.new_context(base_url=live_server.url, locale="fr-FR")
    # Two workers share the machine's cores with their live servers: a report page may take
    # a few seconds to build while the other worker's test runs.
    context.set_default_timeout(20_000)
    page = context.new_page()
    problems = []
    page.on("pageerror", lambda error: problems.append(f"script error: {error}"))
    page.on(
        "console",
        lambda message: (
            problems.append(f"console: {message.text}")
            if message.type == "error" and "Content Security Policy" in message.text
            else None
        ),
    )
    page.problems = problems
    yield page
    context.close()
    assert not problems, "\n".join(problems)


@pytest.fixture
def demo(transactional_db):
    """The demo network, as `loaddemo` builds it through the services: built once per worker,
    then put back from a copy for each test (tests/snapshots.py), the writes of the test before
    gone. Ask for it before any fixture that makes rows: it replaces the whole database."""
    restored("loaddemo", lambda: call_command("loaddemo", verbosity=0))
    return Network.objects.get(slug=DEMO_NETWORK_SLUG)


_axe = Axe()


@pytest.fixture
def assert_accessible():
    """Run axe on the current page; any violation fails the test, with where it is."""

    def _check(page, impacts=BLOCKING_IMPACTS):
        page.wait_for_load_state("load")
        try:
            results = _axe.run(page)
        except PlaywrightError:
            # A click's navigation replaced the page while axe read it ("reading
            # 'documentElement'" of no document): read the page it led to.
            page.wait_for_load_state("load")
            results = _axe.run(page)
        blocking = [v for v in results.response["violations"] if v["impact"] in impacts]
        assert not blocking, f"{page.url}\n" + "\n".join(
            f"- [{v['impact']}] {v['id']}: {v['help']} ({len(v['nodes'])} nodes: "
            + ", ".join(n["target"][0] for n in v["nodes"][:5])
            + ")"
            for v in blocking
        )
        return results.response["violations"]

    return _check
