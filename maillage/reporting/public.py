"""The report's figures a structure's public page shows: its median time to answer a referral.

The figure is the report's `median_days_to_answer` for that structure (the same query,
`computation.referrals.received_referrals`, the same exact median rounded half up) over the
12 months ending today, so the public page, the structure's report for that period and its
files show one value. Published only from 5 answered referrals, as masked reports do.
"""

from dataclasses import dataclass

from django.utils import timezone

from .computation.figures import median_of
from .computation.referrals import answer_days, answer_delay, received_referrals
from .masking import THRESHOLD, Formatter
from .numbers import PLACES, as_fraction, exact
from .periods import window_start
from .report import ReportFilters
from .scope import Scope


@dataclass(frozen=True)
class ResponseTime:
    days: float  # the median, in days, to one decimal (as in the report)
    answered: int  # the referrals it stands on
    period: ReportFilters  # the report that shows the same figure

    @property
    def hours(self) -> int:
        """The same median in whole hours, for a median under a tenth of a day."""
        return max(1, exact(as_fraction(self.days) * 24, 0))

    @property
    def days_text(self) -> str:
        """The figure as the report writes it ("1,3")."""
        return Formatter().number(self.days, PLACES["days"])

    @property
    def days_plural(self) -> int:
        """The number that chooses the plural form: French "jour" up to 1, "jours" above."""
        return 1 if self.days <= 1 else 2


def response_time_period(structure, today=None) -> ReportFilters | None:
    """The 12 months ending today, for the structure within its first network."""
    network = structure.networks.order_by("pk").first()
    if network is None:
        return None
    today = today or timezone.localdate()
    return ReportFilters(
        network=network,
        date_from=window_start(today, 12),
        date_to=today,
        structure=structure,
    )


def structure_response_time(structure, today=None) -> ResponseTime | None:
    """The structure's median time to answer over the last 12 months, None under 5 answers."""
    filters = response_time_period(structure, today)
    if filters is None:
        return None
    scope = Scope(filters)
    answers = [
        answer_days(answer)
        for answer in received_referrals(scope, filters.date_from, filters.date_to)
        .filter(answered_at__isnull=False)
        .annotate(answer=answer_delay())
        .values_list("answer", flat=True)
        .order_by()
    ]
    if len(answers) < THRESHOLD:
        return None
    return ResponseTime(days=median_of(answers).value, answered=len(answers), period=filters)
