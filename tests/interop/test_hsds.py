import datetime
import time
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from maillage.directory.models import Offer
from tests.factories import NetworkFactory, OfferFactory, OfferSessionFactory, StructureFactory
from tests.interop.builders import full_offer, minimal_offer
from tests.interop.hsds_schemas import assert_valid

pytestmark = pytest.mark.django_db

ROOT = reverse("interop:hsds_root")
SERVICES = reverse("interop:hsds_services")
ORGANIZATIONS = reverse("interop:hsds_organizations")


def service_url(offer):
    return reverse("interop:hsds_service", args=[str(offer.uuid)])


def organization_url(structure):
    return reverse("interop:hsds_organization", args=[str(structure.uuid)])


def get_json(client, url, data=None, status=200):
    response = client.get(url, data or {})
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    return response.json()


def test_the_root_says_which_hsds_version_and_where_the_openapi_document_is(client):
    data = get_json(client, ROOT)
    assert data["version"] == "3.0"
    assert data["profile"].startswith("https://")
    assert data["openapi_url"].endswith(reverse("interop:hsds_openapi"))
    document = get_json(client, reverse("interop:hsds_openapi"))
    assert document["openapi"].startswith("3.1")
    assert {"/services", "/services/{id}", "/organizations", "/organizations/{id}"} <= set(
        document["paths"]
    )


def test_a_fully_nested_service_is_valid_and_carries_its_organization_sessions_and_contacts(
    client,
):
    offer = full_offer()
    data = get_json(client, service_url(offer))
    assert_valid("service", data)
    assert data["id"] == str(offer.uuid)
    assert data["organization"]["id"] == str(offer.structure.uuid)
    assert data["organization"]["name"] == "Intermade"
    sessions = {str(session.uuid) for session in offer.sessions.all()}
    assert {schedule["id"] for schedule in data["schedules"]} == sessions
    assert data["contacts"][0]["email"] == "starter@intermade.example.org"
    assert data["cost_options"][0]["amount_description"] == "Participation de 30 € par mois"
    assert data["service_at_locations"][0]["location"]["addresses"][0]["postal_code"] == "13001"
    assert {area["name"] for area in data["service_areas"]} >= {"Marseille"}
    assert data["required_documents"][0]["document"] == "Plaquette"
    codes = {attribute["taxonomy_term"]["code"] for attribute in data["attributes"]}
    assert "creer-une-entreprise--definir-son-projet-de-creation-dentreprise" in codes
    assert "formation" in codes


def test_a_bare_service_is_valid_too(client):
    offer = minimal_offer()
    data = get_json(client, service_url(offer))
    assert_valid("service", data)
    assert data["name"] == "Go"


def test_nested_identifiers_are_stable_from_one_call_to_the_next(client):
    offer = full_offer()
    first = get_json(client, service_url(offer))
    second = get_json(client, service_url(offer))

    def ids(data):
        found = []
        if isinstance(data, dict):
            found += [data["id"]] if "id" in data else []
            for value in data.values():
                found += ids(value)
        elif isinstance(data, list):
            for value in data:
                found += ids(value)
        return found

    assert ids(first) == ids(second)
    assert len(ids(first)) > 10


def test_services_are_paginated_as_hsds_pages(client):
    network = NetworkFactory()
    OfferFactory.create_batch(5, structure__networks=[network])
    data = get_json(client, SERVICES, {"per_page": 2, "page": 2})
    assert_valid("service_page", data)
    assert (data["total_items"], data["total_pages"], data["page_number"], data["size"]) == (
        5,
        3,
        2,
        2,
    )
    assert (data["first_page"], data["last_page"], data["empty"]) == (False, False, False)
    last = get_json(client, SERVICES, {"per_page": 2, "page": 3})
    assert last["last_page"] and last["size"] == 1
    every_id = {
        item["id"]
        for page in (1, 2, 3)
        for item in get_json(client, SERVICES, {"per_page": 2, "page": page})["contents"]
    }
    assert len(every_id) == 5


def test_an_empty_directory_gives_an_empty_first_page(client):
    data = get_json(client, SERVICES)
    assert_valid("service_page", data)
    assert data["empty"] and data["total_items"] == 0 and data["contents"] == []


