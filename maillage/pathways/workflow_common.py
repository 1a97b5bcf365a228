"""What the workflow views share: opening a person for an action, where to go back to."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.urls import NoReverseMatch, reverse

from maillage.accounts.rules import can

from .models import Person, PersonAccess
from .services.access import log_person_access


def person_or_403(request, uuid) -> Person:
    """The person, when the user may see them; else 403 and the refused read is logged."""
    person = get_object_or_404(Person.objects.filter(merged_into__isnull=True), uuid=uuid)
    if not can(request.user, "view_person", person):
        log_person_access(
            person=person, user=request.user, channel=PersonAccess.Channel.PAGE, granted=False
        )
        raise PermissionDenied
    log_person_access(
        person=person, user=request.user, channel=PersonAccess.Channel.PAGE, granted=True
    )
    return person


def person_url(person) -> str:
    """The person's page when it exists (persons pages), else the referral inbox."""
    try:
        return reverse("pathways:person_detail", kwargs={"uuid": person.uuid})
    except NoReverseMatch:
        return reverse("pathways:referral_inbox")


def require_pathways(user) -> None:
    """Workflow pages are for the staff of a structure; others get a 403."""
    if not can(user, "access_pathways"):
        raise PermissionDenied
