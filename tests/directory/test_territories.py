"""Territories loaded from Etalab's decoupage-administratif files, and looked up."""

import json

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.utils import translation

from maillage.directory.models import Territory, TerritoryKind
from maillage.directory.territories import (
    TerritoryDataError,
    find_commune,
    load_territories,
    territories_by_codes,
    validate_insee_code,
)

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]

AMP = "200054807"
LUBERON = "200040624"

# A tiny extract in the package's own format (data/*.json of @etalab/decoupage-administratif).
DATA = {
    "regions.json": [
        {"code": "93", "chefLieu": "13055", "nom": "Provence-Alpes-Côte d'Azur", "zone": "metro"},
        {"code": "11", "chefLieu": "75056", "nom": "Île-de-France", "zone": "metro"},
    ],
    "departements.json": [
        {"code": "13", "region": "93", "chefLieu": "13055", "nom": "Bouches-du-Rhône"},
        {"code": "84", "region": "93", "chefLieu": "84007", "nom": "Vaucluse"},
        {"code": "75", "region": "11", "chefLieu": "75056", "nom": "Paris"},
    ],
    "epci.json": [
        {
            "code": AMP,
            "nom": "Métropole d'Aix-Marseille-Provence",
            "type": "METRO",
            "populationMunicipale": 1922626,
            "membres": [
                {"code": "13055", "siren": "211300553", "nom": "Marseille"},
                {"code": "13001", "siren": "211300017", "nom": "Aix-en-Provence"},
                {"code": "84089", "siren": "218400893", "nom": "Pertuis"},
            ],
        },
        {
            "code": LUBERON,
            "nom": "CC Pays d'Apt-Luberon",
            "type": "CC",
            "populationMunicipale": 30000,
            "membres": [{"code": "84003", "siren": "218400034", "nom": "Apt"}],
        },
    ],
    "communes.json": [
        {
            "code": "13055",
            "nom": "Marseille",
            "departement": "13",
            "region": "93",
            "type": "commune-actuelle",
            "codesPostaux": ["13002", "13001"],
            "population": 886040,
        },
        {
            "code": "13201",
            "nom": "Marseille 1er Arrondissement",
            "type": "arrondissement-municipal",
            "commune": "13055",
            "departement": "13",
            "region": "93",
            "codesPostaux": ["13001"],
            "population": 37599,
        },
        {
            "code": "13202",
            "nom": "Marseille 2e Arrondissement",
            "type": "arrondissement-municipal",
            "commune": "13055",
            "departement": "13",
            "region": "93",
            "codesPostaux": ["13002"],
            "population": 25779,
        },
        {
            "code": "13001",
            "nom": "Aix-en-Provence",
            "departement": "13",
            "region": "93",
            "type": "commune-actuelle",
            "codesPostaux": ["13080", "13090", "13100"],
            "population": 149695,
        },
        {
            "code": "84089",
            "nom": "Pertuis",
            "departement": "84",
            "region": "93",
            "type": "commune-actuelle",
            "codesPostaux": ["84120"],
            "population": 20000,
        },
        {
            "code": "84003",
            "nom": "Apt",
            "departement": "84",
            "region": "93",
            "type": "commune-actuelle",
            "codesPostaux": ["84400"],
            "population": 11000,
        },
        {
            "code": "84121",
            "nom": "Saint-Saturnin-lès-Apt",
            "departement": "84",
            "region": "93",
            "type": "commune-actuelle",
            "codesPostaux": ["84490"],
            "population": 2700,
        },
        {
            "code": "84999",
            "nom": "Ancienne commune déléguée",
            "departement": "84",
            "region": "93",
            "type": "commune-deleguee",
            "chefLieu": "84003",
        },
        {
            "code": "84998",
            "nom": "Ancienne commune associée",
            "departement": "84",
            "region": "93",
            "type": "commune-associee",
            "chefLieu": "84003",
        },
    ],
}


@pytest.fixture
def data_dir(tmp_path):
    for name, rows in DATA.items():
        (tmp_path / name).write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    return tmp_path


@pytest.fixture
def loaded(data_dir):
    return load_territories(data_dir=data_dir)


def get(kind, code):
    return Territory.objects.get(kind=kind, code=code)


