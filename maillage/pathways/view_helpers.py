"""What the advisors' pages share: opening a person's record, the link back to it."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse

from maillage.accounts.rules import can

from .access import log_person_access
from .models import Person, PersonAccess


def person_or_403(
    request, uuid, action: str = "view_person", *, channel: str = PersonAccess.Channel.PAGE
) -> Person:
    """The person, once the user may see them and `action` is allowed on them.

    A person the user may not see is a 404, as an unknown uuid is: the answer does not tell
    that the person exists. The refusal is still logged (a merged duplicate is seen by nobody).
    A person the user sees but may not `action` on is a 403 (logged too). A page read (GET) is
    logged as granted. Downloads log their own read, once the file is made.
    """
    person = get_object_or_404(Person.objects.select_related("situation"), uuid=uuid)
    visible = can(request.user, "view_person", person)
    if not visible or not (action == "view_person" or can(request.user, action, person)):
        log_person_access(person=person, user=request.user, channel=channel, granted=False)
        if not visible:
            raise Http404
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
