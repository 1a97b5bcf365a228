"""Reads of the open-data app: what the exports publish, and the outside resources."""

from django.db.models import Count, Prefetch, Q

from maillage.accounts.selectors import networks_user_may_change
from maillage.directory import selectors as directory_selectors
from maillage.directory.models import (
    Offer,
    OfferSession,
    Territory,
    TerritoryKind,
)

from .models import OutsideResource

# --- What the exports publish -------------------------------------------------------------------


def published_structures():
    """The public directory's structures, with what every export of a structure needs."""
    return (
        directory_selectors.public_structures()
        .select_related("commune", "legal_form")
        .order_by("name", "pk")
    )


def published_offers():
    """Published offers with what every export of an offer needs, in a fixed number of queries."""
    return (
        Offer.objects.filter(is_published=True)
        .select_related("structure", "structure__commune", "format")
        .order_by("structure__name", "title", "pk")
    )


def with_export_relations(offers):
    """The many-to-many relations the data·inclusion and CSV exports read."""
    return offers.prefetch_related(
        "stages",
        "audiences",
        "access_modes",
        "reception_modes",
        "territories",
        "structure__territories",
    )


def with_hsds_relations(offers):
    """Everything a fully nested HSDS service shows."""
    return with_export_relations(offers).prefetch_related(
        "documents",
        Prefetch("sessions", queryset=OfferSession.objects.select_related("commune")),
    )


def departement_codes_of_regions(region_codes) -> dict[str, list[str]]:
    """{region code: [codes of its départements]}, in one query."""
    result: dict[str, list[str]] = {}
    if not region_codes:
        return result
    rows = Territory.objects.filter(
        kind=TerritoryKind.DEPARTEMENT, region_code__in=set(region_codes)
    ).values_list("region_code", "code")
    for region_code, code in rows.order_by("code"):
        result.setdefault(region_code, []).append(code)
    return result


def departement_names() -> dict[str, str]:
    return dict(
        Territory.objects.filter(kind=TerritoryKind.DEPARTEMENT).values_list("code", "name")
    )


# --- Outside resources -------------------------------------------------------------------------


def networks_whose_resources_user_manages(user):
    """Networks on which `can(user, "change_network", network)` holds."""
    return networks_user_may_change(user)


def outside_resources_of(network):
    return OutsideResource.objects.filter(network=network).order_by("kind", "name", "pk")


def outside_resource_counts(network) -> dict[str, int]:
    """{kind: count} of the network's outside resources."""
    rows = (
        OutsideResource.objects.filter(network=network)
        .values("kind")
        .annotate(count=Count("pk"))
        .order_by()
    )
    return {row["kind"]: row["count"] for row in rows}


def _territory_filter(territory: Territory) -> Q:
    """Resources whose eligibility zone covers the territory; for those without a zone, the
    resources located in it."""
    codes = {
        code
        for kind, code in territory.containing_codes
        # A region code could be read as a département code (93); data·inclusion zones list
        # the départements of a region instead, so the region itself is not looked for.
        if kind != TerritoryKind.REGION
    }
    in_zone = Q(zone_key__contains=" france ") | Q(zone_key__contains=" 99100 ")
    for code in codes:
        in_zone |= Q(zone_key__contains=f" {code} ")
    located = Q(code_insee__in={code for code in codes if len(code) == 5})
    if territory.kind == TerritoryKind.DEPARTEMENT:
        # Communes of the département, in a zone or as a place.
        in_zone |= Q(zone_key__regex=rf" {territory.code}[0-9]{{3}} ")
        located |= Q(code_insee__startswith=territory.code)
    return in_zone | (Q(zone_key="") & located)


def outside_resources_for(*, network, territory=None, thematiques=None):
    """Outside resources of the network, for a territory and (any of) these themes.

    territory: a Territory; a resource matches when its eligibility zone covers the territory,
    or, having no zone, when it is located there (in a commune of it, for a département).
    thematiques: data·inclusion theme codes; a resource matches when it has one of them (a
    category code such as "creer-une-entreprise" matches all the themes of that category).
    """
    resources = OutsideResource.objects.filter(network=network)
    if territory is not None:
        resources = resources.filter(_territory_filter(territory))
    if thematiques:
        condition = Q()
        for code in thematiques:
            condition |= Q(thematiques_key__contains=f" {code} ")
            if "--" not in code:  # a category: any of its themes
                condition |= Q(thematiques_key__contains=f" {code}--")
        resources = resources.filter(condition)
    return resources.order_by("kind", "name", "pk")
