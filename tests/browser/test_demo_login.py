import pytest

from maillage.accounts.demo import DEMO_PASSWORD
from tests.browser.impacts import SERIOUS_IMPACTS

pytestmark = pytest.mark.django_db(transaction=True)


def test_demo_coordinator_logs_in_through_the_login_page(demo, page, assert_accessible):
    page.goto("/")
    assert "Réseau d'accompagnement ESS des Bouches-du-Rhône" in page.content()
    page.get_by_role("link", name="Se connecter").click()
    page.get_by_label("Adresse e-mail").fill("coordination@demo.maillage.test")
    page.get_by_label("Mot de passe").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    # A coordinator lands on the network's dashboard (its report), then finds their account.
    page.wait_for_url("**/rapports/**")
    page.get_by_role("link", name="Mon compte").click()
    roles = page.get_by_role("region", name="Qui je suis").inner_text()
    assert "Coordinateur·rice de réseau du Réseau d'accompagnement ESS" in roles
    assert_accessible(page)
    page.get_by_role("button", name="Se déconnecter").click()
    assert page.get_by_role("link", name="Se connecter").is_visible()


def test_platform_admin_reaches_the_administration(demo, page, assert_accessible):
    page.goto("/compte/connexion/")
    page.get_by_label("Adresse e-mail").fill("admin@demo.maillage.test")
    page.get_by_label("Mot de passe").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.get_by_role("link", name="Administration").click()
    assert "Administration technique" in page.content()
    assert_accessible(page, impacts=SERIOUS_IMPACTS)


def test_reading_and_logging_in_work_without_javascript(demo, browser, live_server):
    context = browser.new_context(
        base_url=live_server.url, locale="fr-FR", java_script_enabled=False
    )
    page = context.new_page()
    page.goto("/")
    assert "Intermade" in page.locator("main").inner_text()
    page.get_by_role("button", name="English").click()
    assert page.locator("html").get_attribute("lang") == "en"
    page.get_by_role("link", name="Log in").click()
    page.get_by_label("E-mail address").fill("conseil.apeas@demo.maillage.test")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    # An advisor lands on the follow-up home; their account says who they are.
    assert page.url.endswith("/suivi/")
    page.get_by_role("link", name="My account").click()
    assert "Advisor at APEAS" in page.locator("main").inner_text()
    context.close()
