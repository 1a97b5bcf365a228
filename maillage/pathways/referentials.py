"""The pathways referentials a coordinator may extend, and the entries a network sees.

Entries with no network are shared by every network (loaded from `referentials/*.json`);
a coordinator adds entries for their own network, and may switch those off again.
"""

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from .models import (
    ActType,
    DeclineReason,
    EndReason,
    NoNextStepReason,
    OutcomeType,
    Sector,
    Situation,
)

# URL kind → (model, plural label, the extra fields a coordinator fills in)
KINDS = {
    "act-types": (ActType, _("Act types"), ("is_collective",)),
    "outcome-types": (OutcomeType, _("Outcome types"), ("family",)),
    "decline-reasons": (DeclineReason, _("Reasons for declining a referral"), ("requires_note",)),
    "no-next-step-reasons": (
        NoNextStepReason,
        _("Reasons for no next step after a 'not selected'"),
        ("requires_note",),
    ),
    "end-reasons": (EndReason, _("Drop-out reasons"), ("requires_note",)),
    "situations": (Situation, _("Situations of persons"), ()),
    "sectors": (Sector, _("Sectors of projects"), ()),
}


def entries_for_networks(model, network_ids, *, active_only: bool = True) -> QuerySet:
    """The shared entries plus those added by the given networks (ids or a subquery)."""
    queryset = model.objects.filter(Q(network__isnull=True) | Q(network_id__in=network_ids))
    if active_only:
        queryset = queryset.filter(is_active=True)
    return queryset.select_related("network").order_by("network_id", "position", "code")


def networks_of_structures(structure_ids) -> QuerySet:
    """The networks of some structures, as a subquery (no query of its own)."""
    from maillage.directory.models import Structure

    return Structure.networks.through.objects.filter(structure_id__in=sorted(structure_ids)).values(
        "network_id"
    )


def entries_for_structures(model, structure_ids) -> QuerySet:
    """The active entries advisors of these structures choose from."""
    return entries_for_networks(model, networks_of_structures(structure_ids))
