"""The demo looks lived-in (issue 17, point 10): every structure has a presentation, a
positioning statement and at least one offer, and the network's own content (stages, offers,
statements) has an English version that the English pages show."""

import pytest
from django.urls import reverse

from maillage.directory.demo import load_demo_network, load_demo_pathway
from maillage.directory.models import Offer
from tests.utils import page_text

pytestmark = pytest.mark.django_db

NOT_WRITTEN = ("reste à", "to be written", "remains to be described", "not yet written")


@pytest.fixture
def network(db):
    network = load_demo_network()
    load_demo_pathway(network)
    return network


def test_every_structure_has_a_presentation_a_statement_and_an_offer(network):
    structures = list(network.structures.all())
    assert len(structures) == 12
    for structure in structures:
        for text in (
            structure.summary,
            structure.positioning,
            structure.summary_en,
            structure.positioning_en,
        ):
            assert text and not any(words in text for words in NOT_WRITTEN), structure.name
        offers = Offer.objects.filter(structure=structure, is_published=True)
        assert offers.exists(), structure.name
        for offer in offers:
            assert offer.title_en and offer.summary_en, offer.title
    for stage in network.stages.all():
        assert stage.name_en and stage.summary_en and stage.questions_en, stage.name
    assert network.name_article == "le" and network.description_en


def test_an_english_page_shows_the_english_content(client, network):
    structure = network.structures.get(slug="intermade")
    url = reverse("directory:structure", args=[structure.slug])

    client.cookies["maillage_language"] = "en"
    english = page_text(client.get(url))
    assert structure.summary_en in english and structure.positioning_en in english
    assert "ESS business incubator" in english and "Couveuse ESS" not in english
    stage = page_text(client.get(reverse("directory:stage", args=[network.slug, "test"])))
    assert "Activity testing" in stage and "Can I invoice my first customers" in stage

    client.cookies["maillage_language"] = "fr"
    french = page_text(client.get(url))
    assert structure.summary in french and "Couveuse ESS" in french
    assert structure.summary_en not in french
