"""The minutes' workflow: draft → amended by attendees → published (core.states).

Kept small and generic so the knowledge base can adopt it for its sheets: a draft may be amended
any number of times, published minutes may be reopened as amended (a correction) and published
again; every move is logged in `MinutesTransition`.
"""

from django.utils.translation import gettext_lazy as _

from maillage.core.states import StateMachine

from .models import MinutesStatus

MINUTES = StateMachine(
    transitions={
        MinutesStatus.DRAFT: frozenset({MinutesStatus.AMENDED, MinutesStatus.PUBLISHED}),
        MinutesStatus.AMENDED: frozenset({MinutesStatus.AMENDED, MinutesStatus.PUBLISHED}),
        MinutesStatus.PUBLISHED: frozenset({MinutesStatus.AMENDED}),
    },
    initial=frozenset({MinutesStatus.DRAFT}),
    choices=MinutesStatus,
    log_model="collab.MinutesTransition",
    log_link="minutes",
    refusal=_("Minutes “%(current)s” cannot become “%(new)s”."),
)
