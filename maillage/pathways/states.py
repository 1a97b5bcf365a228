"""The state machines of applications and referrals, declared once (`maillage.core.states`).

Services refuse any change of status that is not listed here (and log every one they make, in
`ReferralTransition` / `ApplicationTransition`); the data generator's bulk writer too.
"""

from django.utils.translation import gettext_lazy as _

from maillage.core.states import StateMachine

from .models import ApplicationStatus as A
from .models import ReferralStatus as R

APPLICATION_TRANSITIONS: dict[str, frozenset[str]] = {
    A.SUBMITTED: frozenset(
        {A.UNDER_REVIEW, A.SELECTED, A.WAITLISTED, A.NOT_SELECTED, A.DROPPED_OUT}
    ),
    A.UNDER_REVIEW: frozenset({A.SELECTED, A.WAITLISTED, A.NOT_SELECTED, A.DROPPED_OUT}),
    A.WAITLISTED: frozenset({A.SELECTED, A.NOT_SELECTED, A.DROPPED_OUT}),
    A.SELECTED: frozenset({A.IN_PROGRESS, A.DROPPED_OUT}),
    A.IN_PROGRESS: frozenset({A.COMPLETED, A.DROPPED_OUT}),
    A.NOT_SELECTED: frozenset(),
    A.COMPLETED: frozenset(),
    A.DROPPED_OUT: frozenset(),
}

# Statuses in which a referral still waits for the receiving structure's answer.
REFERRAL_UNANSWERED = frozenset({R.SENT, R.RECEIVED})
# Statuses after which nothing changes any more.
REFERRAL_FINAL = frozenset({R.DECLINED, R.REDIRECTED, R.CLOSED, R.CANCELLED, R.EXPIRED})

REFERRAL_TRANSITIONS: dict[str, frozenset[str]] = {
    R.SENT: frozenset({R.RECEIVED, R.ACCEPTED, R.DECLINED, R.REDIRECTED, R.CANCELLED, R.EXPIRED}),
    R.RECEIVED: frozenset({R.ACCEPTED, R.DECLINED, R.REDIRECTED, R.CANCELLED, R.EXPIRED}),
    R.ACCEPTED: frozenset({R.FIRST_MEETING, R.CLOSED, R.CANCELLED}),
    R.FIRST_MEETING: frozenset({R.CLOSED, R.CANCELLED}),
    **{status: frozenset() for status in REFERRAL_FINAL},
}


APPLICATION_STATES = StateMachine(
    transitions=APPLICATION_TRANSITIONS,
    initial=frozenset({A.SUBMITTED}),
    choices=A,
    log_model="pathways.ApplicationTransition",
    log_link="application",
    refusal=_("An application that is '%(current)s' cannot become '%(new)s'."),
)
REFERRAL_STATES = StateMachine(
    transitions=REFERRAL_TRANSITIONS,
    initial=frozenset({R.SENT}),
    choices=R,
    log_model="pathways.ReferralTransition",
    log_link="referral",
    refusal=_("A referral that is '%(current)s' cannot become '%(new)s'."),
)


def application_may_go(from_status: str, to_status: str) -> bool:
    return bool(from_status) and APPLICATION_STATES.may_go(from_status, to_status)


def referral_may_go(from_status: str, to_status: str) -> bool:
    return bool(from_status) and REFERRAL_STATES.may_go(from_status, to_status)
