"""The common brochure: its PDF (read back with pypdf) and the printable HTML page."""

import io
from html import unescape

import pytest
from django.core.cache import cache
from django.urls import reverse
from pypdf import PdfReader

from maillage.directory import brochure, services
from maillage.directory.models import SelectionMode
from tests.factories import NetworkFactory, OfferFactory, StageFactory, StructureFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def build_network(*, offers: int = 2, name: str = "Réseau de la brochure"):
    network = NetworkFactory(name=name, description="Des structures qui accompagnent ensemble.")
    stages = [
        StageFactory(
            network=network,
            position=1,
            name="Accueil et orientation",
            summary="Le premier contact avec le réseau.",
            questions="Par où commencer ?\nQui peut m'aider près de chez moi ?",
        ),
        StageFactory(network=network, position=2, name="Test d'activité", questions=""),
    ]
    structures = [
        StructureFactory(
            name="Couveuse Alpha",
            networks=[network],
            positioning="Nous plaçons la gouvernance partagée au cœur de nos accompagnements.",
            website="https://alpha.example.org",
            email="contact@alpha.example.org",
            phone="04 91 00 00 00",
        ),
        StructureFactory(name="Coopérative Beta", networks=[network]),
    ]
    for index in range(offers):
        OfferFactory(
            structure=structures[index % 2],
            stages=[stages[index % 2]],
            title=f"Programme numéro {index}",
            duration="Neuf journées sur un mois",
            capacity=12,
            selection_mode=SelectionMode.COMMITTEE,
        )
    return network, stages, structures


def read_pdf(response) -> PdfReader:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    return PdfReader(io.BytesIO(response.content))


def page_texts(reader: PdfReader) -> list[str]:
    return [page.extract_text() for page in reader.pages]


def test_pdf_has_a_cover_a_map_and_a_page_per_stage_and_per_structure(client):
    network, stages, structures = build_network()
    response = client.get(reverse("brochure:network_pdf", args=[network.slug]))
    reader = read_pdf(response)
    assert response["Content-Disposition"] == (f'inline; filename="brochure-{network.slug}.pdf"')
    texts = page_texts(reader)
    assert len(texts) >= 1 + 1 + len(stages) + len(structures)
    assert "Réseau de la brochure" in texts[0] and "Sommaire" in texts[0]
    assert "Le parcours d'un coup d'œil" in texts[1]
    # Each stage and each structure opens a page of its own.
    for number, stage in enumerate(stages, start=1):
        assert any(f"ÉTAPE {number} SUR 2" in text and stage.name in text for text in texts)
    structure_pages = [text for text in texts if "STRUCTURE MEMBRE" in text]
    for structure in structures:
        assert any(structure.name in text for text in structure_pages), structure.name
    whole = "\n".join(texts)
    for label in (
        "Les questions que l'on se pose à cette étape",
        "Qui peut m'aider près de chez moi ?",
        "Sa place dans l'économie sociale et solidaire",
        "Nous plaçons la gouvernance partagée",
        "https://alpha.example.org",
        "Programme numéro 0",
        "Programme numéro 1",
        "Proposé par Couveuse Alpha",
        "Neuf journées sur un mois",
        "Sélection",
        "Places",
    ):
        assert label in whole, label


def test_pdf_pages_are_a4_with_embedded_fonts(client):
    network, _, _ = build_network()
    reader = read_pdf(client.get(reverse("brochure:network_pdf", args=[network.slug])))
    for page in reader.pages:
        assert abs(float(page.mediabox.width) - 595) <= 1
        assert abs(float(page.mediabox.height) - 842) <= 1
    fonts = {}  # font name: is its program embedded?
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            for descendant in font.get("/DescendantFonts", [font]):
                descriptor = descendant.get_object()["/FontDescriptor"].get_object()
                fonts[str(descriptor["/FontName"])] = (
                    "/FontFile2" in descriptor or "/FontFile3" in descriptor
                )
    assert fonts and all(fonts.values()), fonts
    assert all("DejaVu" in name or "Liberation" in name for name in fonts), fonts
    assert reader.metadata.title == "Brochure de Réseau de la brochure"


def test_pdf_is_in_french_even_for_a_visitor_reading_in_english(client):
    network, _, _ = build_network()
    client.cookies["maillage_language"] = "en"
    assert "Contents" in client.get(reverse("brochure:html", args=[network.slug])).text
    reader = read_pdf(client.get(reverse("brochure:network_pdf", args=[network.slug])))
    cover = reader.pages[0].extract_text()
    assert "Sommaire" in cover and "Contents" not in cover


