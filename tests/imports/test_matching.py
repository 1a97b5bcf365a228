"""Matching cells to referential entries and to communes."""

import json
from collections import defaultdict
from pathlib import Path

import pytest

from maillage.directory.models import TerritoryKind
from maillage.imports.matching import (
    SYNONYMS_FILE,
    Choice,
    CommuneMatcher,
    Matcher,
    referential_matcher,
)
from maillage.imports.readers import normalise_label
from maillage.imports.values import CellError
from maillage.pathways.models import ActType, Situation
from maillage.pathways.referentials import KINDS
from tests.factories import NetworkFactory, StructureFactory, TerritoryFactory

REFERENTIALS_DIR = Path(KINDS["act-types"][0]._meta.apps.get_app_config("pathways").path) / (
    "referentials"
)

# --- Matcher ------------------------------------------------------------------------------------

GENDERS = [
    Choice("female", "Femme", ("F", "féminin")),
    Choice("male", "Homme", ("H", "M", "masculin")),
    Choice("other", "Autre"),
    Choice("unknown", "Non renseigné", ("NR",)),
]


@pytest.mark.parametrize(
    ("value", "key"),
    [
        ("Femme", "female"),
        ("FEMME", "female"),
        (" femme ", "female"),
        ("F", "female"),
        ("Féminin", "female"),
        ("feminin", "female"),
        ("female", "female"),  # the key itself
        ("h", "male"),
        ("Non-renseigné", "unknown"),
        ("non renseigne.", "unknown"),
        ("Hom", "male"),  # an unambiguous prefix
        ("aut", "other"),
        ("Non rens", "unknown"),
        ("N. rens.", "unknown"),  # abbreviated words
    ],
)
def test_matcher_matches_labels_synonyms_keys_and_prefixes(value, key):
    assert Matcher(GENDERS, what="genre").match(value) == key


def test_matcher_unknown_lists_accepted_values():
    matcher = Matcher(GENDERS, what="genre")

    with pytest.raises(CellError) as error:
        matcher.match("Inconnu du bataillon")

    assert "genre" in error.value.reason
    for label in ("Femme", "Homme", "Autre", "Non renseigné"):
        assert label in error.value.reason


def test_matcher_lists_at_most_eight_values():
    choices = [Choice(f"k{n}", f"Valeur {n:02d}") for n in range(12)]

    with pytest.raises(CellError) as error:
        Matcher(choices, what="choix").match("Rien")

    assert "Valeur 07" in error.value.reason
    assert "Valeur 08" not in error.value.reason
    assert "…" in error.value.reason


def test_matcher_ambiguous_prefix_names_the_candidates():
    choices = [
        Choice("workshop", "Atelier collectif"),
        Choice("work_cv", "Atelier CV"),
        Choice("reception", "Accueil"),
    ]
    matcher = Matcher(choices, what="type d'acte")

    for _attempt in range(2):  # the memoised answer raises each time too
        with pytest.raises(CellError) as error:
            matcher.match("Atel")
        assert "Atelier collectif" in error.value.reason
        assert "Atelier CV" in error.value.reason
        assert "Accueil" not in error.value.reason
    assert matcher.match("Atelier coll") == "workshop"


def test_matcher_one_letter_is_not_an_abbreviation():
    matcher = Matcher([Choice("reception", "Accueil"), Choice("review", "Bilan")], what="type")

    with pytest.raises(CellError):
        matcher.match("a")
    assert matcher.match("ac") == "reception"


def test_matcher_same_text_for_two_choices_is_ambiguous():
    matcher = Matcher([Choice(1, "Suivi", ("RDV",)), Choice(2, "Entretien", ("RDV",))], what="t")

    with pytest.raises(CellError):
        matcher.match("rdv")
    assert matcher.match("suivi") == 1


def test_matcher_with_no_choice_says_so():
    with pytest.raises(CellError):
        Matcher([], what="secteur").match("Commerce")


# --- Referentials -------------------------------------------------------------------------------


