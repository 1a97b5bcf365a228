"""Reads for the public orientation: the candidate offers, the visitor's commune, and the
territory's outside resources. The choosing itself is in `orientation.py` (no query there)."""

from django.db.models import Prefetch

from maillage.core import hooks

from . import selectors
from .hooks import OUTSIDE_RESOURCES
from .models import Network, Offer, Stage, Territory
from .territories import PlaceReading, read_visitor_place

OUTSIDE_RESOURCES_SHOWN = 20


def network_stages(network: Network) -> list[Stage]:
    return selectors.stages_of(network)


def candidate_offers(
    network: Network, stages: list[Stage], territory: Territory | None = None
) -> list[Offer]:
    """Published offers on `stages`, serving `territory` when given, with everything the
    orientation reads about them fetched up front (a fixed number of queries)."""
    offers = selectors.published_offers().filter(stages__in=stages)
    if territory is not None:
        offers = selectors.serving_territory(offers, territory)
    return list(
        selectors.published_offers()
        .filter(pk__in=offers.values("pk"))
        .prefetch_related(
            Prefetch("stages", queryset=Stage.objects.filter(network=network)),
            "audiences",
            "territories",
            "structure__territories",
        )
        .order_by("structure__name", "title")
    )


def find_place(text: str) -> PlaceReading:
    """The place a visitor typed (a name, a postal code first, else an INSEE code), with the
    other reading of an ambiguous code."""
    return read_visitor_place(text)


def outside_resources(network: Network, *, territory=None, stage: Stage | None = None) -> list:
    """Resources of the territory outside the network (imported open data), when available."""
    thematiques = list(stage.di_thematiques) if stage is not None else []
    found = []
    for provider in hooks.get_hooks(OUTSIDE_RESOURCES):
        resources = provider(network=network, territory=territory, thematiques=thematiques or None)
        found.extend(resources[: OUTSIDE_RESOURCES_SHOWN - len(found)])
        if len(found) >= OUTSIDE_RESOURCES_SHOWN:
            break
    return found
