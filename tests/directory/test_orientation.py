"""The public orientation "Où en est mon projet ?": suggested stage, offers with their reasons."""

import datetime
import json
import sys
import types
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from maillage.directory import orientation
from maillage.directory.models import Audience
from tests.factories import (
    NetworkFactory,
    OfferFactory,
    OfferSessionFactory,
    StageFactory,
    StructureFactory,
    TerritoryFactory,
)
from tests.utils import page_text

DEFAULT_STAGES = [
    ("accueil", "Accueil, information, orientation"),
    ("emergence", "Émergence"),
    ("faisabilite", "Faisabilité"),
    ("test", "Test d'activité"),
    ("creation", "Création"),
    ("consolidation", "Consolidation"),
]
AUDIENCES_FILE = Path(orientation.__file__).with_name("referentials") / "audiences.json"


def build_pathway(network=None):
    network = network or NetworkFactory(name="Réseau ESS 13")
    return network, {
        slug: StageFactory(network=network, slug=slug, name=name, position=position)
        for position, (slug, name) in enumerate(DEFAULT_STAGES, start=1)
    }


def start_url(network, **answers):
    query = "&".join(f"{code}={value}" for code, value in {"envoi": "1", **answers}.items())
    return reverse("orientation:start", kwargs={"slug": network.slug}) + "?" + query


class Stage:
    """A stage as the pure functions see it."""

    def __init__(self, slug):
        self.slug = slug
        self.name = slug

    def __repr__(self):
        return self.slug


STAGES = [Stage(slug) for slug, _name in DEFAULT_STAGES]


# --- The questionnaire as data -----------------------------------------------------------------


def test_the_questionnaire_is_complete_data_in_both_languages():
    questions = orientation.questionnaire()
    assert 5 <= len(questions) <= 8
    known_stages = {slug for slug, _name in DEFAULT_STAGES}
    known_audiences = {a["code"] for a in json.loads(AUDIENCES_FILE.read_text())}
    for question in questions:
        assert question.text_fr and question.text_en
        if question.is_place:
            continue
        assert len({a.code for a in question.answers}) == len(question.answers) >= 2
        for answer in question.answers:
            assert answer.label_fr and answer.label_en
            assert set(answer.signals) <= known_stages
            assert set(answer.audiences) <= known_audiences
            assert not answer.audiences or (answer.reason_fr and answer.reason_en)


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        ({"progress": "curious"}, "accueil"),
        ({"progress": "idea"}, "emergence"),
        ({"progress": "defined", "customers": "started"}, "faisabilite"),
        ({"progress": "studied", "need": "try"}, "test"),
        ({"progress": "launch", "need": "start"}, "creation"),
        ({"progress": "running"}, "consolidation"),
        # The need outweighs a vague progress answer.
        ({"progress": "idea", "need": "study", "customers": "started"}, "faisabilite"),
        # No signal at all: the first door, the welcome.
        ({}, "accueil"),
        ({"team": "alone", "age": "no"}, "accueil"),
    ],
)
def test_the_suggested_stage_follows_the_answers(answers, expected):
    assert orientation.suggested_stage(answers, STAGES).slug == expected


def test_a_tie_suggests_the_earlier_stage():
    # emergence 1 + faisabilite 1 (customers: not yet): start with the earlier one.
    assert orientation.suggested_stage({"customers": "not-yet"}, STAGES).slug == "emergence"


def test_a_network_with_other_stages_gets_the_best_stage_it_has():
    stages = [Stage("accueil"), Stage("faisabilite"), Stage("incubation")]
    assert orientation.suggested_stage({"progress": "idea"}, stages).slug == "accueil"
    assert orientation.suggested_stage({"progress": "studied"}, stages).slug == "faisabilite"
    assert orientation.suggested_stage({"progress": "idea"}, []) is None


def test_unknown_answers_are_ignored():
    answers = orientation.answers_from(
        {"progress": "nonsense", "need": "shape", "hack": "x", "place": "  Aubagne  "}
    )
    assert answers == {"need": "shape", "place": "Aubagne"}


def test_the_answers_travel_signed_and_a_forged_token_is_refused():
    token = orientation.answers_token(network_slug="reseau", answers={"progress": "idea"})
    assert orientation.answers_from_token(token) == ("reseau", {"progress": "idea"})
    assert orientation.answers_from_token(token[:-2] + "xx") is None
    assert orientation.answers_from_token("") is None


def test_readable_answers_say_the_question_and_the_answer():
    with translation.override("fr"):
        rows = orientation.readable_answers({"situation": "job-seeker", "place": "13001"})
    assert rows == [
        ("Quelle est votre situation aujourd'hui ?", "Demandeur·se d'emploi"),
        ("Où habitez-vous ?", "13001"),
    ]


