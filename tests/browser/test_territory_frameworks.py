"""Issue 20, frameworks in a browser: a structure builds its social-utility framework, imports a
year of values from a spreadsheet (checked first, then recorded), starts version 2 whose series
still show version 1's values, and shares it as a template; another network's coordinator starts
their own framework from it."""

import pytest

from tests.browser.test_territory import log_in
from tests.factories import (
    NetworkFactory,
    NetworkRoleFactory,
    StructureFactory,
    StructureMembershipFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_framework_is_built_fed_from_a_spreadsheet_versioned_and_shared(
    browser, live_server, assert_accessible, tmp_path
):
    structure = StructureFactory(name="Intermade")
    admin = StructureMembershipFactory(structure=structure, admin=True).user
    neighbour = NetworkFactory(name="Réseau voisin")
    coordinator = NetworkRoleFactory(network=neighbour).user

    page = log_in(browser, live_server, admin.email)
    page.goto("/territoire/utilite-sociale/")
    page.get_by_label("Titre").fill("Utilité sociale d'Intermade")
    page.get_by_role("button", name="Commencer le référentiel").click()
    page.locator("#id_dimension-name").fill("Sociale")
    page.get_by_role("button", name="Ajouter la dimension").click()
    page.locator("#id_criterion-name").fill("Engagement")
    page.get_by_role("button", name="Ajouter le critère").click()
    page.locator("#id_indicator-name").fill("Bénévoles")
    page.locator("#id_indicator-code").fill("benevoles")
    page.locator("#id_indicator-kind").select_option("entered")
    page.get_by_role("button", name="Ajouter l'indicateur").click()
    assert "Le référentiel est mis à jour." in page.get_by_role("status").inner_text()

    # Values from a spreadsheet: a wrong file records nothing, a right one is checked first.
    page.get_by_role("link", name="Importer des valeurs depuis un tableur").click()
    wrong = tmp_path / "valeurs.csv"
    wrong.write_text("code;année;valeur\nbenevoles;2025;douze\n", encoding="utf-8")
    page.get_by_label("Tableur de valeurs (XLSX, ODS ou CSV)").set_input_files(wrong)
    page.get_by_role("button", name="Enregistrer les valeurs").click()
    errors = page.get_by_role("alert").inner_text()
    assert "1 erreur : rien n'a été enregistré" in errors
    assert "Écrivez un nombre" in errors
    right = tmp_path / "valeurs-justes.csv"
    right.write_text("code;année;valeur\nbenevoles;2025;12\n", encoding="utf-8")
    page.get_by_label("Tableur de valeurs (XLSX, ODS ou CSV)").set_input_files(right)
    page.get_by_role("button", name="Vérifier le fichier (rien n'est enregistré)").click()
    assert "1 valeur serait enregistrée" in page.get_by_role("heading", level=2).first.inner_text()
    assert_accessible(page)
    page.get_by_label("Tableur de valeurs (XLSX, ODS ou CSV)").set_input_files(right)
    page.get_by_role("button", name="Enregistrer les valeurs").click()
    assert "1 valeur a été enregistrée." in page.get_by_role("status").inner_text()

    # Version 2 keeps version 1's values in its series, marked with their version.
    page.get_by_role("button", name="Commencer la version 2").click()
    assert "Continuité des séries" in page.get_by_role("heading", level=1).inner_text()
    page.get_by_role("button", name="Enregistrer la continuité").click()
    cell = page.locator('[data-indicator] td[data-year="2025"]')
    assert "12" in cell.inner_text() and "version 1" in cell.inner_text()
    page.get_by_role("button", name="Partager comme modèle").click()
    assert "partagé comme modèle" in page.get_by_role("status").inner_text()

    # Another network's coordinator starts their own framework from the template.
    other = log_in(browser, live_server, coordinator.email)
    other.goto("/territoire/utilite-sociale/modeles/")
    assert_accessible(other)
    other.get_by_label("Titre de votre référentiel").fill("Notre utilité sociale")
    other.get_by_role("button", name="Partir de ce modèle").click()
    assert "Notre utilité sociale" in other.get_by_role("heading", level=1).inner_text()
    assert "Modèle « Utilité sociale d'Intermade » (version 2) d'Intermade" in other.content()
    assert "Bénévoles" in other.content()
    assert not page.problems and not other.problems
