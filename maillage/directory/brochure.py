"""The common brochure of a network: what it shows (read in a fixed number of queries) and its
PDF (WeasyPrint), cached until the directory changes.

The same content is printed from the browser (the HTML page with print.css) and rendered as a PDF
(the same includes, the same print.css): one cover, the pathway map, one page per stage and one
page per structure.
"""

import datetime
import hashlib
from dataclasses import dataclass, field

from django.contrib.staticfiles import finders
from django.core.cache import cache
from django.db.models import Count, Max
from django.template.loader import render_to_string
from django.utils import timezone, translation

from maillage.core.pdf import refuse_fetch

from . import selectors
from .models import Network, Offer, Stage, Structure

PDF_CACHE_SECONDS = 24 * 3600
PDF_LANGUAGE = "fr"
PRINT_STYLESHEET = "maillage/print.css"


def default_network() -> Network | None:
    """The network /brochure.pdf presents: the one with most structures (or the only one)."""
    return selectors.default_network()


@dataclass
class BrochureStage:
    stage: Stage
    offers: list[Offer] = field(default_factory=list)


@dataclass
class BrochureStructure:
    structure: Structure
    offers: list[Offer] = field(default_factory=list)


@dataclass
class Brochure:
    network: Network
    stages: list[BrochureStage]
    structures: list[BrochureStructure]
    generated_on: datetime.date


def brochure_content(network: Network) -> Brochure:
    """Everything the brochure shows, in four queries whatever the number of offers.

    Offers are the published offers of the network's member structures; each is shown on the
    pages of the stages of this network it sits on, and on its structure's page.
    """
    stages = [
        BrochureStage(stage) for stage in Stage.objects.filter(network=network).order_by("position")
    ]
    structures = [
        BrochureStructure(structure)
        for structure in Structure.objects.filter(networks=network)
        .select_related("legal_form")
        .order_by("name")
    ]
    by_structure = {item.structure.pk: item for item in structures}
    offers = list(
        Offer.objects.filter(is_published=True, structure__networks=network)
        .select_related("format")
        .order_by("title", "pk")
    )
    links = Offer.stages.through.objects.filter(
        stage__network=network, offer__is_published=True, offer__structure__networks=network
    ).values_list("offer_id", "stage_id")
    stage_ids_of: dict[int, set[int]] = {}
    for offer_id, stage_id in links:
        stage_ids_of.setdefault(offer_id, set()).add(stage_id)

    by_stage = {item.stage.pk: item for item in stages}
    for offer in offers:
        holder = by_structure[offer.structure_id]
        offer.structure = holder.structure  # no query: the structure is already loaded
        offer.brochure_stages = [
            item.stage for item in stages if item.stage.pk in stage_ids_of.get(offer.pk, ())
        ]
        holder.offers.append(offer)
        for stage in offer.brochure_stages:
            by_stage[stage.pk].offers.append(offer)
    for item in stages:
        item.offers.sort(key=lambda offer: (offer.structure.name.lower(), offer.title.lower()))
    return Brochure(
        network=network,
        stages=stages,
        structures=structures,
        generated_on=timezone.localdate(),
    )


# --- The PDF ----------------------------------------------------------------------------------


def content_fingerprint(network: Network) -> str:
    """Changes whenever something the brochure shows changes (three small aggregate queries)."""
    structures = Structure.objects.filter(networks=network).aggregate(
        latest=Max("updated_at"), count=Count("pk")
    )
    offers = Offer.objects.filter(structure__networks=network).aggregate(
        latest=Max("updated_at"), count=Count("pk")
    )
    stages = Stage.objects.filter(network=network).aggregate(
        latest=Max("updated_at"), count=Count("pk")
    )
    parts = [
        network.pk,
        network.updated_at,
        structures["latest"],
        structures["count"],
        offers["latest"],
        offers["count"],
        stages["latest"],
        stages["count"],
        timezone.localdate(),  # the cover carries the date
    ]
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:32]


def render_pdf(network: Network, *, base_url: str) -> bytes:
    """The brochure as PDF bytes, in French (its content is read here, not cached)."""
    from weasyprint import CSS, HTML  # heavy import, only when a PDF is made

    with translation.override(PDF_LANGUAGE):
        html = render_to_string(
            "directory/brochure/document.html",
            {"brochure": brochure_content(network), "LANGUAGE_CODE": PDF_LANGUAGE},
        )
        stylesheet = CSS(filename=finders.find(PRINT_STYLESHEET), url_fetcher=refuse_fetch)
        return HTML(string=html, base_url=base_url, url_fetcher=refuse_fetch).write_pdf(
            stylesheets=[stylesheet]
        )


def brochure_pdf(network: Network, *, base_url: str) -> bytes:
    """The PDF bytes, from the cache while the directory has not changed."""
    key = f"brochure:pdf:{PDF_LANGUAGE}:{base_url}:{content_fingerprint(network)}"
    pdf = cache.get(key)
    if pdf is None:
        pdf = render_pdf(network, base_url=base_url)
        cache.set(key, pdf, PDF_CACHE_SECONDS)
    return pdf
