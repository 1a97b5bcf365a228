"""The outside-resources page in Chromium, with resources listed and with an import refused."""

import json

import pytest
from django.urls import reverse

from maillage.interop.services import import_data_inclusion
from tests.browser.test_every_page import open_session
from tests.factories import NetworkRoleFactory
from tests.interop.test_import import as_file, service, structure

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_list_and_a_refused_import_are_accessible(
    page, live_server, assert_accessible, tmp_path
):
    role = NetworkRoleFactory()
    import_data_inclusion(
        network=role.network,
        structures_file=as_file([structure()]),
        services_file=as_file([service()]),
    )
    open_session(page, live_server, role.user)
    page.goto(reverse("interop:outside_resources", kwargs={"slug": role.network.slug}))
    assert "Créer son activité quand on est jeune" in page.locator("main").inner_text()
    assert_accessible(page)

    wrong = tmp_path / "services.json"
    wrong.write_text(json.dumps([service(nom="")]), encoding="utf-8")
    page.get_by_label("Fichier des services (JSON)").set_input_files(str(wrong))
    page.get_by_role("button", name="Importer").click()
    errors = page.locator("#import-errors")
    assert "Rien n'a été importé : 1 erreur à corriger" in errors.inner_text()
    assert "champ « nom »" in errors.inner_text()
    assert_accessible(page)