@pytest.fixture
def structure(db):
    return StructureFactory(networks=[NetworkFactory()])


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("Entretien individuel", "individual_interview"),
        ("entretien individuel", "individual_interview"),
        ("Individual interview", "individual_interview"),  # the English label too
        ("individual_interview", "individual_interview"),  # the code
        ("RDV", "individual_interview"),  # synonyms.json
        ("Entretien", "individual_interview"),
        ("Rendez-vous", "individual_interview"),
        ("Ent. indiv.", "individual_interview"),  # abbreviation
        ("Atelier", "collective_workshop"),
        ("Formation collective", "collective_workshop"),
        ("Réunion d'info", "information_meeting"),
        ("Info coll.", "information_meeting"),
        ("Diag", "diagnostic"),
        ("Comite d admission", "admission_committee"),
        ("Mise en relation", "bringing_into_contact"),
        ("BILAN", "review"),
    ],
)
def test_act_types_match(structure, value, code):
    assert referential_matcher("act-types", structure=structure).match(value).code == code


def test_referential_matcher_keys_are_the_entries(structure):
    entry = referential_matcher("situations", structure=structure).match("RSA")

    assert isinstance(entry, Situation)
    assert entry.code == "rsa"
    assert referential_matcher("situations", structure=structure).match("DE").code == "job_seeker"


def test_referential_matcher_sees_the_structure_networks_entries_only(structure):
    own = ActType.objects.create(
        code="permanence_juridique",
        label_fr="Permanence juridique",
        label_en="Legal clinic",
        network=structure.networks.get(),
    )
    ActType.objects.create(
        code="autre_reseau", label_fr="Visite d'entreprise", network=NetworkFactory()
    )
    ActType.objects.create(code="ancien", label_fr="Ancien type", is_active=False)
    matcher = referential_matcher("act-types", structure=structure)

    assert matcher.match("permanence juridique") == own
    assert matcher.match("Legal clinic") == own
    for hidden in ("Visite d'entreprise", "Ancien type"):
        with pytest.raises(CellError):
            matcher.match(hidden)


def test_referential_unknown_value_lists_entries(structure):
    with pytest.raises(CellError) as error:
        referential_matcher("outcome-types", structure=structure).match("Lune")

    assert "Activité créée" in error.value.reason


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_referential_kind_has_a_matcher(structure, kind):
    model = KINDS[kind][0]
    entry = model.objects.filter(network__isnull=True, is_active=True).first()

    assert referential_matcher(kind, structure=structure).match(entry.label_fr) == entry


def test_synonyms_file_names_existing_codes_and_never_two_entries():
    synonyms = json.loads(SYNONYMS_FILE.read_text(encoding="utf-8"))
    files = {
        "act-types": "act_types.json",
        "outcome-types": "outcome_types.json",
        "situations": "situations.json",
        "sectors": "sectors.json",
        "decline-reasons": "decline_reasons.json",
        "end-reasons": "end_reasons.json",
        "no-next-step-reasons": "no_next_step_reasons.json",
    }
    assert set(synonyms) <= set(KINDS)
    for kind, by_code in synonyms.items():
        entries = json.loads((REFERENTIALS_DIR / files[kind]).read_text(encoding="utf-8"))
        codes = {entry["code"] for entry in entries}
        assert set(by_code) <= codes, kind
        owners = defaultdict(set)
        for entry in entries:
            for text in (entry["label_fr"], entry["label_en"], entry["code"]):
                owners[normalise_label(text)].add(entry["code"])
        for code, texts in by_code.items():
            for text in texts:
                owners[normalise_label(text)].add(code)
        clashes = {text: found for text, found in owners.items() if len(found) > 1}
        assert clashes == {}, kind


# --- Communes -----------------------------------------------------------------------------------