def test_loads_every_kind_and_leaves_out_former_communes(loaded):
    counts = {kind: Territory.objects.filter(kind=kind).count() for kind in TerritoryKind}
    assert counts == {
        TerritoryKind.REGION: 2,
        TerritoryKind.DEPARTEMENT: 3,
        TerritoryKind.EPCI: 2,
        TerritoryKind.COMMUNE: 5,
        TerritoryKind.ARRONDISSEMENT: 2,
    }
    assert loaded.total_created == 14
    assert not Territory.objects.filter(code__in=["84999", "84998"]).exists()


def test_an_arrondissement_knows_every_area_that_contains_it(loaded):
    arrondissement = get(TerritoryKind.ARRONDISSEMENT, "13201")
    assert arrondissement.name == "Marseille 1er Arrondissement"
    assert arrondissement.containing_codes == {
        (TerritoryKind.ARRONDISSEMENT, "13201"),
        (TerritoryKind.COMMUNE, "13055"),
        (TerritoryKind.EPCI, AMP),
        (TerritoryKind.DEPARTEMENT, "13"),
        (TerritoryKind.REGION, "93"),
    }
    assert arrondissement.postal_codes == ["13001"]
    assert arrondissement.population == 37599


def test_communes_get_their_postal_codes_epci_and_a_search_name(loaded):
    marseille = get(TerritoryKind.COMMUNE, "13055")
    assert marseille.postal_codes == ["13001", "13002"]
    assert marseille.epci_code == AMP
    assert marseille.commune_code == ""
    saturnin = get(TerritoryKind.COMMUNE, "84121")
    assert saturnin.search_name == "saint saturnin les apt"
    assert saturnin.epci_code == ""  # in no EPCI of the files


def test_epcis_are_coded_by_siren_and_get_a_departement_only_when_inside_one(loaded):
    amp = get(TerritoryKind.EPCI, AMP)
    assert amp.name == "Métropole d'Aix-Marseille-Provence"
    assert (amp.departement_code, amp.region_code) == ("", "")  # Pertuis is in Vaucluse
    luberon = get(TerritoryKind.EPCI, LUBERON)
    assert (luberon.departement_code, luberon.region_code) == ("84", "93")
    assert luberon.population == 30000


def test_departements_and_regions_add_up_their_communes_population(loaded):
    assert get(TerritoryKind.DEPARTEMENT, "13").population == 886040 + 149695
    assert get(TerritoryKind.DEPARTEMENT, "13").region_code == "93"
    assert get(TerritoryKind.REGION, "93").population == 886040 + 149695 + 20000 + 11000 + 2700


def test_a_second_run_creates_nothing(loaded, data_dir, django_assert_max_num_queries):
    before = list(Territory.objects.order_by("pk").values())
    with django_assert_max_num_queries(4):
        report = load_territories(data_dir=data_dir)
    assert (report.total_created, report.total_updated) == (0, 0)
    assert sum(report.unchanged.values()) == 14
    assert list(Territory.objects.order_by("pk").values()) == before


def test_a_renamed_commune_is_updated_in_place(loaded, data_dir):
    rows = json.loads((data_dir / "communes.json").read_text())
    rows[3]["nom"] = "Aix-en-Provence-Nouvelle"
    (data_dir / "communes.json").write_text(json.dumps(rows))
    pk = get(TerritoryKind.COMMUNE, "13001").pk
    report = load_territories(data_dir=data_dir)
    assert (report.total_created, report.total_updated) == (0, 1)
    aix = Territory.objects.get(pk=pk)
    assert (aix.name, aix.search_name) == ("Aix-en-Provence-Nouvelle", "aix en provence nouvelle")


def test_one_departement_brings_its_region_and_epcis(data_dir):
    load_territories(data_dir=data_dir, departements=["84"])
    assert set(Territory.objects.values_list("kind", "code")) == {
        (TerritoryKind.REGION, "93"),
        (TerritoryKind.DEPARTEMENT, "84"),
        (TerritoryKind.EPCI, AMP),
        (TerritoryKind.EPCI, LUBERON),
        (TerritoryKind.COMMUNE, "84089"),
        (TerritoryKind.COMMUNE, "84003"),
        (TerritoryKind.COMMUNE, "84121"),
    }


