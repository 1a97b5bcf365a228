"""Reads of the pathways app, always filtered by what the user may see (DOMAIN §5).

Pages fetch objects through these querysets, so a forgotten check is a 404, never a leak.
Person visibility itself is written once, in `visibility.py`.
"""

from django.db.models import Q, QuerySet

from maillage.accounts.rules import roles_of

from .models import Referral
from .visibility import persons_visible_to

__all__ = ["persons_visible_to", "referrals_visible_to"]


def referrals_visible_to(user) -> QuerySet[Referral]:
    """Referrals sent or received by the user's structures (the person may still be hidden)."""
    staff = sorted(roles_of(user).staff_of)
    if not staff:
        return Referral.objects.none()
    return Referral.objects.filter(
        Q(from_structure_id__in=staff) | Q(to_structure_id__in=staff)
    ).select_related(
        "person", "from_structure", "to_structure", "to_offer", "decline_reason", "from_user"
    )
