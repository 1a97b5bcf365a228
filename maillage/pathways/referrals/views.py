"""Referrals between structures, as advisors handle them: inbox, sending, the closed loop.

Referrals are fetched through `referrals_visible_to(user)` (404 otherwise); each answer
is its own POST URL, served by one view (`referral_answer`) from the table `ANSWERS`; it carries
the version the page showed (optimistic locking) and comes back to the detail page with
translated errors and the input kept.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from maillage.accounts.rules import can
from maillage.core.dates import spreadsheet_date
from maillage.core.exports import csv_response
from maillage.core.forms import add_service_errors
from maillage.core.pagination import IdsFirstPaginator
from maillage.directory import orientation

from .. import common
from ..models import ReferralStatus
from ..states import REFERRAL_UNANSWERED, referral_may_go
from ..view_helpers import person_or_403, person_url, require_pathways
from ..visibility import referrals_visible_to
from . import selectors as ws
from . import services
from .forms import (
    AnswerForm,
    DeclineForm,
    FirstMeetingForm,
    RedirectForm,
    ReferralCreateForm,
    ReferralFilterForm,
)

PAGE_SIZE = 50

# --- Inbox -------------------------------------------------------------------------------------


@require_safe
def referral_inbox(request):
    require_pathways(request.user)
    form = ReferralFilterForm(request.GET or None)
    box, status = form.selected()
    referrals = ws.referral_inbox(request.user, box=box, status=status)
    page = IdsFirstPaginator(referrals, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = ws.mark_visible_persons(request.user, page.object_list)
    context = {
        "form": form,
        "box": box,
        "status": status,
        "page": page,
        "received": ws.RECEIVED,
        "sent": ws.SENT,
        "waiting_statuses": sorted(REFERRAL_UNANSWERED),
    }
    return render(request, "pathways/referrals/inbox.html", context)


def _local(moment) -> str:
    return spreadsheet_date(moment)


@require_safe
def referral_inbox_csv(request):
    require_pathways(request.user)
    box, status = ReferralFilterForm(request.GET or None).selected()
    # Reading the rows logs each person the file names (channel export).
    referrals = ws.referral_inbox_export(request.user, box=box, status=status)
    header = [
        _("Sent"),
        _("From"),
        _("To"),
        _("Offer"),
        _("Person"),
        _("Status"),
        _("Answered on"),
        _("First meeting"),
        _("Decline reason"),
    ]
    rows = (
        [
            _local(r.sent_at),
            r.from_structure.name if r.from_structure else _("Public site"),
            r.to_structure.name,
            r.to_offer.title if r.to_offer else "",
            r.person.display_name if r.shows_person else _("Anonymous orientation"),
            r.get_status_display(),
            _local(r.answered_at),
            spreadsheet_date(r.first_meeting_on),
            r.decline_reason.label if r.decline_reason else "",
        ]
        for r in referrals
    )
    filename = "orientations-envoyees.csv" if box == ws.SENT else "orientations-recues.csv"
    return csv_response(filename, header, rows)


# --- Sending -----------------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
def referral_create(request, uuid):
    person = person_or_403(request, uuid)
    form = ReferralCreateForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            referral = services.refer_person(
                person=person,
                from_structure=form.chosen_structure(),
                user=request.user,
                to_structure=form.cleaned_data["to_structure"],
                to_offer=form.cleaned_data["to_offer"],
                reason=form.cleaned_data["reason"],
                shared_info=form.cleaned_data["shared_info"],
            )
        except PermissionDenied:
            raise
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("The referral to %(structure)s is sent.") % {"structure": referral.to_structure},
            )
            return redirect("pathways:referral_detail", uuid=referral.uuid)
    context = {"person": person, "form": form, "person_url": person_url(person)}
    return render(request, "pathways/referrals/create.html", context)


# --- One referral and its answers --------------------------------------------------------------


def _visible_referral(request, uuid):
    return get_object_or_404(
        referrals_visible_to(request.user).select_related(
            "redirected_to__to_structure", "to_offer__structure", "project", "contact_request"
        ),
        uuid=uuid,
    )


@dataclass(frozen=True)
class Answer:
    """One answer to a referral: its form, who may give it (the rule), the service that records
    it with the keyword arguments read from the form, and what the page says once it is done."""

    form: type
    rule: str
    service: Callable
    arguments: Callable[[forms.Form], dict]
    done: str


def _note(form) -> dict:
    return {"note": form.cleaned_data["note"]}


# Every answer, by the name its form, its URL (`pathways:referral_<name>`) and the page use.
ANSWERS = {
    "accept": Answer(
        AnswerForm,
        "answer_referral",
        services.accept_referral,
        _note,
        gettext_lazy("The referral is accepted: the sender is told."),
    ),
    "decline": Answer(
        DeclineForm,
        "answer_referral",
        services.decline_referral,
        lambda form: {
            "reason": form.cleaned_data["decline_reason"],
            "note": form.cleaned_data["decline_note"],
            "share_reason_with_person": form.cleaned_data["share_reason_with_person"],
        },
        gettext_lazy("The referral is declined: the sender is told."),
    ),
    "redirect": Answer(
        RedirectForm,
        "answer_referral",
        services.redirect_referral,
        lambda form: {
            "to_structure": form.cleaned_data["to_structure"],
            "to_offer": form.cleaned_data["to_offer"],
            "note": form.cleaned_data["note"],
        },
        gettext_lazy("The person is referred on to the structure you chose."),
    ),
    "first_meeting": Answer(
        FirstMeetingForm,
        "answer_referral",
        services.record_first_meeting,
        lambda form: {
            "met_on": form.cleaned_data["first_meeting_on"],
            "identity": form.identity(),
        },
        gettext_lazy("The first meeting is recorded: the sender is told."),
    ),
    "close": Answer(
        AnswerForm,
        "answer_referral",
        services.close_referral,
        _note,
        gettext_lazy("The referral is closed."),
    ),
    "cancel": Answer(
        AnswerForm,
        "cancel_referral",
        services.cancel_referral,
        _note,
        gettext_lazy("The referral is cancelled."),
    ),
}


def _allowed_actions(referral, user) -> list[str]:
    """The answers the user may give to this referral now, in the order the page shows them."""
    status = referral.status
    allowed = []
    if can(user, "answer_referral", referral):
        if referral_may_go(status, ReferralStatus.ACCEPTED):
            allowed += ["accept", "decline", "redirect"]
        if referral_may_go(status, ReferralStatus.ACCEPTED) or referral_may_go(
            status, ReferralStatus.FIRST_MEETING
        ):
            allowed.append("first_meeting")
        if referral_may_go(status, ReferralStatus.CLOSED):
            allowed.append("close")
    if can(user, "cancel_referral", referral) and referral_may_go(status, ReferralStatus.CANCELLED):
        allowed.append("cancel")
    return allowed


def _action_form(name, referral, data=None):
    return ANSWERS[name].form(
        data, prefix=name, initial={"version": referral.version}, referral=referral
    )


def _action_forms(referral, user, bound: dict | None = None) -> dict:
    """The answer forms the user may use on this referral now, by action name."""
    bound = bound or {}
    return {
        name: bound.get(name) or _action_form(name, referral)
        for name in _allowed_actions(referral, user)
    }


def _history(referral) -> list:
    """The transitions, each with the label of its status (never the code)."""
    transitions = list(referral.transitions.select_related("by"))
    for transition in transitions:
        transition.label = ReferralStatus(transition.to_status).label
    return transitions


def _contact_request(referral) -> dict | None:
    """What the visitor wrote on the public contact form, for those who may see the person:
    how to reach them and their answers to the orientation questions."""
    request = referral.contact_request
    if request is None or referral.person.anonymised_at is not None:
        return None
    return {
        "email": request.email,
        "phone": request.phone,
        "postal_code": request.postal_code,
        "answers": orientation.readable_answers(request.answers or {}),
        "consent_given_at": request.consent_given_at,
        "consent_text": request.consent_text,
    }


def _detail(request, referral, bound: dict | None = None):
    shows_person = can(request.user, "view_person", referral.person)
    onward = referral.redirected_to
    context = {
        "referral": referral,
        "shows_person": shows_person,
        "person_url": person_url(referral.person) if shows_person else "",
        "is_receiver": can(request.user, "answer_referral", referral),
        "may_mark_received": referral.status == ReferralStatus.SENT
        and can(request.user, "answer_referral", referral),
        "is_sender": can(request.user, "cancel_referral", referral),
        "transitions": _history(referral),
        "actions": _action_forms(referral, request.user, bound),
        "contact": _contact_request(referral) if shows_person else None,
        "onward": onward,
        "onward_visible": onward is not None
        and referrals_visible_to(request.user).filter(pk=onward.pk).exists(),
    }
    return render(request, "pathways/referrals/detail.html", context)


@require_safe
def referral_detail(request, uuid):
    """One referral, as its sender or its receiver sees it (the closed loop). Reading it changes
    nothing: the receiver says they have seen it with `referral_mark_received` (a POST)."""
    return _detail(request, _visible_referral(request, uuid))


@require_POST
def referral_mark_received(request, uuid):
    """The receiver has read the referral: the sender sees it ("seen by the structure")."""
    referral = _visible_referral(request, uuid)
    services.mark_referral_received(referral=referral, user=request.user)
    return redirect("pathways:referral_detail", uuid=referral.uuid)


@require_POST
def referral_answer(request, uuid, *, action):
    """Give one answer (`ANSWERS[action]`): parse its form, call its service, come back to the
    detail page (with the errors and the input kept when the service refuses)."""
    answer = ANSWERS[action]
    referral = _visible_referral(request, uuid)
    if not can(request.user, answer.rule, referral):
        raise PermissionDenied
    if action not in _allowed_actions(referral, request.user):
        messages.error(
            request,
            _("This referral is '%(status)s': this action is not possible any more.")
            % {"status": referral.get_status_display()},
        )
        return _detail(request, referral)
    form = _action_form(action, referral, request.POST)
    if form.is_valid():
        try:
            answer.service(
                referral=referral,
                user=request.user,
                expected_version=form.cleaned_data["version"],
                **answer.arguments(form),
            )
        except common.StaleRecordError as error:
            messages.error(request, error.messages[0])
            return redirect("pathways:referral_detail", uuid=referral.uuid)
        except ValidationError as error:
            referral.refresh_from_db()
            if action not in _allowed_actions(referral, request.user):
                # Not possible any more (or never was): say why, nothing was changed.
                for message in error.messages:
                    messages.error(request, message)
                return _detail(request, referral)
            add_service_errors(form, error)
        else:
            messages.success(request, str(answer.done))
            return redirect("pathways:referral_detail", uuid=referral.uuid)
    return _detail(request, referral, bound={action: form})
