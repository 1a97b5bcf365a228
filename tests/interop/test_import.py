import io
import json

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from maillage.core.demos import Demo
from maillage.interop import demo as interop_demo
from maillage.interop.models import ImportBatch, OutsideResource
from maillage.interop.services import ImportRefused, import_data_inclusion
from tests.factories import NetworkFactory, UserFactory

pytestmark = pytest.mark.django_db


def structure(**fields):
    return {
        "source": "territoire",
        "id": "territoire--mission-locale",
        "nom": "Mission locale de l'Étang",
        "date_maj": "2025-01-10",
        "description": "Accueil des jeunes de 16 à 25 ans.",
        "commune": "Martigues",
        "code_postal": "13500",
        "code_insee": "13056",
        "adresse": "1 quai des Anglais",
        "telephone": "04 42 00 00 00",
        "courriel": "accueil@mission-locale.example.org",
        "site_web": "https://mission-locale.example.org",
        **fields,
    }


def service(**fields):
    return {
        "source": "territoire",
        "id": "territoire--creer-son-activite",
        "structure_id": "territoire--mission-locale",
        "nom": "Créer son activité quand on est jeune",
        "date_maj": "2025-01-10",
        "description": "Des rendez-vous pour tester une idée d'activité.",
        "thematiques": ["creer-une-entreprise--definir-son-projet-de-creation-dentreprise"],
        "publics": ["jeunes"],
        "zone_eligibilite": ["200054807", "13"],
        **fields,
    }


def as_file(items, name="fichier.json"):
    file = io.BytesIO(json.dumps(items).encode())
    file.name = name
    return file


def refusal(**kwargs):
    with pytest.raises(ImportRefused) as error:
        import_data_inclusion(**kwargs)
    return [str(e) for e in error.value.item_errors]


def test_an_import_brings_structures_and_services_with_their_places():
    network = NetworkFactory()
    coordinator = UserFactory()
    batch = import_data_inclusion(
        network=network,
        structures_file=as_file([structure()], "structures.json"),
        services_file=as_file([service()], "services.json"),
        by=coordinator,
    )
    assert (batch.created, batch.updated, batch.unchanged) == (2, 0, 0)
    assert batch.imported_by == coordinator and "structures.json" in batch.file_names
    offer = OutsideResource.objects.get(kind="service")
    assert offer.name == "Créer son activité quand on est jeune"
    assert offer.organisation_name == "Mission locale de l'Étang"
    # Where the service says nothing of its place and contact, its structure's are used.
    assert (offer.code_insee, offer.commune, offer.phone) == (
        "13056",
        "Martigues",
        "04 42 00 00 00",
    )
    assert offer.zone_codes == ["200054807", "13"]
    assert offer.thematiques == ["creer-une-entreprise--definir-son-projet-de-creation-dentreprise"]
    assert offer.raw["publics"] == ["jeunes"] and offer.batch == batch
    place = OutsideResource.objects.get(kind="structure")
    assert place.link == "https://mission-locale.example.org/"
    assert place.address == "1 quai des Anglais"


def test_importing_the_same_files_again_changes_nothing_and_a_changed_item_is_updated():
    network = NetworkFactory()
    import_data_inclusion(network=network, structures_file=as_file([structure()]))
    again = import_data_inclusion(network=network, structures_file=as_file([structure()]))
    assert (again.created, again.updated, again.unchanged, again.pk) == (0, 0, 1, None)
    assert ImportBatch.objects.count() == 1
    changed = import_data_inclusion(
        network=network, structures_file=as_file([structure(nom="Mission locale")])
    )
    assert (changed.created, changed.updated) == (0, 1)
    assert OutsideResource.objects.get().name == "Mission locale"


def test_each_network_has_its_own_resources():
    first, second = NetworkFactory(), NetworkFactory()
    import_data_inclusion(network=first, structures_file=as_file([structure()]))
    import_data_inclusion(network=second, structures_file=as_file([structure()]))
    assert OutsideResource.objects.filter(network=first).count() == 1
    assert OutsideResource.objects.filter(network=second).count() == 1


