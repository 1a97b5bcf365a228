"""The public site: a visitor finds the pathway, filters it, reads stages, structures, offers."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from maillage.directory import services
from maillage.directory.models import Audience, OfferFormat, TerritoryKind
from tests.factories import (
    NetworkFactory,
    OfferFactory,
    OfferSessionFactory,
    StageFactory,
    StructureFactory,
    TerritoryFactory,
)
from tests.utils import page_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def pathway():
    network = NetworkFactory(name="Réseau test", slug="reseau-test")
    stages = [
        StageFactory(network=network, position=1, name="Accueil", slug="accueil"),
        StageFactory(
            network=network,
            position=2,
            name="Émergence",
            slug="emergence",
            questions="Mon idée est-elle un projet ?\nAvec qui le porter ?",
        ),
        StageFactory(network=network, position=3, name="Faisabilité", slug="faisabilite"),
    ]
    apeas = StructureFactory(
        name="APEAS", networks=[network], positioning="Nous croyons au collectif."
    )
    intermade = StructureFactory(name="Intermade", networks=[network])
    piles = OfferFactory(
        structure=apeas,
        title="PILES",
        slug="piles",
        stages=[stages[1]],
        audiences=[Audience.objects.get(code="demandeurs-emploi")],
    )
    starter = OfferFactory(
        structure=intermade,
        title="Starter",
        slug="starter",
        stages=[stages[2]],
        is_free=False,
        audiences=[Audience.objects.get(code="actifs")],
    )
    return {"network": network, "stages": stages, "piles": piles, "starter": starter}


def map_url(network, **params):
    url = reverse("directory:map", args=[network.slug])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


def test_home_presents_the_default_network_with_its_stages_and_structures(client, pathway):
    text = page_text(client.get("/"))
    assert "Réseau test" in text
    assert "Accueil" in text and "Émergence" in text
    assert "APEAS" in text and "Intermade" in text


def test_map_shows_stages_as_columns_and_offers_on_their_stage(client, pathway):
    response = client.get(map_url(pathway["network"]))
    assert response.status_code == 200
    columns = {c.stage.slug: [o.title for o in c.offers] for c in response.context["columns"]}
    assert columns == {"accueil": [], "emergence": ["PILES"], "faisabilite": ["Starter"]}
    assert "Parcours" in page_text(response) or "parcours" in page_text(response)


def test_an_offer_on_two_stages_shows_in_both_columns(client, pathway):
    stages = pathway["stages"]
    OfferFactory(structure=pathway["piles"].structure, title="Accueil collectif", stages=stages[:2])
    response = client.get(map_url(pathway["network"]))
    columns = {c.stage.slug: [o.title for o in c.offers] for c in response.context["columns"]}
    assert "Accueil collectif" in columns["accueil"]
    assert "Accueil collectif" in columns["emergence"]


def test_map_filters_by_audience_keeping_offers_open_to_everyone(client, pathway):
    response = client.get(map_url(pathway["network"], audience="demandeurs-emploi"))
    titles = {o.title for c in response.context["columns"] for o in c.offers}
    assert titles == {"PILES"}
    OfferFactory(
        structure=pathway["starter"].structure,
        title="Accueil pour tous",
        stages=[pathway["stages"][0]],
        audiences=[Audience.objects.get(code="tous-publics")],
    )
    response = client.get(map_url(pathway["network"], audience="demandeurs-emploi"))
    titles = {o.title for c in response.context["columns"] for o in c.offers}
    assert titles == {"PILES", "Accueil pour tous"}


def test_map_filters_free_offers_and_upcoming_sessions(client, pathway):
    response = client.get(map_url(pathway["network"], free="on"))
    assert {o.title for c in response.context["columns"] for o in c.offers} == {"PILES"}
    OfferSessionFactory(offer=pathway["starter"])
    OfferSessionFactory(
        offer=pathway["piles"],
        starts_on=timezone.localdate() - datetime.timedelta(days=60),
        ends_on=timezone.localdate() - datetime.timedelta(days=50),
    )
    response = client.get(map_url(pathway["network"], upcoming="on"))
    assert {o.title for c in response.context["columns"] for o in c.offers} == {"Starter"}


def test_map_filters_by_format(client, pathway):
    pathway["starter"].format = OfferFormat.objects.get(code="collective-cycle")
    pathway["starter"].save()
    response = client.get(map_url(pathway["network"], format="collective-cycle"))
    assert {o.title for c in response.context["columns"] for o in c.offers} == {"Starter"}


def test_map_filters_by_territory_through_the_areas_that_contain_the_commune(client, pathway):
    TerritoryFactory(departement=True)
    arrondissement = TerritoryFactory(
        kind=TerritoryKind.ARRONDISSEMENT,
        code="13201",
        name="Marseille 1er Arrondissement",
        commune_code="13055",
        postal_codes=["13001"],
    )
    aix = TerritoryFactory(code="13001", name="Aix-en-Provence", postal_codes=["13090"])
    departement = TerritoryFactory(departement=True)
    pathway["piles"].territories.set([departement])  # serves all the département
    pathway["starter"].territories.set([aix])  # serves Aix only
    response = client.get(map_url(pathway["network"], territory="13001"))  # a postal code
    assert {o.title for c in response.context["columns"] for o in c.offers} == {"PILES"}
    assert response.context["form"].cleaned_data["territory"] == arrondissement
    response = client.get(map_url(pathway["network"], territory="aix en provence"))
    assert {o.title for c in response.context["columns"] for o in c.offers} == {"PILES", "Starter"}


def test_an_unknown_commune_is_said_and_the_map_stays_whole(client, pathway):
    response = client.get(map_url(pathway["network"], territory="Atlantide"))
    assert "Aucune commune ne correspond" in page_text(response)
    assert {o.title for c in response.context["columns"] for o in c.offers} == {"PILES", "Starter"}


def test_htmx_filtering_returns_only_the_board(client, pathway):
    response = client.get(map_url(pathway["network"], free="on"), HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "<html" not in html
    assert "PILES" in html and "Starter" not in html


def test_unpublished_offers_stay_off_the_public_site(client, pathway):
    starter = pathway["starter"]
    starter.is_published = False
    starter.save()
    response = client.get(map_url(pathway["network"]))
    assert "Starter" not in page_text(response)
    assert client.get(reverse("directory:offer", args=["intermade", "starter"])).status_code == 404


def test_stage_page_has_questions_offers_and_neighbours(client, pathway):
    response = client.get(reverse("directory:stage", args=["reseau-test", "emergence"]))
    text = page_text(response)
    assert "Mon idée est-elle un projet ?" in text
    assert "PILES" in text
    assert "Étape précédente : Accueil" in text
    assert "Étape suivante : Faisabilité" in text


def test_structure_page_shows_offers_positioning_and_contact(client, pathway):
    structure = pathway["piles"].structure
    structure.website = "https://apeas.example"
    structure.email = "contact@apeas.example"
    structure.save()
    text = page_text(client.get(reverse("directory:structure", args=[structure.slug])))
    assert "PILES" in text
    assert "Nous croyons au collectif." in text
    assert "https://apeas.example" in text and "contact@apeas.example" in text


def test_offer_page_shows_sessions_and_how_to_apply(client, pathway):
    session = OfferSessionFactory(offer=pathway["piles"], place="Maison des associations")
    response = client.get(reverse("directory:offer", args=["apeas", "piles"]))
    text = page_text(response)
    assert "Maison des associations" in text
    assert session.starts_on.strftime("%Y") in text
    contact = reverse("orientation:contact", args=["apeas"]) + "?offre=piles"
    assert contact in response.content.decode()


def test_positioning_page_puts_every_structure_side_by_side(client, pathway):
    text = page_text(client.get(reverse("directory:positioning", args=["reseau-test"])))
    assert "APEAS" in text and "Nous croyons au collectif." in text
    assert "Intermade" in text


@pytest.mark.sqlite
def test_search_ignores_accents_and_case(client, pathway):
    services.upsert_offer(
        structure=pathway["piles"].structure,
        slug="gouvernance",
        title="Dynamiques de gouvernance",
        summary="Trois journées pour les projets en développement économique.",
        format=OfferFormat.objects.get(code="workshop"),
        stages=[pathway["stages"][2]],
    )
    for query in ["DEVELOPPEMENT", "développement", "gouvernance"]:
        response = client.get(reverse("directory:search"), {"q": query})
        assert [o.title for o in response.context["offers"]] == ["Dynamiques de gouvernance"]
    response = client.get(reverse("directory:search"), {"q": "intermade"})
    assert [s.name for s in response.context["structures"]] == ["Intermade"]


def test_unknown_pages_are_404(client, pathway):
    assert client.get(reverse("directory:map", args=["inconnu"])).status_code == 404
    assert client.get(reverse("directory:stage", args=["reseau-test", "x"])).status_code == 404
    assert client.get(reverse("directory:structure", args=["inconnue"])).status_code == 404


# --- Bounded queries ---------------------------------------------------------------------------


def fill(network, stages, count):
    structures = [StructureFactory(networks=[network]) for _ in range(max(count // 10, 1))]
    audience = Audience.objects.get(code="jeunes")
    for index in range(count):
        offer = OfferFactory(
            structure=structures[index % len(structures)],
            stages=[stages[index % len(stages)]],
            audiences=[audience],
        )
        OfferSessionFactory(offer=offer)
    return structures


@pytest.mark.parametrize("count", [10, 60])
def test_public_pages_run_a_bounded_number_of_queries(client, django_assert_max_num_queries, count):
    network = NetworkFactory(slug="borne")
    stages = [StageFactory(network=network, position=i) for i in range(1, 5)]
    structures = fill(network, stages, count)
    offer = structures[0].offers.first()
    urls = [
        "/",
        reverse("directory:map", args=[network.slug]),
        reverse("directory:map", args=[network.slug]) + "?audience=jeunes&free=on&upcoming=on",
        reverse("directory:stage", args=[network.slug, stages[0].slug]),
        reverse("directory:positioning", args=[network.slug]),
        reverse("directory:structure", args=[structures[0].slug]),
        reverse("directory:offer", args=[structures[0].slug, offer.slug]),
        reverse("directory:search") + "?q=programme",
    ]
    for url in urls:
        # 13: a structure's page also lists the public knowledge sheets about it (one query).
        with django_assert_max_num_queries(13):
            assert client.get(url).status_code == 200, url


def test_a_crowded_stage_shows_its_first_cards_and_links_to_all_of_them(client, pathway):
    stage = pathway["stages"][0]
    for index in range(15):
        OfferFactory(
            structure=pathway["piles"].structure, title=f"Atelier {index:02d}", stages=[stage]
        )
    response = client.get(map_url(pathway["network"]))
    column = response.context["columns"][0]
    assert len(column.offers) == 12 and column.total == 15
    assert [o.title for o in column.offers] == [f"Atelier {i:02d}" for i in range(12)]
    assert "Voir les 15 offres de l'étape Accueil" in page_text(response)
    assert response.context["offer_count"] == 17
    stage_page = client.get(reverse("directory:stage", args=["reseau-test", "accueil"]))
    assert "15 offres à cette étape" in page_text(stage_page)