@pytest.fixture
def communes(db):
    marseille = TerritoryFactory(
        code="13055",
        name="Marseille",
        postal_codes=[f"130{n:02d}" for n in range(1, 17)],
        population=870_000,
    )
    parts = {
        n: TerritoryFactory(
            kind=TerritoryKind.ARRONDISSEMENT,
            code=f"132{n:02d}",
            name=f"Marseille {n}{'er' if n == 1 else 'e'} Arrondissement",
            commune_code="13055",
            postal_codes=[f"130{n:02d}"],
        )
        for n in range(1, 17)
    }
    return {
        "marseille": marseille,
        "parts": parts,
        "aubagne": TerritoryFactory(code="13005", name="Aubagne", postal_codes=["13400"]),
        "aix": TerritoryFactory(
            code="13001", name="Aix-en-Provence", postal_codes=["13080", "13090", "13100"]
        ),
        "saint_chamas": TerritoryFactory(code="13092", name="Saint-Chamas", postal_codes=["13250"]),
        "sainte_croix_04": TerritoryFactory(
            code="04176", name="Sainte-Croix-du-Verdon", departement_code="04"
        ),
        "sainte_croix_01": TerritoryFactory(
            code="01342", name="Sainte-Croix", departement_code="01", postal_codes=["01120"]
        ),
        "sainte_croix_12": TerritoryFactory(
            code="12217", name="Sainte-Croix", departement_code="12", postal_codes=["12260"]
        ),
        "la_ciotat": TerritoryFactory(code="13028", name="La Ciotat", postal_codes=["13600"]),
        "bouches_du_rhone": TerritoryFactory(departement=True),
    }


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("13055", "marseille"),
        ("Marseille", "marseille"),
        ("MARSEILLE", "marseille"),
        ("13205", 5),  # the arrondissement's INSEE code
        ("13005", 5),  # a postal code before an INSEE code (Aubagne's)
        (13005, 5),
        ("Marseille 5e", 5),
        ("Marseille 05", 5),
        ("marseille 5ème arrondissement", 5),
        ("Marseille 5e Arrondissement", 5),
        ("Marseille 1er", 1),
        ("Marseille (13012)", 12),
        ("13012 Marseille", 12),
        ("Aubagne", "aubagne"),
        ("13400", "aubagne"),
        ("13400 Aubagne", "aubagne"),
        ("aix en provence", "aix"),
        ("AIX-EN-PROVENCE", "aix"),
        ("13100", "aix"),
        ("13001", 1),  # Marseille 1er's postal code, before Aix's INSEE code
        ("St Chamas", "saint_chamas"),
        ("st-chamas", "saint_chamas"),
        ("Saint Chamas", "saint_chamas"),
        ("Ste Croix du Verdon", "sainte_croix_04"),
        ("04176", "sainte_croix_04"),
        ("Sainte-Croix 12260", "sainte_croix_12"),
        ("la ciotat", "la_ciotat"),
    ],
)
def test_commune_matcher(communes, value, expected):
    territory, warning = CommuneMatcher().match(value)

    wanted = communes["parts"][expected] if isinstance(expected, int) else communes[expected]
    assert warning is None
    assert territory == wanted
    assert territory.name == wanted.name  # a full object, usable as is


@pytest.mark.parametrize(
    "value", ["Sainte-Croix", "Atlantis", "99999", "Marseille 17e", "Bouches-du-Rhône", "13"]
)
def test_commune_matcher_unknown_or_ambiguous_keeps_the_text_with_a_warning(communes, value):
    territory, warning = CommuneMatcher().match(value)

    assert territory is None
    assert value in warning


def test_commune_matcher_empty_value(communes):
    assert CommuneMatcher().match("  ") == (None, None)
    assert CommuneMatcher().match(None) == (None, None)


def test_commune_matcher_reads_the_territories_once(communes, django_assert_num_queries):
    values = ["Marseille 5e", "13400", "Aubagne", "Atlantis", "13055", "Sainte-Croix"] * 50

    matcher = CommuneMatcher()
    with django_assert_num_queries(1):
        results = [matcher.match(value) for value in values]

    assert results[0][0] == communes["parts"][5]
    assert results[0][0] is results[6][0]  # the same object for the same territory
    with django_assert_num_queries(0):
        CommuneMatcher()  # lazily: nothing read until the first value
