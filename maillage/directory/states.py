"""The state machine of public contact requests (`maillage.core.states`)."""

from maillage.core.states import StateMachine

from .models import ContactRequestStatus as C


def _record_handling(request, from_status, to_status, *, by, at, note=""):
    """A contact request's one move is logged on the request itself: who handled it, when."""
    request.handled_at = at
    request.handled_by = by


CONTACT_REQUEST_STATES = StateMachine(
    transitions={C.NEW: frozenset({C.HANDLED}), C.HANDLED: frozenset()},
    initial=frozenset({C.NEW}),
    choices=C,
    log_function=_record_handling,
)
