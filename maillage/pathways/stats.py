"""Public figures computed from pathways, safe to show to anyone (no person, small counts hidden).

`structure_response_time(structure)`: the median time a structure took to answer the referrals it
received in the last twelve months (accepted, declined or redirected: `answered_at - sent_at`).
Median rather than mean, so that one referral forgotten for weeks does not make the figure lie.
Published only from MIN_ANSWERED answered referrals: small counts are not shown (DOMAIN §5).
"""

from dataclasses import dataclass
from datetime import timedelta
from statistics import median

from django.utils import timezone

from .models import Referral

MIN_ANSWERED = 5
WINDOW = timedelta(days=365)


@dataclass(frozen=True)
class ResponseTime:
    median: timedelta
    answered: int  # referrals counted

    @property
    def days(self) -> int:
        """Whole days, rounded to the nearest (0 means "within the day")."""
        return round(self.median / timedelta(days=1))

    @property
    def hours(self) -> int:
        return max(1, round(self.median / timedelta(hours=1)))


def structure_response_time(structure, *, now=None) -> ResponseTime | None:
    """The median answer delay of the structure over the last 12 months, or None under 5."""
    now = now or timezone.now()
    rows = Referral.objects.filter(
        to_structure=structure, sent_at__gte=now - WINDOW, answered_at__isnull=False
    ).values_list("sent_at", "answered_at")
    delays = [max(answered - sent, timedelta(0)) for sent, answered in rows]
    if len(delays) < MIN_ANSWERED:
        return None
    return ResponseTime(median=median(delays), answered=len(delays))
