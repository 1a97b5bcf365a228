"""Applications to offers, as the offering structure handles them: record, decide, follow.

Applications are fetched through `selectors.applications_received_by(user)` (those
the user sees, made to the user's structures; 404 otherwise). "Not selected" needs a next step:
the service refuses it without one, and the page shows why, keeping what was typed.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from maillage.accounts.rules import can
from maillage.core.forms import add_service_errors

from .. import common
from ..models import ApplicationStatus
from ..referrals.selectors import visible_person_ids
from ..states import APPLICATION_TRANSITIONS
from ..view_helpers import person_or_403, person_url, require_pathways
from . import selectors as application_selectors
from . import services
from .forms import ApplicationCreateForm, ApplicationStatusForm


@require_http_methods(["GET", "HEAD", "POST"])
def application_create(request, uuid):
    person = person_or_403(request, uuid)
    form = ApplicationCreateForm(
        request.POST or None, user=request.user, initial={"submitted_on": timezone.localdate()}
    )
    if request.method == "POST" and form.is_valid():
        try:
            application = services.submit_application(
                person=person,
                offer=form.cleaned_data["offer"],
                session=form.cleaned_data["session"],
                user=request.user,
                submitted_on=form.cleaned_data["submitted_on"],
            )
        except PermissionDenied:
            raise
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The application is recorded."))
            return redirect("pathways:application_detail", uuid=application.uuid)
    context = {"person": person, "form": form, "person_url": person_url(person)}
    return render(request, "pathways/applications/create.html", context)


def _visible_application(request, uuid):
    return get_object_or_404(
        application_selectors.applications_received_by(request.user), uuid=uuid
    )


def _history(application) -> list:
    transitions = list(application.transitions.select_related("by"))
    for transition in transitions:
        transition.label = ApplicationStatus(transition.to_status).label
    return transitions


@require_safe
def application_detail(request, uuid):
    application = _visible_application(request, uuid)
    shows_person = can(request.user, "view_person", application.person)
    context = {
        "application": application,
        "shows_person": shows_person,
        "person_url": person_url(application.person) if shows_person else "",
        "transitions": _history(application),
        "may_decide": can(request.user, "decide_application", application)
        and bool(APPLICATION_TRANSITIONS.get(application.status)),
    }
    return render(request, "pathways/applications/detail.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
def application_status(request, uuid):
    application = _visible_application(request, uuid)
    if not can(request.user, "decide_application", application):
        raise PermissionDenied
    initial = {"version": application.version}
    wanted = request.GET.get("statut", "")
    if wanted in APPLICATION_TRANSITIONS.get(application.status, ()):
        initial["to_status"] = wanted
    form = ApplicationStatusForm(request.POST or None, application=application, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.change_application_status(
                application=application,
                user=request.user,
                to_status=data["to_status"],
                note=data["note"],
                expected_version=data["version"],
                refer_to_structure=data["refer_to_structure"],
                refer_to_offer=data["refer_to_offer"],
                referral_reason=data["referral_reason"],
                no_next_step_reason=data["no_next_step_reason"],
                no_next_step_note=data["no_next_step_note"],
                end_reason=data["end_reason"],
                end_note=data["end_note"],
            )
        except PermissionDenied:
            raise
        except common.StaleRecordError as error:
            messages.error(request, error.messages[0])
            return redirect("pathways:application_detail", uuid=application.uuid)
        except ValidationError as error:
            application.refresh_from_db()
            add_service_errors(form, error, ApplicationStatusForm.aliases)
        else:
            messages.success(
                request,
                _("The application is now '%(status)s'.")
                % {"status": ApplicationStatus(data["to_status"]).label},
            )
            return redirect("pathways:application_detail", uuid=application.uuid)
    context = {
        "application": application,
        "shows_person": can(request.user, "view_person", application.person),
        "form": form,
        "is_final": not APPLICATION_TRANSITIONS.get(application.status),
    }
    return render(request, "pathways/applications/status.html", context)


@require_safe
def session_applicants(request, uuid):
    require_pathways(request.user)
    session = get_object_or_404(application_selectors.session_of_user(request.user, uuid))
    applications = application_selectors.session_applications(session)
    rows = list(applications)
    visible = visible_person_ids(request.user, (a.person_id for a in rows))
    for application in rows:
        application.shows_person = application.person_id in visible
        application.next_statuses = [
            (value, label)
            for value, label in ApplicationStatus.choices
            if value in APPLICATION_TRANSITIONS.get(application.status, ())
        ]
    counts = application_selectors.status_counts(applications)
    selected = sum(
        1
        for application in rows
        if application.status
        in (ApplicationStatus.SELECTED, ApplicationStatus.IN_PROGRESS, ApplicationStatus.COMPLETED)
    )
    context = {
        "session": session,
        "applications": rows,
        "counts": counts,
        "selected": selected,
        "places": session.capacity if session.capacity is not None else session.offer.capacity,
    }
    return render(request, "pathways/applications/session.html", context)
