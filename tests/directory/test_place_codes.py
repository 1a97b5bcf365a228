"""One reading of five digits everywhere (issue 17, point 2): a postal code first where the
field says postal code or a visitor types a place, an INSEE code first where the field says
INSEE code, and the other reading shown when the code names two different places."""

import pytest
from django.urls import reverse
from django.utils import translation

from maillage.directory.forms import SessionForm
from maillage.directory.public_forms import MapFilterForm
from maillage.directory.territories import read_code
from maillage.imports.models import ImportStatus
from maillage.pathways.models import Person
from tests.factories import NetworkFactory, StageFactory, TerritoryFactory
from tests.imports.engine import PERSON_HEADER, commit, media, world  # noqa: F401 (fixtures)
from tests.utils import page_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def places(db):
    marseille = TerritoryFactory(
        code="13055", name="Marseille", postal_codes=[f"130{n:02d}" for n in range(1, 17)]
    )
    parts = {
        n: TerritoryFactory(
            kind="arrondissement",
            code=f"132{n:02d}",
            name=f"Marseille {n}{'er' if n == 1 else 'e'} Arrondissement",
            commune_code="13055",
            postal_codes=[f"130{n:02d}"],
        )
        for n in (1, 2, 5)
    }
    return {
        "marseille": marseille,
        "parts": parts,
        "aix": TerritoryFactory(
            code="13001", name="Aix-en-Provence", postal_codes=["13080", "13090", "13100"]
        ),
        "aubagne": TerritoryFactory(code="13005", name="Aubagne", postal_codes=["13400"]),
        "saint_remy": TerritoryFactory(
            code="13100", name="Saint-Rémy-de-Provence", postal_codes=["13210"]
        ),
    }


def test_a_postal_code_reads_as_its_place_and_keeps_the_other_reading(places):
    reading = read_code("13001")
    assert reading.place == places["parts"][1]
    assert reading.alternatives == (places["aix"],)
    assert read_code("13100").place == places["aix"]
    assert read_code("13100").alternatives == (places["saint_remy"],)
    assert read_code("13400").place == places["aubagne"] and not read_code("13400").is_ambiguous
    # Where the field says INSEE code, the INSEE reading comes first.
    assert read_code("13001", postal_first=False).place == places["aix"]


def test_the_ambiguity_is_said_in_both_languages(places):
    reading = read_code("13001")
    from maillage.directory.territories import describe_reading

    with translation.override("fr"):
        assert describe_reading(reading) == (
            "13001 est le code postal de Marseille 1er Arrondissement, et aussi le code INSEE "
            "d'Aix-en-Provence : nous le lisons comme un code postal."
        )
    with translation.override("en"):
        assert describe_reading(reading) == (
            "13001 is the postal code of Marseille 1er Arrondissement, and also the INSEE code "
            "of Aix-en-Provence: we read it as a postal code."
        )


def orientation_url(network, place):
    url = reverse("orientation:start", kwargs={"slug": network.slug})
    return f"{url}?envoi=1&progress=idea&place={place}"


def test_the_orientation_reads_13001_as_marseille_and_offers_aix(client, places):
    network = NetworkFactory(name="Réseau ESS 13")
    StageFactory(network=network, slug="emergence", name="Émergence", position=1)

    response = client.get(orientation_url(network, "13001"))

    assert response.context["territory"] == places["parts"][1]
    text = page_text(response)
    assert "Lieu compris : Marseille 1er Arrondissement." in text
    assert "et aussi le code INSEE d'Aix-en-Provence" in text
    assert "Choisir Aix-en-Provence plutôt" in text
    # The link picks the other reading.
    other = response.context["place_alternatives"][0][1]
    chosen = client.get(reverse("orientation:start", kwargs={"slug": network.slug}) + "?" + other)
    assert chosen.context["territory"] == places["aix"]
    assert client.get(orientation_url(network, "13100")).context["territory"] == places["aix"]


def test_the_map_filter_reads_a_postal_code_and_says_the_other_reading(places):
    with translation.override("fr"):
        form = MapFilterForm({"territory": "13100"})
        assert form.filters().territory == places["aix"]
        assert "code INSEE de Saint-Rémy-de-Provence" in str(form.fields["territory"].help_text)


def test_a_commune_field_reads_an_insee_code_first_then_a_postal_code(places):
    def commune(value):
        form = SessionForm({"starts_on": "2030-01-07", "commune": value})
        form.is_valid()
        return form.cleaned_data.get("commune"), form.errors.get("commune")

    assert commune("13001") == (places["aix"], None)  # the field says INSEE code
    assert commune("13090") == (places["aix"], None)  # a postal code of one commune only
    assert commune("99999")[1]


def test_an_import_with_a_postal_code_column_links_the_commune(world, places):  # noqa: F811
    header = [*PERSON_HEADER, "Code postal"]
    rows = [
        ["D-1", "Durand", "Camille", "", "", "", "13001"],
        ["D-2", "Martin", "Dominique", "", "", "", "13100"],
    ]
    run = commit(world, "persons", header, rows)

    assert run.status == ImportStatus.IMPORTED, run.errors
    camille = Person.objects.get(last_name="Durand")
    assert (camille.postal_code, camille.commune) == ("13001", places["parts"][1])
    assert Person.objects.get(last_name="Martin").commune == places["aix"]


def test_an_import_says_which_reading_of_an_ambiguous_commune_it_took(world, places):  # noqa: F811
    header = [*PERSON_HEADER, "Commune"]
    with translation.override("fr"):
        run = commit(world, "persons", header, [["D-1", "Durand", "Camille", "", "", "", "13001"]])

    assert Person.objects.get(last_name="Durand").commune == places["parts"][1]
    assert [w["column"] for w in run.warnings] == ["Commune"]
    assert "code INSEE d'Aix-en-Provence" in run.warnings[0]["reason"]
