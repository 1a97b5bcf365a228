import io
import json

import pytest
from django.urls import reverse

from maillage.interop.models import OutsideResource
from maillage.interop.selectors import outside_resources_for
from maillage.interop.services import import_data_inclusion
from tests.factories import (
    NetworkFactory,
    NetworkRoleFactory,
    StructureMembershipFactory,
    UserFactory,
)
from tests.interop.builders import territories
from tests.interop.test_import import as_file, service, structure
from tests.utils import page_text

pytestmark = pytest.mark.django_db


def page_url(network):
    return reverse("interop:outside_resources", kwargs={"slug": network.slug})


def upload(name, items):
    file = io.BytesIO(json.dumps(items).encode())
    file.name = name
    return file


@pytest.fixture
def coordinator():
    return NetworkRoleFactory()


def test_the_coordinator_sees_the_resources_with_counts_and_imports_files(login, coordinator):
    network = coordinator.network
    client = login(coordinator.user)
    response = client.get(page_url(network))
    assert response.status_code == 200
    text = page_text(response)
    assert "Autres ressources du territoire" in text
    assert "Aucune ressource n'a encore été importée." in text
    response = client.post(
        page_url(network),
        {
            "structures_file": upload("structures.json", [structure()]),
            "services_file": upload("services.json", [service()]),
        },
        follow=True,
    )
    text = page_text(response)
    assert "Import terminé : 2 nouvelles, 0 mises à jour, 0 inchangées." in text
    assert "1 organisation" in text and "1 service" in text
    assert "Créer son activité quand on est jeune" in text
    assert OutsideResource.objects.filter(network=network).count() == 2


def test_a_wrong_file_lists_its_errors_and_imports_nothing(login, coordinator):
    client = login(coordinator.user)
    response = client.post(
        page_url(coordinator.network),
        {"services_file": upload("services.json", [service(), service(id="x--2", nom="")])},
    )
    assert response.status_code == 400
    text = page_text(response)
    assert "Rien n'a été importé : 1 erreur à corriger" in text
    assert (
        "Fichier des services, élément 2, champ « nom » : Au moins 3 caractères sont nécessaires."
        in text
    )
    assert OutsideResource.objects.count() == 0


def test_the_form_asks_for_a_file(login, coordinator):
    response = login(coordinator.user).post(page_url(coordinator.network), {})
    assert (
        "Choisissez un fichier des structures, un fichier des services, ou les deux."
        in page_text(response)
    )


def test_the_list_downloads_as_csv(login, coordinator):
    import_data_inclusion(
        network=coordinator.network,
        structures_file=as_file([structure()]),
        services_file=as_file([service()]),
    )
    response = login(coordinator.user).get(
        reverse("interop:outside_resources_csv", kwargs={"slug": coordinator.network.slug})
    )
    assert response.status_code == 200
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("Type;Source;Identifiant à la source;Nom")
    assert len(lines) == 3
    assert any("Créer son activité quand on est jeune" in line for line in lines)


@pytest.mark.parametrize("who", ["advisor", "other_coordinator", "funder"])
def test_others_get_a_404(login, coordinator, who):
    user = {
        "advisor": lambda: StructureMembershipFactory().user,
        "other_coordinator": lambda: NetworkRoleFactory().user,
        "funder": lambda: NetworkRoleFactory(network=coordinator.network, funder=True).user,
    }[who]()
    client = login(user)
    assert client.get(page_url(coordinator.network)).status_code == 404
    csv_url = reverse("interop:outside_resources_csv", kwargs={"slug": coordinator.network.slug})
    assert client.get(csv_url).status_code == 404


def test_anonymous_visitors_are_sent_to_the_login(client, coordinator):
    response = client.get(page_url(coordinator.network))
    assert response.status_code == 302 and "/compte/connexion/" in response["Location"]


def test_a_platform_admin_may_import(login):
    network = NetworkFactory()
    assert login(UserFactory(platform_admin=True)).get(page_url(network)).status_code == 200


@pytest.mark.parametrize("rows", [10, 60])
def test_the_page_costs_a_fixed_number_of_queries(
    login, coordinator, django_assert_max_num_queries, rows
):
    items = [structure(id=f"t--{n}", nom=f"Structure {n}") for n in range(rows)]
    import_data_inclusion(network=coordinator.network, structures_file=as_file(items))
    client = login(coordinator.user)
    with django_assert_max_num_queries(12):
        response = client.get(page_url(coordinator.network))
    assert f"{rows} organisations" in page_text(response)


# --- outside_resources_for ---------------------------------------------------------------------


@pytest.fixture
def resources():
    network = NetworkFactory()
    import_data_inclusion(
        network=network,
        structures_file=as_file([structure(code_insee="13005", commune="Aubagne")]),
        services_file=as_file(
            [
                service(id="t--metropole", zone_eligibilite=["200054807"]),
                service(
                    id="t--departement",
                    zone_eligibilite=["13"],
                    thematiques=["numerique--acquerir-un-equipement"],
                ),
                service(id="t--france", zone_eligibilite=["france"], thematiques=None),
                service(id="t--arles", zone_eligibilite=["13004"], code_insee="13004"),
                service(id="t--vaucluse", zone_eligibilite=["84"]),
            ]
        ),
    )
    return network


def ids(queryset):
    return {resource.external_id for resource in queryset}


def test_resources_for_a_commune_are_those_whose_zone_covers_it(resources):
    places = territories()
    assert ids(outside_resources_for(network=resources, territory=places["marseille"])) == {
        "t--metropole",
        "t--departement",
        "t--france",
    }
    # Aubagne: the structure sits there, and its services (no place of their own) too.
    assert ids(outside_resources_for(network=resources, territory=places["aubagne"])) == {
        "territoire--mission-locale",
        "t--metropole",
        "t--departement",
        "t--france",
    }


def test_resources_for_a_departement_include_those_located_in_it(resources):
    places = territories()
    assert ids(outside_resources_for(network=resources, territory=places["departement"])) == {
        "territoire--mission-locale",
        "t--departement",
        "t--france",
        "t--arles",
    }


def test_resources_can_be_narrowed_to_themes_or_a_category(resources):
    places = territories()
    found = outside_resources_for(
        network=resources,
        territory=places["marseille"],
        thematiques=["creer-une-entreprise--definir-son-projet-de-creation-dentreprise"],
    )
    assert ids(found) == {"t--metropole"}
    assert ids(outside_resources_for(network=resources, thematiques=["numerique"])) == {
        "t--departement"
    }


def test_resources_belong_to_their_network(resources):
    assert not outside_resources_for(network=NetworkFactory()).exists()
    assert outside_resources_for(network=resources).count() == 6
