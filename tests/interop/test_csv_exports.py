import csv
import io

import pytest
from django.urls import reverse

from tests.factories import NetworkFactory, OfferFactory, StructureFactory
from tests.interop.builders import full_offer

pytestmark = pytest.mark.django_db


def rows(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))


def test_the_structures_of_the_directory_download_as_csv(client):
    offer = full_offer()
    StructureFactory(name="Hors réseau")
    table = rows(client.get(reverse("interop:structures_csv")))
    assert table[0][:3] == ["Identifiant", "Nom", "Forme juridique"]
    assert len(table) == 2
    line = dict(zip(table[0], table[1], strict=True))
    assert line["Nom"] == "Intermade"
    assert line["SIRET"] == "73282932000074"
    assert line["Code INSEE"] == "13201"
    assert line["Page"].endswith(f"/structures/{offer.structure.slug}/")


def test_the_published_offers_download_as_csv(client):
    full_offer()
    OfferFactory(is_published=False)
    table = rows(client.get(reverse("interop:offers_csv")))
    assert len(table) == 2
    line = dict(zip(table[0], table[1], strict=True))
    assert line["Titre"] == "Starter"
    assert line["Structure"] == "Intermade"
    assert line["Gratuit"] == "non"
    assert "Demandeurs d'emploi" in line["Publics"]


def test_cells_a_spreadsheet_would_run_are_neutralised(client):
    OfferFactory(title='=HYPERLINK("http://x")', summary="+33 4 91")
    line = rows(client.get(reverse("interop:offers_csv")))[1]
    assert '\'=HYPERLINK("http://x")' in line
    assert "'+33 4 91" in line


@pytest.mark.parametrize("url_name", ["interop:structures_csv", "interop:offers_csv"])
@pytest.mark.parametrize("count", [10, 60])
def test_the_csv_exports_cost_a_fixed_number_of_queries(
    client, django_assert_max_num_queries, url_name, count
):
    network = NetworkFactory()
    full_offer(network=network)
    OfferFactory.create_batch(count, structure__networks=[network])
    with django_assert_max_num_queries(8):
        table = rows(client.get(reverse(url_name)))
    assert len(table) == count + 2
