"""Reads on the directory: what the public site, the brochure and the API show.

Every function here returns querysets whose related rows are fetched up front, so a page runs
the same number of queries for 10 offers or 5,000.
"""

import datetime
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from maillage.core.text import normalise

from .models import (
    Network,
    Offer,
    OfferSession,
    Stage,
    Structure,
    Territory,
)


def default_network() -> Network | None:
    """The network the site's home and /brochure.pdf present: the one with most structures."""
    return (
        Network.objects.annotate(structure_count=Count("structures"))
        .order_by("-structure_count", "name")
        .first()
    )


def upcoming_sessions(today: datetime.date | None = None) -> QuerySet[OfferSession]:
    today = today or timezone.localdate()
    return OfferSession.objects.filter(ends_on__gte=today).order_by("starts_on")


def published_offers(today: datetime.date | None = None) -> QuerySet[Offer]:
    """Published offers with their structure and format, and the date of their next session."""
    today = today or timezone.localdate()
    next_session = (
        OfferSession.objects.filter(offer=OuterRef("pk"), starts_on__gte=today)
        .order_by("starts_on")
        .values("starts_on")[:1]
    )
    return (
        Offer.objects.filter(is_published=True)
        .select_related("structure", "format")
        .annotate(next_session_on=Subquery(next_session))
    )


def stages_of(network: Network) -> list[Stage]:
    return list(Stage.objects.filter(network=network).order_by("position", "pk"))


# --- The pathway map ---------------------------------------------------------------------------


@dataclass
class MapFilters:
    """What a visitor filters the map by (all optional)."""

    territory: Territory | None = None
    audience: object | None = None  # an Audience row
    format: object | None = None  # an OfferFormat row
    free_only: bool = False
    upcoming_only: bool = False


@dataclass
class StageColumn:
    stage: Stage
    offers: list[Offer] = field(default_factory=list)
    total: int = 0

    @property
    def more(self) -> int:
        return self.total - len(self.offers)


def containing_territory_ids(territory: Territory) -> list[int]:
    """Ids of the territory and of every area that contains it."""
    condition = Q()
    for kind, code in territory.containing_codes:
        condition |= Q(kind=kind, code=code)
    return list(Territory.objects.filter(condition).values_list("pk", flat=True))


def serving_territory(offers: QuerySet[Offer], territory: Territory) -> QuerySet[Offer]:
    """Offers that serve this territory: through their own territories, else their structure's;
    an offer and structure that name no territory are kept (nothing says they do not)."""
    ids = containing_territory_ids(territory)
    return offers.filter(
        Q(territories__in=ids)
        | Q(territories__isnull=True, structure__territories__in=ids)
        | Q(territories__isnull=True, structure__territories__isnull=True)
    )


def filtered_offer_ids(network: Network, filters: MapFilters) -> QuerySet:
    """Ids of the published offers of the network's stages that pass the filters."""
    today = timezone.localdate()
    offers = Offer.objects.filter(is_published=True, stages__network=network)
    if filters.territory is not None:
        offers = serving_territory(offers, filters.territory)
    if filters.audience is not None:
        # An offer open to everyone (or naming no audience) is open to this audience too.
        offers = offers.filter(
            Q(audiences=filters.audience) | Q(audiences__code=EVERYONE) | Q(audiences__isnull=True)
        )
    if filters.format is not None:
        offers = offers.filter(format=filters.format)
    if filters.free_only:
        offers = offers.filter(is_free=True)
    if filters.upcoming_only:
        offers = offers.filter(sessions__starts_on__gte=today)
    return offers.values("pk")


@dataclass
class PathwayMap:
    columns: list[StageColumn]
    offer_count: int


MAP_CARDS_PER_STAGE = 12
EVERYONE = "tous-publics"  # the audience code of offers open to all


def pathway_map(
    network: Network, filters: MapFilters | None = None, per_stage: int = MAP_CARDS_PER_STAGE
) -> PathwayMap:
    """The network's stages in order, each with its first offers (after filters) and its total.

    Light at first glance: a column shows `per_stage` cards and says how many more its stage
    page holds; the queries are the same for 10 or 10,000 offers.
    """
    ids = filtered_offer_ids(network, filters or MapFilters())
    columns = {stage.pk: StageColumn(stage) for stage in stages_of(network)}
    # One narrow row per (stage, offer) placement, sorted here: simpler for the database than a
    # window per stage, and a few milliseconds of Python for thousands of offers.
    placements = sorted(
        Offer.stages.through.objects.filter(stage__in=list(columns), offer__in=ids).values_list(
            "offer__structure__name", "offer__title", "offer_id", "stage_id"
        )
    )
    first_ids = []
    for _name, _title, offer_id, stage_id in placements:
        column = columns[stage_id]
        column.total += 1
        if column.total <= per_stage:
            first_ids.append((stage_id, offer_id))
    offers = published_offers().in_bulk({offer_id for _, offer_id in first_ids})
    for stage_id, offer_id in first_ids:
        columns[stage_id].offers.append(offers[offer_id])
    return PathwayMap(
        columns=list(columns.values()),
        offer_count=len({offer_id for _name, _title, offer_id, _stage in placements}),
    )