def test_the_command_loads_and_reports(data_dir, capsys):
    call_command("load_territories", "--data-dir", str(data_dir), "--departement", "13")
    assert "7 created, 0 updated, 0 unchanged" in capsys.readouterr().out
    call_command("load_territories", "--data-dir", str(data_dir), "--departement", "13")
    assert "0 created, 0 updated, 7 unchanged" in capsys.readouterr().out


def test_the_command_refuses_an_unknown_departement(data_dir):
    with pytest.raises(CommandError, match="Unknown département code"):
        call_command("load_territories", "--data-dir", str(data_dir), "--departement", "99")
    assert not Territory.objects.exists()


def test_a_missing_file_says_which_and_how_to_get_it(data_dir):
    (data_dir / "epci.json").unlink()
    with pytest.raises(CommandError, match=r"epci\.json is missing.*npm ci"):
        call_command("load_territories", "--data-dir", str(data_dir))
    assert not Territory.objects.exists()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("<html>not json</html>", r"communes\.json is not valid JSON"),
        ('{"code": "13055"}', r"communes\.json should hold a JSON list"),
        ('[{"code": "13055", "nom": "Marseille"}]', r"communes\.json, entry 1: missing type"),
    ],
)
def test_a_file_in_another_format_is_refused_clearly(data_dir, content, message):
    (data_dir / "communes.json").write_text(content)
    with pytest.raises(TerritoryDataError, match=message):
        load_territories(data_dir=data_dir)
    assert not Territory.objects.exists()


# --- Looking up ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("13055", "13055"),  # INSEE code
        ("13201", "13201"),  # an arrondissement's INSEE code
        ("13001", "13001"),  # INSEE code of Aix first, though it is also a Marseille postal code
        ("13090", "13001"),  # postal code
        ("84400", "84003"),
        ("aix-en-provence", "13001"),  # name, any case
        ("AIX EN PROVENCE", "13001"),
        ("Saint Saturnin les Apt", "84121"),  # without accents
        ("Saint-Saturnin-lès-Apt", "84121"),
        ("13001 Marseille", "13201"),  # postal code + city: its arrondissement
        ("Marseille (13002)", "13202"),
        ("13100 Aix-en-Provence", "13001"),
    ],
)
def test_find_commune_reads_codes_postal_codes_and_names(loaded, text, code):
    assert find_commune(text).code == code


@pytest.mark.parametrize("text", ["", "   ", "Atlantis", "99999", "84000", "13", "84400 Pertuis"])
def test_find_commune_returns_none_when_nothing_or_several_match(loaded, text):
    assert find_commune(text) is None


def test_territories_by_codes_in_order_in_one_query(loaded, django_assert_num_queries):
    with django_assert_num_queries(1):
        found = territories_by_codes(["13201", "region:93", "84", AMP, "reg:11", "13"])
    assert [(t.kind, t.code) for t in found] == [
        (TerritoryKind.ARRONDISSEMENT, "13201"),
        (TerritoryKind.REGION, "93"),
        (TerritoryKind.DEPARTEMENT, "84"),
        (TerritoryKind.EPCI, AMP),
        (TerritoryKind.REGION, "11"),
        (TerritoryKind.DEPARTEMENT, "13"),
    ]


def test_territories_by_codes_names_the_unknown_ones(loaded):
    with translation.override("fr"), pytest.raises(ValidationError) as error:
        territories_by_codes(["13", "99999", "region:13", "nimportequoi"])
    assert error.value.messages == ["Code de territoire inconnu : 99999, region:13, nimportequoi."]


def test_validate_insee_code(loaded):
    assert validate_insee_code(" 13201 ").name == "Marseille 1er Arrondissement"
    with translation.override("fr"):
        with pytest.raises(ValidationError) as unknown:
            validate_insee_code("13999")
        with pytest.raises(ValidationError) as malformed:
            validate_insee_code("Marseille")
        with pytest.raises(ValidationError) as not_a_commune:
            validate_insee_code(AMP)
    assert unknown.value.messages == ["Code INSEE inconnu : 13999. Aucune commune n'a ce code."]
    assert "n'est pas un code INSEE" in malformed.value.messages[0]
    assert "n'est pas un code INSEE" in not_a_commune.value.messages[0]
