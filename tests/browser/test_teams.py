import pytest

from maillage.accounts.models import StructureMembership
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def log_in(page, email):
    sign_in(page, email)  # the login form and each role's landing have their own tests
    page.goto("/")


def test_structure_admin_adds_a_colleague_to_the_team(demo, page, assert_accessible):
    log_in(page, "admin.intermade@demo.maillage.test")
    page.get_by_role("link", name="Mon compte").click()
    page.get_by_role("link", name="Équipe d'Intermade").click()
    assert page.locator("h1").inner_text() == "Équipe d'Intermade"
    assert_accessible(page)
    page.get_by_label("Adresse e-mail").fill("nouvelle.recrue@exemple.test")
    page.get_by_label("Nom complet").fill("Nouvelle Recrue")
    page.get_by_role("combobox", name="Rôle", exact=True).select_option("advisor")
    page.get_by_role("button", name="Ajouter à l'équipe").click()
    assert "Nouvelle Recrue a été ajouté·e à l'équipe." in page.get_by_role("status").inner_text()
    assert StructureMembership.objects.filter(user__email="nouvelle.recrue@exemple.test").exists()
    assert_accessible(page)
    page.get_by_role("link", name="Retirer — Nouvelle Recrue").click()
    assert_accessible(page)
    page.get_by_role("button", name="Retirer").click()
    assert "ne fait plus partie de l'équipe" in page.get_by_role("status").inner_text()


def test_coordinator_manages_the_network_roles(demo, page, assert_accessible):
    log_in(page, "coordination@demo.maillage.test")
    page.get_by_role("link", name="Mon compte").click()
    page.get_by_role("link", name="Rôles dans Réseau d'accompagnement ESS").click()
    assert "financeur@demo.maillage.test" in page.get_by_role("table").inner_text()
    assert_accessible(page)
