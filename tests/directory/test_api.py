"""The public read-only directory API: /api/v1/structures/, offers/, stages/, sessions/."""

import datetime

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from maillage.directory.models import (
    AccessMode,
    Audience,
    OfferDocument,
    OfferFormat,
    TerritoryKind,
)
from tests.factories import (
    NetworkFactory,
    OfferFactory,
    OfferSessionFactory,
    StageFactory,
    StructureFactory,
    TerritoryFactory,
)

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def get(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200, response.content
    return response.json()


def names(data, key="name"):
    return [row[key] for row in data["results"]]


def found(client, url, key="name", **params):
    """What a filtered list holds, sorted (the order is not what these tests are about)."""
    return sorted(names(get(client, url, **params), key))


@pytest.fixture
def marseille():
    """Marseille 1er within its commune, EPCI, département and region."""
    region = TerritoryFactory(region=True)
    departement = TerritoryFactory(departement=True)
    epci = TerritoryFactory(
        kind=TerritoryKind.EPCI, code="200054807", name="Métropole Aix-Marseille-Provence"
    )
    commune = TerritoryFactory(code="13055", name="Marseille", epci_code=epci.code)
    arrondissement = TerritoryFactory(
        kind=TerritoryKind.ARRONDISSEMENT,
        code="13201",
        name="Marseille 1er Arrondissement",
        commune_code="13055",
        epci_code=epci.code,
        postal_codes=["13001"],
    )
    aubagne = TerritoryFactory(code="13005", name="Aubagne")
    return {
        "region": region,
        "departement": departement,
        "epci": epci,
        "commune": commune,
        "arrondissement": arrondissement,
        "aubagne": aubagne,
    }


# --- Access ------------------------------------------------------------------------------------


@pytest.mark.parametrize("endpoint", ["structures", "offers", "stages", "sessions"])
def test_lists_are_public_and_paginated(client, endpoint):
    OfferSessionFactory()
    data = get(client, f"/api/v1/{endpoint}/")
    assert set(data) == {"count", "next", "previous", "results"}
    assert data["count"] == 1


def test_page_size_is_chosen_within_a_maximum(client):
    network = NetworkFactory()
    StructureFactory.create_batch(3, networks=[network])
    first = get(client, "/api/v1/structures/", page_size=2)
    assert (first["count"], len(first["results"])) == (3, 2)
    assert "page=2" in first["next"]
    second = get(client, first["next"])
    assert len(second["results"]) == 1
    # Asking for more than the maximum gives the maximum, not everything.
    StructureFactory.create_batch(100, networks=[network])
    assert len(get(client, "/api/v1/structures/", page_size=1000)["results"]) == 100


def test_the_api_writes_nothing(client):
    offer = OfferFactory()
    response = client.post("/api/v1/offers/", {"title": "Nouveau"})
    assert response.status_code in (403, 405)
    response = client.delete(f"/api/v1/offers/{offer.uuid}/")
    assert response.status_code in (403, 405)
    assert offer.__class__.objects.filter(pk=offer.pk).exists()


# --- Structures --------------------------------------------------------------------------------


def test_structure_detail_shows_its_public_sheet(client, marseille):
    network = NetworkFactory(name="Réseau ESS 13")
    structure = StructureFactory(
        name="Intermade",
        networks=[network],
        commune=marseille["arrondissement"],
        siret="12345678901234",
        legal_form_id="scic",
    )
    structure.territories.set([marseille["departement"]])
    data = get(client, f"/api/v1/structures/{structure.slug}/")
    assert data["name"] == "Intermade"
    assert data["uuid"] == str(structure.uuid)
    assert data["legal_form"]["code"] == "scic"
    assert data["commune"] == {
        "kind": "arrondissement",
        "code": "13201",
        "name": "Marseille 1er Arrondissement",
    }
    assert data["territories"] == [
        {"kind": "departement", "code": "13", "name": "Bouches-du-Rhône"}
    ]
    assert data["networks"] == [{"slug": network.slug, "name": "Réseau ESS 13"}]
    assert data["web_url"] == f"http://testserver/structures/{structure.slug}/"


def test_structures_outside_any_network_are_not_listed(client):
    StructureFactory(name="Isolée")
    StructureFactory(name="Membre", networks=[NetworkFactory()])
    assert names(get(client, "/api/v1/structures/")) == ["Membre"]
    assert client.get("/api/v1/structures/isolee/").status_code == 404


@pytest.mark.sqlite
def test_structures_filtered_by_network_legal_form_territory_and_search(client, marseille):
    ess, other = NetworkFactory(), NetworkFactory()
    coop = StructureFactory(
        name="Coopérative Marseille", networks=[ess], legal_form_id="cae", city="Marseille"
    )
    coop.territories.set([marseille["commune"]])
    rural = StructureFactory(name="Pays d'Aubagne", networks=[ess, other], city="Aubagne")
    rural.territories.set([marseille["aubagne"]])
    StructureFactory(name="Partout", networks=[other])  # names no territory
    url = "/api/v1/structures/"
    assert found(client, url, network=ess.slug) == ["Coopérative Marseille", "Pays d'Aubagne"]
    assert found(client, url, legal_form="cae") == ["Coopérative Marseille"]
    assert found(client, url, territory="13201") == ["Coopérative Marseille", "Partout"]
    assert found(client, url, territory="13005") == ["Partout", "Pays d'Aubagne"]
    assert found(client, url, search="cooperative") == ["Coopérative Marseille"]
    assert found(client, url, network=other.slug, search="aubagne") == ["Pays d'Aubagne"]


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"territory": "99999"}, "territory", "Code de territoire inconnu : 99999."),
        ({"territory": "region:13"}, "territory", "Code de territoire inconnu : region:13."),
        ({"network": "inconnu"}, "network", "Sélectionnez un choix valide."),
        ({"legal_form": "sarl-bis"}, "legal_form", "Sélectionnez un choix valide."),
    ],
)
def test_structure_filters_refuse_unknown_values_clearly(client, marseille, params, field, message):
    response = client.get("/api/v1/structures/", params)
    assert response.status_code == 400
    assert message in response.json()[field][0]


