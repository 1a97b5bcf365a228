"""What the pathways' forms and API offer a user to choose from.

The structures they work in and their partners, offers and sessions, and the referential
entries (reasons, act and outcome types) of their networks. Who may see a person or a record is
not decided here: that is `visibility.py`.
"""

from django.db.models import Q, QuerySet

from maillage.accounts.rules import roles_of
from maillage.directory.models import Offer, OfferSession, Structure

from .models import ActType, DeclineReason, EndReason, NoNextStepReason, OutcomeType
from .referentials import entries_for_structures


def staff_structure_queryset(user) -> QuerySet[Structure]:
    """The structures the user works in (advisor or administrator), by name."""
    return Structure.objects.filter(pk__in=sorted(roles_of(user).staff_of)).order_by("name")


def staff_structures(user) -> list[Structure]:
    """The same, as a list (no query for someone who works in no structure)."""
    return list(staff_structure_queryset(user)) if roles_of(user).staff_of else []


def outcome_types_for(user) -> QuerySet[OutcomeType]:
    """Active outcome types shared by every network or added by a network of the user's
    structures."""
    return entries_for_structures(OutcomeType, roles_of(user).staff_of)


def partner_structures(structure_ids) -> QuerySet[Structure]:
    """Structures sharing a network with any of `structure_ids`, those excepted."""
    structure_ids = sorted(structure_ids)
    networks = Structure.networks.through.objects.filter(structure_id__in=structure_ids).values(
        "network_id"
    )
    through = Structure.networks.through.objects.filter(network_id__in=networks).values(
        "structure_id"
    )
    return Structure.objects.filter(pk__in=through).exclude(pk__in=structure_ids).order_by("name")


def referral_targets(user) -> QuerySet[Structure]:
    """Where the user may refer a person: any structure of their networks, not theirs."""
    return partner_structures(roles_of(user).staff_of)


def published_offers_of(structures) -> QuerySet[Offer]:
    return (
        Offer.objects.filter(structure__in=structures, is_published=True)
        .select_related("structure")
        .order_by("structure__name", "title")
    )


def offers_of_user(user) -> QuerySet[Offer]:
    """Every offer of the user's structures (published or not)."""
    return (
        Offer.objects.filter(structure_id__in=sorted(roles_of(user).staff_of))
        .select_related("structure")
        .order_by("structure__name", "title")
    )


def sessions_of_user(user) -> QuerySet[OfferSession]:
    return (
        OfferSession.objects.filter(offer__structure_id__in=sorted(roles_of(user).staff_of))
        .select_related("offer__structure")
        .order_by("-starts_on", "pk")
    )


def decline_reasons_for(structure) -> QuerySet[DeclineReason]:
    return entries_for_structures(DeclineReason, [structure.pk])


def no_next_step_reasons_for(structure) -> QuerySet[NoNextStepReason]:
    return entries_for_structures(NoNextStepReason, [structure.pk])


def end_reasons_for(structure) -> QuerySet[EndReason]:
    return entries_for_structures(EndReason, [structure.pk])


def act_types_for(structure_ids) -> QuerySet[ActType]:
    return entries_for_structures(ActType, structure_ids)


def network_ids_of(user):
    """Ids of the networks the user's structures belong to (a subquery)."""
    return Structure.networks.through.objects.filter(
        structure_id__in=roles_of(user).staff_of
    ).values("network_id")


def referential_for(model, user):
    """Active entries shared by every network or added by one of the user's networks."""
    return model.objects.filter(
        Q(network__isnull=True) | Q(network_id__in=network_ids_of(user)), is_active=True
    )
