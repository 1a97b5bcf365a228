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
    """The shared entries plus those added by the given networks."""
    queryset = model.objects.filter(Q(network__isnull=True) | Q(network_id__in=list(network_ids)))
    if active_only:
        queryset = queryset.filter(is_active=True)
    return queryset.select_related("network").order_by("network_id", "position", "code")


def structure_network_ids(structures) -> set[int]:
    """The networks of a few structures (one query), to filter their referential choices."""
    from maillage.directory.models import Structure

    return set(
        Structure.networks.through.objects.filter(
            structure_id__in=[s.pk for s in structures]
        ).values_list("network_id", flat=True)
    )