# --- Pages -------------------------------------------------------------------------------------


def network_home(network: Network) -> dict:
    stages = stages_of(network)
    structures = list(
        network.structures.select_related("legal_form")
        .annotate(offer_count=Count("offers", filter=Q(offers__is_published=True)))
        .order_by("name")
    )
    return {"stages": stages, "structures": structures}


def stage_page(network: Network, stage: Stage) -> dict:
    stages = stages_of(network)
    index = next(i for i, s in enumerate(stages) if s.pk == stage.pk)
    offers = published_offers().filter(stages=stage).order_by("structure__name", "title", "pk")
    return {
        "offers": offers,
        "previous_stage": stages[index - 1] if index > 0 else None,
        "next_stage": stages[index + 1] if index + 1 < len(stages) else None,
        "stages": stages,
    }


def public_structures() -> QuerySet[Structure]:
    """Structures shown on the public site: members of at least one network."""
    return Structure.objects.filter(
        pk__in=Structure.networks.through.objects.values("structure_id")
    )


def structure_page(structure: Structure) -> dict:
    offers = list(
        published_offers()
        .filter(structure=structure)
        .prefetch_related("stages__network")
        .order_by("title")
    )
    return {
        "offers": offers,
        "networks": list(structure.networks.order_by("name")),
        "territories": list(structure.territories.order_by("kind", "name")),
    }


def public_offer(structure_slug: str, offer_slug: str) -> QuerySet[Offer]:
    return published_offers().filter(structure__slug=structure_slug, slug=offer_slug)


# Ways to apply that need a contact detail: not promised when neither the offer nor its structure
# gives one (issue 17, point 9).
ACCESS_MODES_NEEDING = {"envoyer-un-courriel": "email", "telephoner": "phone"}


def offer_contact(offer: Offer) -> dict:
    """The e-mail and phone to apply by: the offer's, else its structure's."""
    return {
        "email": offer.contact_email or offer.structure.email,
        "phone": offer.contact_phone or offer.structure.phone,
    }


def offer_page(offer: Offer) -> dict:
    today = timezone.localdate()
    contact = offer_contact(offer)
    sessions = list(upcoming_sessions(today).filter(offer=offer).select_related("commune")[:20])
    for session in sessions:
        # Still listed (people see when it runs), but not as open to applications.
        session.applications_closed = (
            session.application_deadline is not None and session.application_deadline < today
        )
    return {
        "sessions": sessions,
        "contact": contact,
        "stages": list(offer.stages.select_related("network").order_by("network", "position")),
        "audiences": list(offer.audiences.all()),
        "access_modes": [
            mode
            for mode in offer.access_modes.all()
            if mode.code not in ACCESS_MODES_NEEDING or contact[ACCESS_MODES_NEEDING[mode.code]]
        ],
        "reception_modes": list(offer.reception_modes.all()),
        "territories": list(offer.territories.order_by("kind", "name")),
        "documents": list(offer.documents.all()),
    }


def positioning_of(network: Network) -> list[Structure]:
    return list(network.structures.select_related("legal_form").order_by("name"))


# --- Search ------------------------------------------------------------------------------------


def matching_text(queryset: QuerySet, query: str) -> QuerySet:
    """Full-text match on `search_text` (already lower-case and without accents).

    PostgreSQL: French stemming (`to_tsvector('french', …)`), ranked. Elsewhere (SQLite): every
    word of the query must appear in the text.
    """
    words = normalise(query)
    if not words:
        return queryset.none()
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector

        vector = SearchVector("search_text", config="french")
        search_query = SearchQuery(words, config="french", search_type="plain")
        return (
            queryset.annotate(rank=SearchRank(vector, search_query))
            .filter(rank__gt=0)
            .order_by("-rank", "pk")
        )
    condition = Q()
    for word in words.split():
        condition &= Q(search_text__contains=word)
    return queryset.filter(condition).order_by("pk")


def search(query: str, *, limit: int = 50) -> dict:
    structures = list(
        matching_text(public_structures(), query).select_related("legal_form")[:limit]
    )
    offers = list(matching_text(published_offers(), query)[:limit])
    return {"structures": structures, "offers": offers}