def test_one_wrong_item_refuses_the_whole_import_with_errors_by_item_and_field():
    network = NetworkFactory()
    errors = refusal(
        network=network,
        structures_file=as_file([structure(), structure(id="territoire--2", nom="AB")]),
        services_file=as_file(
            [
                service(),
                service(
                    id="territoire--3", publics=["tous-publics", "jeunes"], date_maj="2999-01-01"
                ),
                service(
                    id="territoire--4", thematiques=["cuisine"], zone_eligibilite=["Marseille"]
                ),
            ]
        ),
    )
    assert errors == [
        "Fichier des structures, élément 2, champ « nom » : "
        "Au moins 3 caractères sont nécessaires.",
        "Fichier des services, élément 2, champ « date_maj » : "
        "La date de dernière modification ne peut pas être dans le futur.",
        "Fichier des services, élément 2, champ « publics » : "
        "`tous-publics` ne peut pas être utilisé avec d\u2019autres valeurs.",
        "Fichier des services, élément 3, champ « thematiques[0] » : "
        + errors[3].split("champ « thematiques[0] » : ")[1],
        "Fichier des services, élément 3, champ « zone_eligibilite[0] » : "
        + errors[4].split("champ « zone_eligibilite[0] » : ")[1],
    ]
    assert errors[3].split(" : ", 1)[1].startswith("Ce n'est pas un des codes du schéma")
    assert OutsideResource.objects.count() == 0
    assert ImportBatch.objects.count() == 0


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"{pas du json", "Fichier des services : Ce n'est pas un fichier JSON"),
        (b'{"id": 1}', "Fichier des services : Le fichier doit contenir un tableau JSON"),
        (b"[1]", "Fichier des services, élément 1 : Un élément doit être un objet JSON."),
    ],
)
def test_unreadable_files_are_refused(content, message):
    file = io.BytesIO(content)
    errors = refusal(network=NetworkFactory(), services_file=file)
    assert errors[0].startswith(message)


def test_missing_fields_and_duplicate_identifiers_are_named():
    errors = refusal(
        network=NetworkFactory(),
        structures_file=as_file([structure(), structure(), {"source": "x", "id": "x--1"}]),
    )
    assert (
        "Fichier des structures, élément 2, champ « id » : "
        "Un autre élément du fichier a cet identifiant." in errors
    )
    assert "Fichier des structures, élément 3, champ « nom » : Ce champ est obligatoire." in errors


def test_our_own_limits_are_checked_too():
    errors = refusal(
        network=NetworkFactory(), structures_file=as_file([structure(telephone="0" * 120)])
    )
    assert errors[0].startswith("Fichier des structures, élément 1, champ « telephone » :")


def test_at_least_one_file_is_needed():
    with pytest.raises(ValidationError):
        import_data_inclusion(network=NetworkFactory())


def test_the_command_imports_and_refuses_with_the_errors_on_stderr(tmp_path):
    network = NetworkFactory(slug="reseau-13")
    good = tmp_path / "structures.json"
    good.write_text(json.dumps([structure()]), encoding="utf-8")
    out = io.StringIO()
    call_command(
        "import_data_inclusion", "--network", "reseau-13", "--structures", str(good), stdout=out
    )
    assert "1 new" in out.getvalue()
    bad = tmp_path / "services.json"
    bad.write_text(json.dumps([service(nom="")]), encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(CommandError) as error:
        call_command(
            "import_data_inclusion", "--network", "reseau-13", "--services", str(bad), stderr=err
        )
    assert error.value.returncode == 1
    assert "nom" in err.getvalue()
    assert OutsideResource.objects.filter(network=network).count() == 1


def test_the_command_names_an_unknown_network_or_file(tmp_path):
    with pytest.raises(CommandError, match="slug"):
        call_command("import_data_inclusion", "--network", "nope", "--services", "x.json")
    NetworkFactory(slug="reseau-13")
    with pytest.raises(CommandError, match="No such file"):
        call_command(
            "import_data_inclusion", "--network", "reseau-13", "--services", str(tmp_path / "x")
        )


def test_the_demo_files_import_through_the_service_and_twice_change_nothing():
    network = NetworkFactory()
    interop_demo.load_demo(Demo(network=network))
    assert OutsideResource.objects.filter(network=network, kind="service").count() == 4
    assert OutsideResource.objects.filter(network=network, kind="structure").count() == 3
    interop_demo.load_demo(Demo(network=network))
    assert OutsideResource.objects.count() == 7 and ImportBatch.objects.count() == 1


@pytest.mark.parametrize("rows", [10, 60])
def test_an_import_costs_a_fixed_number_of_queries(django_assert_max_num_queries, rows):
    # (SQLite splits a bulk insert of many rows in a few statements, hence the margin.)
    network = NetworkFactory()
    items = [structure(id=f"territoire--{n}") for n in range(rows)]
    with django_assert_max_num_queries(12):
        import_data_inclusion(network=network, structures_file=as_file(items))
    items[0]["nom"] = "Changée"
    with django_assert_max_num_queries(8):
        batch = import_data_inclusion(network=network, structures_file=as_file(items))
    assert (batch.updated, batch.unchanged) == (1, rows - 1)
