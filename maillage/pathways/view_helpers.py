"""What the advisors' pages share: opening a person's record, the link back to it."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.urls import reverse

from maillage.accounts.rules import can

from .models import Person, PersonAccess
from .services.access import log_person_access


def person_or_403(
    request, uuid, action: str = "view_person", *, channel: str = PersonAccess.Channel.PAGE
) -> Person:
    """The person, once the user may see them and `action` is allowed on them.

    An unknown uuid is a 404. A refusal is a 403 and is logged (a merged duplicate is seen by
    nobody); a page read (GET) is logged as granted. Downloads log their own read, once the
    file is made.
    """
    person = get_object_or_404(Person.objects.select_related("situation"), uuid=uuid)
    allowed = can(request.user, "view_person", person) and (
        action == "view_person" or can(request.user, action, person)
    )
    if not allowed:
        log_person_access(person=person, user=request.user, channel=channel, granted=False)
        raise PermissionDenied
    if channel == PersonAccess.Channel.PAGE and request.method in ("GET", "HEAD"):
        log_person_access(person=person, user=request.user, channel=channel, granted=True)
    return person


def person_url(person: Person) -> str:
    return reverse("pathways:person_detail", kwargs={"uuid": person.uuid})


def require_pathways(user) -> None:
    """The advisors' pages are for the staff of a structure; others get a 403."""
    if not can(user, "access_pathways"):
        raise PermissionDenied