# --- Offers ------------------------------------------------------------------------------------


def test_only_published_offers_are_shown(client):
    OfferFactory(title="Publiée")
    hidden = OfferFactory(title="Brouillon", is_published=False)
    assert names(get(client, "/api/v1/offers/"), "title") == ["Publiée"]
    assert client.get(f"/api/v1/offers/{hidden.uuid}/").status_code == 404


def test_offer_detail(client, marseille):
    network = NetworkFactory()
    stage = StageFactory(network=network, name="Émergence", position=2)
    structure = StructureFactory(name="APEAS", networks=[network])
    offer = OfferFactory(
        structure=structure,
        title="PILES",
        stages=[stage],
        audiences=[Audience.objects.get(code="jeunes")],
        is_free=False,
        cost_details="Pris en charge par la Région",
    )
    offer.access_modes.set([AccessMode.objects.get(code="telephoner")])
    offer.territories.set([marseille["epci"]])
    OfferDocument.objects.create(offer=offer, title="Plaquette", url="https://example.org/p.pdf")
    past = OfferSessionFactory(
        offer=offer, starts_on=TODAY() - datetime.timedelta(days=30), ends_on=TODAY()
    )
    future = OfferSessionFactory(offer=offer, starts_on=TODAY() + datetime.timedelta(days=10))
    OfferSessionFactory(
        offer=offer,
        starts_on=TODAY() - datetime.timedelta(days=60),
        ends_on=TODAY() - datetime.timedelta(days=50),
    )
    data = get(client, f"/api/v1/offers/{offer.uuid}/")
    assert data["title"] == "PILES"
    assert data["structure"] == {"uuid": str(structure.uuid), "slug": "apeas", "name": "APEAS"}
    assert data["stages"] == [
        {
            "id": stage.pk,
            "network": network.slug,
            "position": 2,
            "slug": "emergence",
            "name": "Émergence",
        }
    ]
    assert data["format"] == {
        "code": "workshop",
        "label": OfferFormat.objects.get(code="workshop").label_fr,
    }
    assert [a["code"] for a in data["audiences"]] == ["jeunes"]
    assert [a["code"] for a in data["access_modes"]] == ["telephoner"]
    assert data["is_free"] is False
    assert data["territories"] == [
        {"kind": "epci", "code": "200054807", "name": "Métropole Aix-Marseille-Provence"}
    ]
    assert data["documents"] == [{"title": "Plaquette", "url": "https://example.org/p.pdf"}]
    # Sessions not ended yet, soonest first (one ends today).
    assert [s["uuid"] for s in data["upcoming_sessions"]] == [str(past.uuid), str(future.uuid)]
    assert data["web_url"] == "http://testserver/structures/apeas/offres/piles/"