# --- Audiences ---------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("answers", "fits", "reason"),
    [
        ({"situation": "job-seeker"}, True, "ouvert aux demandeurs d'emploi"),
        ({"situation": "employed"}, False, ""),
        # The visitor did not say: the offer stays, and says for whom it is.
        ({}, True, "pour : Demandeurs d'emploi"),
    ],
)
def test_an_offer_reserved_to_job_seekers(answers, fits, reason):
    job_seekers = [Audience.objects.get(code="demandeurs-emploi")]
    with translation.override("fr"):
        fit = orientation.audience_fit(job_seekers, orientation.visitor_profile(answers))
    assert (fit.fits, fit.reason) == (fits, reason)


@pytest.mark.django_db
def test_an_offer_open_to_all_fits_everyone():
    everyone = [Audience.objects.get(code="tous-publics")]
    profile = orientation.visitor_profile({"situation": "employed", "team": "alone"})
    with translation.override("fr"):
        assert orientation.audience_fit(everyone, profile).reason == "ouvert à tous"
        assert orientation.audience_fit([], profile).fits


@pytest.mark.django_db
def test_i_dont_know_keeps_the_offers_of_priority_neighbourhoods():
    qpv = [Audience.objects.get(code="residents-qpv-frr")]
    assert orientation.audience_fit(
        qpv, orientation.visitor_profile({"neighbourhood": "unsure"})
    ).fits
    assert not orientation.audience_fit(
        qpv, orientation.visitor_profile({"neighbourhood": "no"})
    ).fits


# --- The page ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_page_asks_every_question_with_radio_buttons_and_shows_no_result_yet(client):
    network, _stages = build_pathway()
    response = client.get(reverse("orientation:start", kwargs={"slug": network.slug}))
    assert response.status_code == 200
    text = page_text(response)
    assert "Où en est mon projet ?" in text
    for question in orientation.questionnaire():
        assert question.text_fr in text
    assert text.count("<fieldset") == len(orientation.questionnaire()) - 1
    assert 'type="radio"' in text
    assert "Notre suggestion" not in text


@pytest.mark.django_db
def test_answers_give_a_stage_and_offers_each_with_its_reason(client):
    network, stages = build_pathway()
    job_seekers = Audience.objects.get(code="demandeurs-emploi")
    piles = OfferFactory(
        title="PILES",
        structure=StructureFactory(name="APEAS", networks=[network]),
        stages=[stages["emergence"]],
        audiences=[job_seekers],
    )
    session = OfferSessionFactory(offer=piles)
    OfferFactory(title="Starter", stages=[stages["faisabilite"]])
    reserved = OfferFactory(
        title="Pour les jeunes",
        stages=[stages["emergence"]],
        audiences=[Audience.objects.get(code="jeunes")],
    )
    response = client.get(start_url(network, progress="idea", situation="job-seeker", age="no"))
    text = page_text(response)
    assert "Votre projet semble en être à l'étape : <strong>Émergence</strong>" in text
    with translation.override("fr"):
        day = date_format(session.starts_on, "j F")
    assert (
        f"Pour votre étape : Émergence · ouvert aux demandeurs d'emploi · session le {day}" in text
    )
    assert "PILES" in text and "APEAS" in text
    assert "Starter" not in text
    assert reserved.title not in text
    offer_url = reverse("directory:offer", args=[piles.structure.slug, piles.slug])
    assert f'href="{offer_url}"' in text


@pytest.mark.django_db
def test_the_contact_link_carries_the_offer_and_the_signed_answers(client):
    network, stages = build_pathway()
    offer = OfferFactory(stages=[stages["emergence"]])
    response = client.get(start_url(network, progress="idea", need="shape"))
    link = response.context["suggestions"][0]
    assert link.offer == offer
    contact_path = reverse("orientation:contact", kwargs={"slug": offer.structure.slug})
    href = next(
        part.split('"')[0]
        for part in page_text(response).split('href="')[1:]
        if part.startswith(contact_path)
    )
    query = parse_qs(urlparse(href).query)
    assert query["offre"] == [offer.slug]
    assert orientation.answers_from_token(query["reponses"][0]) == (
        network.slug,
        {"progress": "idea", "need": "shape"},
    )