def test_default_brochure_presents_the_network_with_most_structures(client):
    big, _, _ = build_network(name="Grand réseau")
    small = NetworkFactory(name="Petit réseau")
    StructureFactory(name="Seule structure", networks=[small])
    response = client.get(reverse("brochure:pdf"))
    assert response["Content-Disposition"] == f'inline; filename="brochure-{big.slug}.pdf"'
    cover = read_pdf(response).pages[0].extract_text()
    assert "Grand réseau" in cover
    assert "Petit réseau" not in cover


def test_default_brochure_is_404_without_any_network(client):
    assert client.get(reverse("brochure:pdf")).status_code == 404


def test_unknown_network_is_404(client):
    assert client.get(reverse("brochure:network_pdf", args=["inconnu"])).status_code == 404
    assert client.get(reverse("brochure:html", args=["inconnu"])).status_code == 404


def test_brochure_shows_only_published_offers_of_member_structures(client):
    network, stages, structures = build_network()
    OfferFactory(
        structure=structures[0], stages=[stages[0]], title="Offre retirée", is_published=False
    )
    elsewhere = NetworkFactory(name="Autre réseau")
    OfferFactory(
        structure=StructureFactory(name="Structure ailleurs", networks=[elsewhere]),
        stages=[StageFactory(network=elsewhere)],
        title="Offre d'un autre réseau",
    )
    html = unescape(client.get(reverse("brochure:html", args=[network.slug])).text)
    pdf = "\n".join(
        page_texts(read_pdf(client.get(reverse("brochure:network_pdf", args=[network.slug]))))
    )
    for text in (html, pdf):
        assert "Programme numéro 0" in text
        assert "Offre retirée" not in text
        assert "Offre d'un autre réseau" not in text
        assert "Structure ailleurs" not in text


def test_pdf_is_cached_until_the_directory_changes(
    client, django_assert_max_num_queries, monkeypatch
):
    network, _, structures = build_network()
    url = reverse("brochure:network_pdf", args=[network.slug])
    first = client.get(url).content
    render_pdf = brochure.render_pdf
    renders = []
    monkeypatch.setattr(
        brochure, "render_pdf", lambda *a, **kw: renders.append(1) or render_pdf(*a, **kw)
    )
    # Served from the cache: the network and three aggregates, no rendering.
    with django_assert_max_num_queries(4):
        again = client.get(url).content
    assert again == first
    assert renders == []
    structure = structures[1]
    structure.name = "Coopérative Gamma"
    services.save_structure(structure=structure)
    text = "\n".join(page_texts(read_pdf(client.get(url))))
    assert renders == [1]
    assert "Coopérative Gamma" in text


def test_html_page_lists_the_same_content_as_the_pdf(client):
    network, stages, structures = build_network()
    response = client.get(reverse("brochure:html", args=[network.slug]))
    assert response.status_code == 200
    html = unescape(response.text)
    assert 'href="/static/maillage/print.css" media="print"' in html
    assert reverse("brochure:network_pdf", args=[network.slug]) in html
    for text in (
        "Brochure commune",
        "Sommaire",
        "Le parcours d'un coup d'œil",
        "Étape 1 sur 2",
        "Accueil et orientation",
        "Test d'activité",
        "Qui peut m'aider près de chez moi ?",
        "Couveuse Alpha",
        "Coopérative Beta",
        "Nous plaçons la gouvernance partagée",
        "Programme numéro 0",
        "Programme numéro 1",
        "Après un comité de sélection",
        "Neuf journées sur un mois",
    ):
        assert text in html, text
    assert html.count('class="brochure-page brochure-stage"') == len(stages)
    assert html.count('class="brochure-page brochure-structure"') == len(structures)


@pytest.mark.parametrize("offers", [10, 60])
def test_html_page_runs_a_bounded_number_of_queries(client, django_assert_max_num_queries, offers):
    network, _, _ = build_network(offers=offers)
    with django_assert_max_num_queries(6):
        response = client.get(reverse("brochure:html", args=[network.slug]))
    assert response.text.count('class="brochure-offer"') == 2 * offers  # stage and structure


# 60 offers (about 30 pages, 2 s to lay out) show that the queries do not grow with the offers.
@pytest.mark.parametrize("offers", [10, 60])
def test_pdf_runs_a_bounded_number_of_queries(client, django_assert_max_num_queries, offers):
    network, _, _ = build_network(offers=offers)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("brochure:network_pdf", args=[network.slug]))
    text = "\n".join(page_texts(read_pdf(response)))
    assert f"Programme numéro {offers - 1}" in text


def test_default_network_helper_prefers_more_structures_then_name():
    assert brochure.default_network() is None
    first = NetworkFactory(name="B réseau")
    NetworkFactory(name="A réseau")
    StructureFactory(networks=[first])
    assert brochure.default_network() == first
