"""Reads of the applications: the inbox of the user's structures, a session's applicants, the API.

Who sees which application is `visibility.applications_visible_to`; these only filter it and
add the joins each page needs.
"""

from django.db.models import Count, QuerySet

from maillage.accounts.rules import roles_of
from maillage.directory.models import OfferSession

from ..choices import sessions_of_user
from ..models import Application, ApplicationStatus
from ..visibility import applications_visible_to


def applications_received_by(user) -> QuerySet[Application]:
    """The inbox of applications: those the user sees (`applications_visible_to`) that were
    made to an offer of the user's structures."""
    staff = sorted(roles_of(user).staff_of)
    return (
        applications_visible_to(user)
        .filter(structure_id__in=staff)
        .select_related(
            "person",
            "offer",
            "session",
            "structure",
            "next_step_referral__to_structure",
            "no_next_step_reason",
            "end_reason",
        )
    )


def session_of_user(user, uuid) -> QuerySet[OfferSession]:
    return sessions_of_user(user).filter(uuid=uuid)


def session_applications(session) -> QuerySet[Application]:
    return (
        Application.objects.filter(session=session)
        .select_related("person")
        .order_by("person__last_name", "person__first_name", "pk")
    )


def status_counts(applications: QuerySet[Application]) -> list[tuple[str, int]]:
    """(status label, number) for each status present, in the order of the state machine."""
    counts = dict(
        applications.order_by()
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    return [(label, counts[value]) for value, label in ApplicationStatus.choices if value in counts]


def applications_for_api(user) -> QuerySet[Application]:
    return applications_visible_to(user).select_related(
        "person",
        "project",
        "offer",
        "session",
        "structure",
        "next_step_referral",
        "no_next_step_reason",
        "end_reason",
    )