@pytest.mark.django_db
def test_when_the_stage_has_no_offer_the_neighbouring_stages_are_suggested(client):
    network, stages = build_pathway()
    OfferFactory(title="Couveuse", stages=[stages["test"]])
    OfferFactory(title="Gouvernance", stages=[stages["consolidation"]])
    text = page_text(client.get(start_url(network, progress="defined")))
    assert "<strong>Faisabilité</strong>" in text
    assert "Étape voisine : Test d'activité" in text
    assert "Couveuse" in text
    assert "Gouvernance" not in text


@pytest.mark.django_db
def test_a_commune_keeps_the_offers_that_serve_it(client):
    network, stages = build_pathway()
    aubagne = TerritoryFactory(code="13005", name="Aubagne", postal_codes=["13400"])
    arles = TerritoryFactory(code="13004", name="Arles", postal_codes=["13200"])
    near = OfferFactory(title="Près de chez moi", stages=[stages["emergence"]])
    near.territories.set([aubagne])
    far = OfferFactory(title="Loin de chez moi", stages=[stages["emergence"]])
    far.territories.set([arles])
    text = page_text(client.get(start_url(network, progress="idea", place="13400")))
    assert "Près de chez moi" in text
    assert "intervient à Aubagne" in text
    assert "Loin de chez moi" not in text


@pytest.mark.django_db
def test_an_unknown_commune_is_said_and_the_offers_are_not_filtered(client):
    network, stages = build_pathway()
    OfferFactory(title="PILES", stages=[stages["emergence"]])
    text = page_text(client.get(start_url(network, progress="idea", place="Atlantide")))
    assert "Nous n'avons pas trouvé cette commune" in text
    assert 'aria-invalid="true"' in text
    assert "PILES" in text


@pytest.fixture
def outside(monkeypatch):
    """The interop app's outside resources, replaced by a fake that records its arguments."""
    calls = []
    resource = types.SimpleNamespace(
        name="Maison de l'emploi",
        description="Aide à la création d'activité.",
        link="https://example.org/mde",
        phone="04 91 00 00 00",
        email="contact@example.org",
    )

    def outside_resources_for(*, network, territory=None, thematiques=None):
        calls.append({"network": network, "territory": territory, "thematiques": thematiques})
        return [resource]

    module = types.ModuleType("maillage.interop.selectors")
    module.outside_resources_for = outside_resources_for
    monkeypatch.setitem(sys.modules, "maillage.interop.selectors", module)
    return calls


@pytest.mark.django_db
def test_when_no_offer_fits_the_outside_resources_of_the_territory_are_shown(client, outside):
    network, stages = build_pathway()
    stages["consolidation"].di_thematiques = ["creer-une-entreprise--developper-son-entreprise"]
    stages["consolidation"].save()
    aubagne = TerritoryFactory(code="13005", name="Aubagne", postal_codes=["13400"])
    text = page_text(client.get(start_url(network, progress="running", place="Aubagne")))
    assert "Aucune offre du réseau ne correspond" in text
    assert "Maison de l'emploi" in text
    assert 'href="tel:0491000000"' in text
    assert outside == [
        {
            "network": network,
            "territory": aubagne,
            "thematiques": ["creer-une-entreprise--developper-son-entreprise"],
        }
    ]


@pytest.mark.django_db
def test_outside_resources_are_not_asked_when_offers_fit(client, outside):
    network, stages = build_pathway()
    OfferFactory(stages=[stages["consolidation"]])
    client.get(start_url(network, progress="running"))
    assert outside == []


@pytest.mark.django_db
def test_the_page_reads_in_english(client):
    network, _stages = build_pathway()
    client.cookies["maillage_language"] = "en"
    text = page_text(client.get(start_url(network, progress="idea")))
    assert "Where is your project today?" in text
    assert "Your project seems to be at the stage" in text


@pytest.mark.django_db
def test_an_unknown_network_is_a_404(client):
    assert client.get(reverse("orientation:start", kwargs={"slug": "inconnu"})).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("count", [2, 12])
def test_the_results_cost_a_bounded_number_of_queries(client, django_assert_max_num_queries, count):
    network, stages = build_pathway()
    TerritoryFactory(code="13005", name="Aubagne", postal_codes=["13400"])
    job_seekers = Audience.objects.get(code="demandeurs-emploi")
    for index in range(count):
        offer = OfferFactory(
            stages=[stages["emergence"]],
            audiences=[job_seekers],
            structure=StructureFactory(networks=[network]),
        )
        OfferSessionFactory(
            offer=offer, starts_on=timezone.localdate() + datetime.timedelta(days=index + 1)
        )
    with django_assert_max_num_queries(12):
        response = client.get(
            start_url(network, progress="idea", situation="job-seeker", place="13400")
        )
    assert len(response.context["suggestions"]) == count
