"""Every page that exists, scanned by axe in Chromium; plus keyboard use of the layout."""

import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.db import SessionStore
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils import translation

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def log_in(page, email, password):
    page.goto("/compte/connexion/")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()


def rendered_page(template, path):
    """A template rendered by Django as it would be for an anonymous visitor."""
    request = RequestFactory().get(path)
    request.user = AnonymousUser()
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    with translation.override("fr"):
        request.LANGUAGE_CODE = "fr"
        return render_to_string(template, request=request)


def test_the_404_page_has_no_accessibility_violation(page, assert_accessible):
    response = page.goto("/does-not-exist")
    assert response.status == 404
    assert "Page introuvable" in page.locator("h1").inner_text()
    assert_accessible(page)


@pytest.mark.parametrize(
    ("template", "heading"),
    [
        ("500.html", "Une erreur est survenue"),
        ("403.html", "Accès refusé"),
        ("400.html", "Requête"),
    ],
)
def test_error_pages_have_no_serious_accessibility_violation(
    page, assert_accessible, template, heading
):
    html = rendered_page(template, "/erreur/")
    page.route("**/erreur/", lambda route: route.fulfill(body=html, content_type="text/html"))
    page.goto("/erreur/")
    assert heading in page.locator("h1").inner_text()
    assert_accessible(page)


def test_login_errors_and_lockout_pages_are_accessible(page, assert_accessible):
    UserFactory(email="camille@exemple.test")
    log_in(page, "camille@exemple.test", "pas-le-bon")
    alert = page.get_by_role("alert")
    assert "Adresse e-mail ou mot de passe incorrect" in alert.inner_text()
    assert_accessible(page)
    for _ in range(9):
        log_in(page, "camille@exemple.test", "pas-le-bon")
    log_in(page, "camille@exemple.test", PASSWORD)
    assert "Trop de tentatives" in page.locator("h1").inner_text()
    assert_accessible(page)


def test_pages_in_english_are_accessible(page, assert_accessible):
    page.goto("/")
    page.get_by_role("button", name=re.compile("English")).click()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("link", name="Log in").is_visible()
    assert_accessible(page)


def test_skip_link_is_the_first_stop_and_moves_focus_to_the_content(page):
    page.goto("/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Passer au contenu principal"
    assert page.locator(".skip-link").is_visible()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def test_login_form_is_usable_with_the_keyboard_alone(page):
    UserFactory(email="camille@exemple.test")
    page.goto("/compte/connexion/")
    # The e-mail field has the focus on arrival.
    page.keyboard.type("camille@exemple.test")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/compte/")
    assert page.locator("h1").inner_text() == "Mon compte"


def test_the_accessibility_check_does_catch_violations(page, assert_accessible):
    """Guard against a scan that silently checks nothing."""
    broken = (
        '<!doctype html><html lang="fr"><head><title>x</title></head><body><main>'
        '<input type="text"><img src="/static/none.png"></main></body></html>'
    )
    page.route("**/casse/", lambda route: route.fulfill(body=broken, content_type="text/html"))
    page.goto("/casse/")
    with pytest.raises(AssertionError, match="label"):
        assert_accessible(page)


def test_inline_script_is_refused_by_our_policy_and_reported(page, client):
    """Guard: the fixture does see Content-Security-Policy violations under our own header."""
    policy = client.get("/")["Content-Security-Policy"]
    html = '<!doctype html><html lang="fr"><title>x</title><script>window.x = 1</script></html>'
    page.route(
        "**/inline/",
        lambda route: route.fulfill(
            body=html, content_type="text/html", headers={"Content-Security-Policy": policy}
        ),
    )
    page.goto("/inline/")
    assert page.evaluate("typeof window.x") == "undefined"
    assert any("Content Security Policy" in problem for problem in page.problems)
    page.problems.clear()
