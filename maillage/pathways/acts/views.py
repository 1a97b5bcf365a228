"""Professional acts: one person's (an interview, a follow-up…) or a collective one recorded once
with its attendance list; and a person's outcomes. Future dates and empty durations are refused
by the service."""

from uuid import UUID

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_safe

from maillage.accounts.rules import roles_of
from maillage.core.forms import add_service_errors

from ..applications import selectors as application_selectors
from ..choices import sessions_of_user, staff_structures
from ..view_helpers import person_or_403, person_url, require_pathways
from . import selectors, services
from .forms import ActForm, CollectiveActForm, OutcomeForm


def _initial() -> dict:
    return {"occurred_on": timezone.localdate(), "duration_hours": 1, "duration_minutes": 0}


@require_http_methods(["GET", "HEAD", "POST"])
def person_act_create(request, uuid):
    person = person_or_403(request, uuid)
    form = ActForm(request.POST or None, user=request.user, initial=_initial())
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.record_act(
                structure=form.chosen_structure(),
                user=request.user,
                act_type=data["act_type"],
                occurred_on=data["occurred_on"],
                duration_minutes=form.total_minutes(),
                persons=[person],
                offer=data["offer"],
                notes=data["notes"],
            )
        except PermissionDenied:
            raise
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The act is recorded."))
            return redirect(person_url(person))
    context = {"person": person, "form": form, "person_url": person_url(person)}
    return render(request, "pathways/acts/person_create.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
def act_create(request):
    """A collective act (workshop, information meeting…) recorded once, with who came."""
    require_pathways(request.user)
    session = None
    session_uuid = request.GET.get("session", "")
    if session_uuid:
        try:
            UUID(session_uuid)
        except ValueError as error:
            raise Http404 from error
        session = get_object_or_404(
            application_selectors.session_of_user(request.user, session_uuid)
        )
    if request.method == "POST" and "find_attendees" in request.POST:
        # Without JavaScript, the search button shows the form again with the matches, the
        # persons already ticked and everything typed so far; nothing is recorded.
        initial = {**request.POST.dict(), "attendees": request.POST.getlist("attendees")}
        form = CollectiveActForm(
            user=request.user,
            session=session,
            initial=initial,
            query=request.POST.get("attendee_search", ""),
        )
        return render(request, "pathways/acts/create.html", {"form": form, "session": form.session})
    form = CollectiveActForm(
        request.POST or None, user=request.user, session=session, initial=_initial()
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        persons, absent = form.persons_and_absent()
        try:
            act = services.record_act(
                structure=form.chosen_structure(),
                user=request.user,
                act_type=data["act_type"],
                occurred_on=data["occurred_on"],
                duration_minutes=form.total_minutes(),
                persons=persons,
                absent=absent,
                offer=data["offer"],
                session=data["session"],
                title=data["title"],
                notes=data["notes"],
            )
        except PermissionDenied:
            raise
        except ValidationError as error:
            add_service_errors(form, error, {"persons": "attendees"})
        else:
            attended = len(persons) - len(absent)
            messages.success(
                request,
                ngettext(
                    "The act of %(date)s is recorded with %(count)d participant.",
                    "The act of %(date)s is recorded with %(count)d participants.",
                    attended,
                )
                % {"date": act.occurred_on.strftime("%d/%m/%Y"), "count": attended},
            )
            if data["session"] is not None:
                return redirect("pathways:session_applicants", uuid=data["session"].uuid)
            return redirect("pathways:act_create")
    context = {"form": form, "session": form.session}
    return render(request, "pathways/acts/create.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
def outcome_create(request, uuid):
    person = person_or_403(request, uuid)
    form = OutcomeForm(
        request.POST or None,
        user=request.user,
        person=person,
        structures=staff_structures(request.user),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.record_outcome(
                person=person,
                structure=form.chosen_structure(),
                user=request.user,
                outcome_type=data["outcome_type"],
                occurred_on=data["occurred_on"],
                legal_form=data["legal_form"],
                details=data["details"],
                project=data["project"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The outcome is recorded."))
            return redirect(person_url(person))
    return render(request, "pathways/persons/outcome_form.html", {"form": form, "person": person})


@require_safe
def act_attendees(request):
    """The attendance list's options for a search (htmx, as one types): the ticked persons kept
    first, then the persons the user may see whose name matches, with birth year and file
    number."""
    require_pathways(request.user)
    sessions = sessions_of_user(request.user)
    chosen = request.GET.get("session", "")
    session = sessions.filter(pk=chosen).first() if chosen.isdigit() else None
    keep = request.GET.getlist("attendees")
    _accepted, shown = selectors.attendee_choices(
        request.user,
        structure_ids=roles_of(request.user).staff_of,
        session=session,
        query=request.GET.get("attendee_search", "")[:100],
        keep=keep,
    )
    ticked = set(keep)
    options = [(person, str(person.pk) in ticked) for person in shown]
    return render(request, "pathways/acts/_attendee_options.html", {"options": options})
