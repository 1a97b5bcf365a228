"""Reads for the advisors' inbox of contact requests (personal data).

Limited to what `can(user, "view_personal_records", structure)` allows: the staff (advisors and
administrators) of the structure asked. Coordinators, funders and the platform admin see none.
"""

from django.db.models import QuerySet

from maillage.accounts.rules import roles_of

from .models import ContactRequest, ContactRequestStatus, Structure


def structures_whose_requests_user_sees(user) -> QuerySet[Structure]:
    """Structures on which `can(user, "view_personal_records", structure)` holds."""
    return Structure.objects.filter(pk__in=roles_of(user).staff_of).order_by("name")


def contact_requests_visible_to(user, *, status: str = "") -> QuerySet[ContactRequest]:
    """The contact requests the user may read, newest first (optionally of one status)."""
    requests = ContactRequest.objects.filter(structure__in=roles_of(user).staff_of)
    if status in ContactRequestStatus.values:
        requests = requests.filter(status=status)
    return requests.select_related("structure", "offer", "stage", "handled_by").order_by(
        "-created_at", "-pk"
    )


def inbox_summary(user) -> dict | None:
    """How many contact requests wait for the user's structures (None: they see none)."""
    if not roles_of(user).staff_of:
        return None
    new = contact_requests_visible_to(user, status=ContactRequestStatus.NEW)
    return {"new": new.count()}