@pytest.mark.sqlite
def test_services_can_be_searched_and_filtered(client):
    starter = full_offer()
    other = OfferFactory(title="Atelier gouvernance")
    names = lambda data: {item["name"] for item in data["contents"]}  # noqa: E731
    assert names(get_json(client, SERVICES, {"search": "faisabilité"})) == {"Starter"}
    assert names(get_json(client, SERVICES, {"organization_id": str(other.structure.uuid)})) == {
        "Atelier gouvernance"
    }
    Offer.objects.filter(pk=starter.pk).update(
        updated_at=timezone.now() - datetime.timedelta(days=30)
    )
    week_ago = (timezone.now() - datetime.timedelta(days=7)).isoformat()
    assert names(get_json(client, SERVICES, {"modified_after": week_ago})) == {
        "Atelier gouvernance"
    }
    assert len(get_json(client, SERVICES, {"modified_after": "2000-01-01"})["contents"]) == 2


@pytest.mark.parametrize(
    ("params", "words"),
    [
        ({"page": "abc"}, "page"),
        ({"page": "0"}, "page"),
        ({"page": "9"}, "9"),
        ({"per_page": "1000"}, "per_page"),
        ({"organization_id": "intermade"}, "organization_id"),
        ({"modified_after": "hier"}, "modified_after"),
        ({"format": "ndjson"}, "json"),
    ],
)
def test_bad_parameters_get_a_clear_400(client, params, words):
    OfferFactory()
    data = get_json(client, SERVICES, params, status=400)
    assert words in data["error"]
    assert data["status"] == 400


def test_messages_follow_the_language_french_by_default(client):
    data = get_json(client, SERVICES, {"page": "abc"}, status=400)
    assert data["error"] == "Le paramètre « page » doit être un nombre entier."


def test_unknown_or_unpublished_services_are_404_json(client):
    hidden = OfferFactory(is_published=False)
    for raw_id in (str(hidden.uuid), str(uuid.uuid4()), "pas-un-uuid"):
        data = get_json(client, reverse("interop:hsds_service", args=[raw_id]), status=404)
        assert data["error"]
    assert get_json(client, SERVICES)["total_items"] == 0


def test_organizations_list_and_detail_are_valid(client):
    offer = full_offer()
    minimal_offer()
    StructureFactory(name="Hors réseau")
    data = get_json(client, ORGANIZATIONS)
    assert_valid("organization_page", data)
    assert {item["name"] for item in data["contents"]} == {"Intermade", "Abc"}
    detail = get_json(client, organization_url(offer.structure))
    assert_valid("organization", detail)
    assert [service["id"] for service in detail["services"]] == [str(offer.uuid)]
    assert detail["organization_identifiers"][0]["identifier"] == "73282932000074"
    assert detail["locations"][0]["addresses"][0]["city"] == "Marseille"
    bare = get_json(
        client, organization_url(StructureFactory(name="Vide", networks=[NetworkFactory()]))
    )
    assert_valid("organization", bare)
    assert get_json(client, ORGANIZATIONS, {"search": "intermade"})["total_items"] == 1


def test_organizations_outside_any_network_are_404(client):
    structure = StructureFactory()
    get_json(client, organization_url(structure), status=404)


@pytest.mark.parametrize("rows", [10, 60])
def test_hsds_answers_cost_a_fixed_number_of_queries(client, django_assert_max_num_queries, rows):
    network = NetworkFactory()
    offer = full_offer(network=network)
    OfferFactory.create_batch(rows, structure__networks=[network])
    OfferSessionFactory.create_batch(3, offer=offer)
    with django_assert_max_num_queries(2):
        assert get_json(client, SERVICES, {"per_page": 200})["size"] == min(rows + 1, 200)
    with django_assert_max_num_queries(2):
        get_json(client, ORGANIZATIONS, {"per_page": 200})
    with django_assert_max_num_queries(10):
        get_json(client, service_url(offer))
    with django_assert_max_num_queries(3):
        get_json(client, organization_url(offer.structure))


@pytest.mark.parametrize(("url", "word"), [(SERVICES, "faisabilité"), (ORGANIZATIONS, "intermade")])
@pytest.mark.sqlite
def test_a_huge_search_is_refused_at_once_and_a_fair_one_answers(client, url, word):
    full_offer()
    huge = " ".join(f"mot{index}" for index in range(12_000))
    started = time.monotonic()
    data = get_json(client, url, {"search": huge}, status=400)
    assert time.monotonic() - started < 1
    assert data["error"] == (
        "Le paramètre « search » peut contenir au plus 10 mots et 200 caractères."
    )
    eleven = " ".join(f"m{index}" for index in range(11))
    assert "10 mots" in get_json(client, url, {"search": eleven}, status=400)["error"]
    # A word repeated counts once: the search answers as usual.
    assert get_json(client, url, {"search": f"{word} " * 15})["total_items"] == 1
