import datetime

import pytest
from data_inclusion.schema.v1 import Service, Structure
from django.urls import reverse

from maillage.directory.models import Audience
from tests.factories import NetworkFactory, OfferFactory, StructureFactory
from tests.interop.builders import full_offer, minimal_offer

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]

STRUCTURES_URL = reverse("interop:di_structures")
SERVICES_URL = reverse("interop:di_services")


def strictly_valid(model, items):
    """Every item passes the schema, its warnings included (e.g. a name ending with a stop)."""
    for item in items:
        model.model_validate(item, context={"ignore_warnings": False})
    return items


def by_id(items):
    return {item["id"]: item for item in items}


def test_every_structure_and_service_is_valid_with_all_fields_and_with_few(client):
    full = full_offer()
    bare = minimal_offer()
    structures = by_id(strictly_valid(Structure, client.get(STRUCTURES_URL).json()))
    services = by_id(strictly_valid(Service, client.get(SERVICES_URL).json()))
    assert set(structures) == {
        f"maillage--{full.structure.uuid}",
        f"maillage--{bare.structure.uuid}",
    }
    assert set(services) == {f"maillage--{full.uuid}", f"maillage--{bare.uuid}"}
    # A name too short for the schema is completed, not dropped.
    assert services[f"maillage--{bare.uuid}"]["nom"] == "Go (Abc)"


def test_a_structure_says_where_it_is_and_how_to_reach_it(client):
    offer = full_offer()
    item = client.get(STRUCTURES_URL).json()[0]
    assert item["source"] == "maillage"
    assert item["nom"] == "Intermade"
    assert item["siret"] == "73282932000074"
    # The arrondissement's commune is the INSEE code data·inclusion expects.
    assert (item["code_insee"], item["code_postal"], item["commune"]) == (
        "13055",
        "13001",
        "Marseille",
    )
    assert item["courriel"] == "contact@intermade.example.org"
    assert item["site_web"].startswith("https://intermade.example.org")
    assert item["lien_source"].endswith(f"/structures/{offer.structure.slug}/")
    assert item["date_maj"] == datetime.date.today().isoformat()


def test_a_service_carries_the_codes_of_its_stages_format_audiences_and_modes(client):
    offer = full_offer()
    item = client.get(SERVICES_URL).json()[0]
    assert item["id"] == f"maillage--{offer.uuid}"
    assert item["structure_id"] == f"maillage--{offer.structure.uuid}"
    assert item["thematiques"] == [
        "creer-une-entreprise--definir-son-projet-de-creation-dentreprise",
        "creer-une-entreprise--structurer-son-projet-de-creation-dentreprise",
    ]  # the unknown code of the stage is left out
    assert item["type"] == "formation"  # first data·inclusion type of "collective cycle"
    assert item["publics"] == ["demandeurs-emploi", "femmes"]  # "collectifs" has no code
    assert item["modes_mobilisation"] == ["envoyer-un-courriel"]
    assert item["modes_accueil"] == ["a-distance", "en-presentiel"]
    assert item["frais"] == "payant"
    assert "30 €" in item["frais_precisions"]
    assert item["nombre_semaines"] == 13 and item["volume_horaire_hebdomadaire"] == 3.5
    assert item["lien_mobilisation"] == "https://intermade.example.org/starter"
    assert item["courriel"] == "starter@intermade.example.org"
    assert item["conditions_acces"] == "Avoir une idée de projet formulée."


def test_the_eligibility_zone_lists_codes_and_a_region_becomes_its_departements(client):
    full_offer()
    item = client.get(SERVICES_URL).json()[0]
    # Marseille, its arrondissement (= Marseille), the métropole, and region 93 → 13 and 84.
    assert item["zone_eligibilite"] == ["13", "13055", "200054807", "84"]


def test_without_territories_of_its_own_an_offer_serves_its_structures_territory(client):
    offer = full_offer()
    offer.territories.clear()
    item = client.get(SERVICES_URL).json()[0]
    assert item["zone_eligibilite"] == ["13"]


def test_everyone_is_exported_alone(client):
    offer = OfferFactory(
        audiences=list(Audience.objects.filter(code__in=["tous-publics", "jeunes", "collectifs"]))
    )
    item = strictly_valid(Service, client.get(SERVICES_URL).json())[0]
    assert item["id"] == f"maillage--{offer.uuid}"
    assert item["publics"] == ["tous-publics"]


def test_free_offers_and_names_ending_with_a_stop(client):
    OfferFactory(title="Atelier du lundi.", is_free=True)
    item = strictly_valid(Service, client.get(SERVICES_URL).json())[0]
    assert item["frais"] == "gratuit"
    assert item["nom"] == "Atelier du lundi"


def test_addresses_the_schema_refuses_are_left_out(client):
    # Django accepts these; data·inclusion refuses reserved domains such as .test.
    OfferFactory(
        structure=StructureFactory(email="contact@exemple.test", networks=[NetworkFactory()]),
        contact_email="inscription@exemple.test",
    )
    strictly_valid(Structure, client.get(STRUCTURES_URL).json())
    item = strictly_valid(Service, client.get(SERVICES_URL).json())[0]
    assert item["courriel"] is None


def test_unpublished_offers_and_structures_outside_any_network_are_not_exported(client):
    OfferFactory(is_published=False)
    StructureFactory(name="Hors réseau")
    assert client.get(SERVICES_URL).json() == []
    assert "Hors réseau" not in {item["nom"] for item in client.get(STRUCTURES_URL).json()}


def test_long_names_are_cut_to_the_schemas_limit(client):
    OfferFactory(
        structure=StructureFactory(name="S" * 200, slug="longue", networks=[NetworkFactory()])
    )
    item = strictly_valid(Structure, client.get(STRUCTURES_URL).json())[0]
    assert len(item["nom"]) == 150


def test_the_exports_are_public_json(client):
    response = client.get(SERVICES_URL)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert client.post(SERVICES_URL).status_code == 405


@pytest.mark.parametrize("url", [STRUCTURES_URL, SERVICES_URL])
@pytest.mark.parametrize("rows", [10, 60])
def test_the_exports_cost_a_fixed_number_of_queries(
    client, django_assert_max_num_queries, url, rows
):
    network = NetworkFactory()
    full_offer(network=network)
    OfferFactory.create_batch(
        rows,
        structure__networks=[network],
        audiences=list(Audience.objects.filter(code__in=["jeunes"])),
    )
    with django_assert_max_num_queries(8):
        response = client.get(url)
    assert len(response.json()) == rows + 1
