"""Public pages of the orientation: the questionnaire "Where is my project at?" with its
suggestions, and the "be contacted" form of a structure (no login)."""

import math

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_safe
from django_ratelimit.core import get_usage

from maillage.core import hooks
from maillage.core.forms import add_service_errors

from . import orientation, orientation_selectors, selectors, services
from .contact_forms import ContactRequestForm
from .hooks import CONTACT_REQUEST_SAVED
from .models import Network, Stage

# At most this many contact requests sent from one client address.
CONTACT_RATE = "5/h"


# --- The questionnaire -------------------------------------------------------------------------


def _results(network: Network, answers: dict, territory) -> dict:
    stages = orientation_selectors.network_stages(network)
    stage = orientation.suggested_stage(answers, stages)
    if stage is None:
        return {"stage": None}
    candidates = orientation_selectors.candidate_offers(
        network, [stage, *orientation.neighbours(stage, stages)], territory
    )
    place = str(territory.name) if territory is not None else ""
    suggestions, from_neighbours = orientation.suggest_offers(
        candidates,
        stage=stage,
        stages=stages,
        profile=orientation.visitor_profile(answers),
        place=place,
    )
    outside = (
        []
        if suggestions
        else orientation_selectors.outside_resources(network, territory=territory, stage=stage)
    )
    return {
        "stage": stage,
        "suggestions": suggestions,
        "from_neighbours": from_neighbours,
        "outside_resources": outside,
        "answers_token": orientation.answers_token(network_slug=network.slug, answers=answers),
    }


def _other_readings(request, reading) -> list[tuple[str, str]]:
    """(name, query string) of each other reading of an ambiguous code, to pick it instead."""
    links = []
    for territory in reading.alternatives:
        query = request.GET.copy()
        query[orientation.PLACE] = str(territory.name)
        links.append((str(territory.name), query.urlencode()))
    return links


@login_not_required
@require_safe
def start(request, slug):
    network = get_object_or_404(Network, slug=slug)
    answers = orientation.answers_from(request.GET)
    submitted = "envoi" in request.GET
    place_text = answers.get(orientation.PLACE, "")
    reading = orientation_selectors.find_place(place_text)
    territory = reading.territory
    context = {
        "network": network,
        "rows": [
            {"question": question, "value": answers.get(question.code, "")}
            for question in orientation.questionnaire()
        ],
        "submitted": submitted,
        "place_not_found": bool(place_text) and territory is None,
        "territory": territory,
        "place_reading": reading,
        "place_alternatives": _other_readings(request, reading),
    }
    if submitted:
        context.update(_results(network, answers, territory))
    return render(request, "directory/orientation/start.html", context)


# --- The "be contacted" form -------------------------------------------------------------------


def _contact_usage(request, *, increment: bool) -> dict | None:
    return get_usage(
        request,
        group="orientation-contact",
        # The client's address (RATELIMIT_IP_META_KEY: maillage.core.client_address).
        key="ip",
        rate=CONTACT_RATE,
        method="POST",
        increment=increment,
    )


def _rate_limited(request, structure):
    usage = _contact_usage(request, increment=False)
    if usage is None or usage["count"] < usage["limit"]:
        return None
    minutes = max(1, math.ceil(usage["time_left"] / 60))
    wait = ngettext(
        "Please try again in %(minutes)d minute.",
        "Please try again in %(minutes)d minutes.",
        minutes,
    ) % {"minutes": minutes}
    return render(
        request,
        "directory/contact/rate_limited.html",
        {"structure": structure, "wait": wait},
        status=429,
    )


def _carried_answers(request, structure) -> tuple[dict, Stage | None]:
    """The orientation answers the visitor came with (signed), and the stage they suggest."""
    carried = orientation.answers_from_token(request.GET.get("reponses", ""))
    if carried is None:
        return {}, None
    network_slug, answers = carried
    network = structure.networks.filter(slug=network_slug).first()
    if network is None:
        return {}, None
    stage = orientation.suggested_stage(answers, orientation_selectors.network_stages(network))
    return answers, stage


def _save(form, *, structure, offer, stage, answers):
    """Save the request and, in the same transaction, the referral the structure's advisors get."""
    try:
        with transaction.atomic():
            contact_request = services.create_contact_request(
                consent_text=form.consent_text,
                structure=structure,
                offer=offer,
                stage=stage,
                answers=answers,
                **form.request_fields(),
            )
            for hook in hooks.get_hooks(CONTACT_REQUEST_SAVED):
                hook(contact_request=contact_request)
            return contact_request
    except ValidationError as error:
        add_service_errors(form, error)
        return None


@login_not_required
@require_http_methods(["GET", "HEAD", "POST"])
def contact(request, slug):
    structure = get_object_or_404(selectors.public_structures(), slug=slug)
    offer_slug = request.GET.get("offre", "")
    offer = (
        selectors.published_offers().filter(structure=structure, slug=offer_slug).first()
        if offer_slug
        else None
    )
    answers, stage = _carried_answers(request, structure)
    if request.method == "POST":
        limited = _rate_limited(request, structure)
        if limited is not None:
            return limited
        form = ContactRequestForm(request.POST, structure=structure)
        if form.is_valid():
            saved = _save(form, structure=structure, offer=offer, stage=stage, answers=answers)
            if saved is not None:
                _contact_usage(request, increment=True)
                return redirect("orientation:contact_sent", slug=structure.slug)
    else:
        place = answers.get(orientation.PLACE, "")
        initial = {"postal_code": place} if place.isdigit() and len(place) == 5 else {}
        form = ContactRequestForm(structure=structure, initial=initial)
    context = {"structure": structure, "offer": offer, "stage": stage, "form": form}
    return render(request, "directory/contact/form.html", context)


@login_not_required
@require_safe
def contact_sent(request, slug):
    """Where a sent request lands (post/redirect/get); it shows nothing of the request."""
    structure = get_object_or_404(selectors.public_structures(), slug=slug)
    return render(request, "directory/contact/sent.html", {"structure": structure})