def test_offers_filtered_by_network_stage_structure_format_audience_and_price(client):
    network, other = NetworkFactory(), NetworkFactory()
    emergence = StageFactory(network=network)
    test_stage = StageFactory(network=network)
    apeas = StructureFactory(name="APEAS")
    OfferFactory(
        title="PILES",
        structure=apeas,
        stages=[emergence],
        audiences=[Audience.objects.get(code="jeunes")],
    )
    OfferFactory(
        title="Couveuse",
        stages=[test_stage],
        is_free=False,
        format=OfferFormat.objects.exclude(code="workshop").first(),
    )
    OfferFactory(title="Ailleurs", stages=[StageFactory(network=other)])
    url = "/api/v1/offers/"
    assert found(client, url, "title", network=network.slug) == ["Couveuse", "PILES"]
    assert found(client, url, "title", stage=emergence.pk) == ["PILES"]
    assert found(client, url, "title", structure="apeas") == ["PILES"]
    assert found(client, url, "title", format="workshop") == ["Ailleurs", "PILES"]
    assert found(client, url, "title", audience="jeunes") == ["PILES"]
    assert found(client, url, "title", free="false") == ["Couveuse"]
    assert found(client, url, "title", free="true", network=network.slug) == ["PILES"]


def test_offers_filtered_by_upcoming_session(client):
    soon = OfferFactory(title="Bientôt")
    OfferSessionFactory(offer=soon)
    OfferSessionFactory(offer=soon)  # two sessions: still listed once
    done = OfferFactory(title="Terminée")
    OfferSessionFactory(
        offer=done,
        starts_on=TODAY() - datetime.timedelta(days=9),
        ends_on=TODAY() - datetime.timedelta(days=8),
    )
    OfferFactory(title="Sans session")
    url = "/api/v1/offers/"
    assert found(client, url, "title", has_upcoming_session="true") == ["Bientôt"]
    assert found(client, url, "title", has_upcoming_session="false") == [
        "Sans session",
        "Terminée",
    ]


def test_offers_filtered_by_the_territory_they_serve(client, marseille):
    metropole = OfferFactory(title="Métropole")
    metropole.territories.set([marseille["epci"]])
    aubagne = OfferFactory(title="Aubagne seulement")
    aubagne.territories.set([marseille["aubagne"]])
    departement = OfferFactory(title="Département")
    departement.territories.set([marseille["departement"], marseille["region"]])
    through_structure = OfferFactory(title="Par la structure")
    through_structure.structure.territories.set([marseille["commune"]])
    OfferFactory(title="Sans territoire")
    url = "/api/v1/offers/"
    assert found(client, url, "title", territory="13201") == [
        "Département",
        "Métropole",
        "Par la structure",
        "Sans territoire",
    ]
    assert found(client, url, "title", territory="13005") == [
        "Aubagne seulement",
        "Département",
        "Sans territoire",
    ]
    assert found(client, url, "title", territory="region:93") == [
        "Département",
        "Sans territoire",
    ]
    response = client.get(url, {"territory": "13999"})
    assert response.status_code == 400
    assert response.json() == {"territory": ["Code de territoire inconnu : 13999."]}


@pytest.mark.sqlite
def test_offers_found_by_words_without_accents(client):
    OfferFactory(title="Dynamiques de gouvernance", summary="Trois journées sur la gouvernance.")
    OfferFactory(title="Starter")
    assert found(client, "/api/v1/offers/", "title", search="GOUVERNANCE") == [
        "Dynamiques de gouvernance"
    ]
    assert found(client, "/api/v1/offers/", "title", search="journees") == [
        "Dynamiques de gouvernance"
    ]


def _offers_with_everything(count, network, stage):
    audience = Audience.objects.get(code="jeunes")
    territory = TerritoryFactory(departement=True)
    for _ in range(count):
        offer = OfferFactory(
            structure=StructureFactory(networks=[network]), stages=[stage], audiences=[audience]
        )
        offer.territories.set([territory])
        offer.access_modes.set(AccessMode.objects.all()[:2])
        OfferDocument.objects.create(offer=offer, title="Plaquette", url="https://example.org/")
        OfferSessionFactory(offer=offer)


def _queries(client, url, params):
    with CaptureQueriesContext(connection) as context:
        data = get(client, url, page_size=20, **params)
    return len(context.captured_queries), data


UPCOMING_YOUTH_IN_13 = {"territory": "13", "audience": "jeunes", "has_upcoming_session": "true"}


