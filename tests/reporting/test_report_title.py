"""The report's title says the network's name with its article (issue 17, point 1): "Rapport du
Réseau …", not "Rapport de Réseau …"; a proper name takes none ("Rapport d'Intermade")."""

import pytest
from django.urls import reverse
from django.utils import translation

from maillage.reporting.labels import report_title
from tests.factories import NetworkFactory, NetworkRoleFactory
from tests.utils import page_text

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("name", "article", "french", "english"),
    [
        ("Réseau des tiers-lieux", "le", "Rapport du Réseau des tiers-lieux", "Report of the"),
        ("Coopérative du Sud", "la", "Rapport de la Coopérative du Sud", "Report of the"),
        ("Union des couveuses", "l'", "Rapport de l'Union des couveuses", "Report of the"),
        ("Ateliers du Nord", "les", "Rapport des Ateliers du Nord", "Report of the"),
        ("Intermade", "", "Rapport d'Intermade", "Report of"),
        ("Le Tremplin", "", "Rapport du Tremplin", "Report of"),
    ],
)
def test_the_title_takes_the_article_of_the_name(name, article, french, english):
    network = NetworkFactory.build(name=name, name_article=article)
    with translation.override("fr"):
        assert report_title(network) == french
    with translation.override("en"):
        assert report_title(network) == f"{english} {name}"


def test_the_reports_index_shows_the_title_in_both_languages(client):
    network = NetworkFactory(name="Réseau d'accompagnement ESS", name_article="le")
    client.force_login(NetworkRoleFactory(network=network).user)

    client.cookies["maillage_language"] = "fr"
    text = page_text(client.get(reverse("reporting:index")))
    assert "Rapport du Réseau d'accompagnement ESS" in text
    client.cookies["maillage_language"] = "en"
    text = page_text(client.get(reverse("reporting:index")))
    assert "Report of the Réseau d'accompagnement ESS" in text