@pytest.mark.parametrize(
    ("url", "params", "bound"),
    [
        ("/api/v1/offers/", {}, 9),
        ("/api/v1/offers/", UPCOMING_YOUTH_IN_13, 12),
        ("/api/v1/structures/", {}, 4),
        ("/api/v1/structures/", {"territory": "13", "network": "reseau-mesure"}, 7),
        ("/api/v1/stages/", {}, 2),
        ("/api/v1/sessions/", {}, 2),
        ("/api/v1/sessions/", {"from": "2020-01-01", "to": "2999-12-31"}, 2),
    ],
)
def test_lists_run_the_same_queries_for_few_or_many_offers(client, url, params, bound):
    network = NetworkFactory(slug="reseau-mesure")
    stage = StageFactory(network=network)
    _offers_with_everything(10, network, stage)
    few, data = _queries(client, url, params)
    assert data["count"] >= 1
    _offers_with_everything(40, network, stage)
    many, data = _queries(client, url, params)
    assert len(data["results"]) == min(data["count"], 20)
    assert data["count"] >= 20 or url.endswith("stages/")
    assert few == many
    assert many <= bound


@pytest.mark.parametrize(
    "url",
    [
        lambda offer: f"/api/v1/offers/{offer.uuid}/",
        lambda offer: f"/api/v1/structures/{offer.structure.slug}/",
        lambda offer: f"/api/v1/stages/{offer.stages.first().pk}/",
        lambda offer: f"/api/v1/sessions/{offer.sessions.first().uuid}/",
    ],
)
def test_details_run_few_queries(client, url, django_assert_max_num_queries):
    network = NetworkFactory()
    _offers_with_everything(3, network, StageFactory(network=network))
    offer = network.stages.first().offers.first()
    with django_assert_max_num_queries(9):
        get(client, url(offer))


# --- Stages and sessions -----------------------------------------------------------------------


def test_stages_of_a_network_in_order_with_their_published_offers(client):
    network = NetworkFactory(slug="ess-13")
    second = StageFactory(
        network=network,
        position=2,
        name="Émergence",
        questions="Mon idée tient-elle ?\n\nAvec qui ?",
    )
    StageFactory(network=network, position=1, name="Accueil")
    StageFactory(name="Autre réseau")
    OfferFactory(stages=[second])
    OfferFactory(stages=[second], is_published=False)
    data = get(client, "/api/v1/stages/", network="ess-13")
    assert names(data) == ["Accueil", "Émergence"]
    emergence = data["results"][1]
    assert emergence["questions"] == ["Mon idée tient-elle ?", "Avec qui ?"]
    assert emergence["offer_count"] == 1
    assert emergence["network"]["slug"] == "ess-13"
    assert emergence["web_url"] == f"http://testserver/reseau/ess-13/etapes/{second.slug}/"


def test_sessions_filtered_by_offer_structure_and_dates(client):
    starter = OfferFactory(title="Starter", structure=StructureFactory(name="Intermade"))
    other = OfferFactory(title="PILES")
    day = TODAY()
    march = OfferSessionFactory(
        offer=starter,
        starts_on=day + datetime.timedelta(days=10),
        ends_on=day + datetime.timedelta(days=20),
    )
    june = OfferSessionFactory(
        offer=starter,
        starts_on=day + datetime.timedelta(days=100),
        ends_on=day + datetime.timedelta(days=110),
    )
    piles = OfferSessionFactory(
        offer=other,
        starts_on=day + datetime.timedelta(days=15),
        ends_on=day + datetime.timedelta(days=16),
    )
    OfferSessionFactory(offer=OfferFactory(is_published=False))
    url = "/api/v1/sessions/"

    def uuids(**params):
        return [row["uuid"] for row in get(client, url, **params)["results"]]

    assert uuids() == [str(march.uuid), str(piles.uuid), str(june.uuid)]
    assert uuids(offer=str(starter.uuid)) == [str(march.uuid), str(june.uuid)]
    assert uuids(structure="intermade") == [str(march.uuid), str(june.uuid)]
    # Sessions running at some point between the two dates.
    window = {"from": day + datetime.timedelta(days=16), "to": day + datetime.timedelta(days=100)}
    assert uuids(**window) == [str(march.uuid), str(piles.uuid), str(june.uuid)]
    assert uuids(**{"from": day + datetime.timedelta(days=17)}) == [
        str(march.uuid),
        str(june.uuid),
    ]
    assert uuids(to=day + datetime.timedelta(days=12)) == [str(march.uuid)]
    session = get(client, f"{url}{march.uuid}/")
    assert session["offer"]["title"] == "Starter"
    assert session["structure"]["name"] == "Intermade"
    response = client.get(url, {"from": "demain"})
    assert response.status_code == 400
    assert response.json() == {"from": ["Saisissez une date valide."]}


# --- Documentation -----------------------------------------------------------------------------


def test_the_openapi_schema_documents_the_api_without_warning(tmp_path):
    target = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    schema = target.read_text()
    for path in ("/api/v1/offers/", "/api/v1/structures/{slug}/", "/api/v1/sessions/{uuid}/"):
        assert f"  {path}:" in schema
    assert "has_upcoming_session" in schema
