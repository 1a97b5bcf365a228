"""The directory's back office: a structure's sheet, its offers and sessions, a network's stages.

Behind the login (the default). Objects are fetched through querysets already limited to what the
user may change (`backoffice_selectors`), so anyone else gets a 404 — also an advisor or a funder
who reaches the dashboard. Every write goes through `services`, which records the author.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from maillage.accounts.rules import can
from maillage.core.forms import add_service_errors

from . import backoffice_selectors as selectors
from . import inbox_selectors, services
from .forms import MoveStageForm, OfferForm, SessionForm, StageForm, StructureForm
from .models import Offer, OfferSession, Stage

TEMPLATES = "directory/backoffice/"


def _allowed(user, action, obj):
    """The filtered querysets already decide; this is the rule itself, asked once more."""
    if not can(user, action, obj):
        raise PermissionDenied
    return obj


def _structure(request, slug):
    structure = get_object_or_404(selectors.structures_editable_by(request.user), slug=slug)
    return _allowed(request.user, "change_structure", structure)


def _offer(request, slug, offer_slug):
    structure = _structure(request, slug)
    return get_object_or_404(selectors.offers_of_structure(structure), slug=offer_slug)


def _session(request, slug, offer_slug, pk):
    offer = _offer(request, slug, offer_slug)
    return offer, get_object_or_404(selectors.sessions_of(offer), pk=pk)


def _network(request, slug):
    network = get_object_or_404(selectors.networks_whose_stages_user_edits(request.user), slug=slug)
    return _allowed(request.user, "change_network", network)


def _save(form, save):
    """Call the service on a valid form; True when saved, else the errors are on the form."""
    if not form.is_valid():
        return False
    try:
        save()
    except ValidationError as error:
        add_service_errors(form, error)
        return False
    return True


# --- Dashboard ---------------------------------------------------------------------------------


@require_safe
def dashboard(request):
    _allowed(request.user, "access_backoffice", None)
    return render(
        request,
        TEMPLATES + "dashboard.html",
        {
            "structures": selectors.dashboard_structures(request.user),
            "networks": selectors.dashboard_networks(request.user),
            "inbox": inbox_selectors.inbox_summary(request.user),
        },
    )


# --- Structures --------------------------------------------------------------------------------


def structure_edit(request, slug):
    structure = selectors.structure_for_edit(request.user, slug)
    if structure is None:
        raise Http404
    _allowed(request.user, "change_structure", structure)
    form = StructureForm(request.POST or None, request.FILES or None, instance=structure)
    if request.method == "POST" and _save(
        form,
        lambda: services.save_structure(
            structure=form.instance,
            by=request.user,
            m2m={"territories": form.cleaned_data["territories"]},
        ),
    ):
        messages.success(request, _("The sheet is saved."))
        return redirect("backoffice:structure_edit", slug=structure.slug)
    return render(
        request, TEMPLATES + "structure_form.html", {"structure": structure, "form": form}
    )


@require_safe
def structure_history(request, slug):
    structure = _structure(request, slug)
    return render(
        request,
        TEMPLATES + "history.html",
        {
            "structure": structure,
            "offer": None,
            "rows": _history_rows(selectors.structure_history(structure)),
            "limit": selectors.HISTORY_LIMIT,
        },
    )


# --- Offers ------------------------------------------------------------------------------------


@require_safe
def offer_list(request, slug):
    structure = _structure(request, slug)
    return render(
        request,
        TEMPLATES + "offer_list.html",
        {"structure": structure, "offers": selectors.offers_of(structure)},
    )


def offer_create(request, slug):
    structure = _structure(request, slug)
    return _offer_form(request, structure, Offer(structure=structure))


def offer_edit(request, slug, offer_slug):
    offer = selectors.offer_for_edit(_structure(request, slug), offer_slug)
    if offer is None:
        raise Http404
    return _offer_form(request, offer.structure, offer)


def _offer_form(request, structure, offer):
    creating = offer.pk is None
    form = OfferForm(
        request.POST or None,
        instance=offer,
        stage_queryset=selectors.stage_choices_for(structure),
    )
    if request.method == "POST" and _save(
        form, lambda: services.save_offer(offer=form.instance, by=request.user, m2m=form.m2m())
    ):
        done = (
            _("The offer %(title)s is created.") if creating else _("The offer %(title)s is saved.")
        )
        messages.success(request, done % {"title": form.instance.title})
        return redirect("backoffice:offer_list", slug=structure.slug)
    return render(
        request,
        TEMPLATES + "offer_form.html",
        {"structure": structure, "offer": offer, "form": form, "creating": creating},
    )


def offer_delete(request, slug, offer_slug):
    offer = _offer(request, slug, offer_slug)
    if request.method == "POST":
        services.delete_offer(offer=offer, by=request.user)
        messages.success(request, _("The offer %(title)s is deleted.") % {"title": offer.title})
        return redirect("backoffice:offer_list", slug=offer.structure.slug)
    return render(
        request,
        TEMPLATES + "confirm_delete.html",
        {
            "title": _("Delete the offer %(title)s?") % {"title": offer.title},
            "explanation": _(
                "The offer, its sessions and its documents disappear from the directory. "
                "Their history is kept."
            ),
            "cancel_url": reverse(
                "backoffice:offer_edit",
                kwargs={"slug": offer.structure.slug, "offer_slug": offer.slug},
            ),
            "structure": offer.structure,
            "offer": offer,
        },
    )


@require_safe
def offer_history(request, slug, offer_slug):
    offer = _offer(request, slug, offer_slug)
    return render(
        request,
        TEMPLATES + "history.html",
        {
            "structure": offer.structure,
            "offer": offer,
            "rows": _history_rows(selectors.offer_history(offer)),
            "limit": selectors.HISTORY_LIMIT,
        },
    )


# --- Sessions ----------------------------------------------------------------------------------


@require_safe
def session_list(request, slug, offer_slug):
    offer = _offer(request, slug, offer_slug)
    return render(
        request,
        TEMPLATES + "session_list.html",
        {"structure": offer.structure, "offer": offer, "sessions": selectors.sessions_of(offer)},
    )


def session_create(request, slug, offer_slug):
    offer = _offer(request, slug, offer_slug)
    return _session_form(request, offer, OfferSession(offer=offer))


def session_edit(request, slug, offer_slug, pk):
    offer, session = _session(request, slug, offer_slug, pk)
    return _session_form(request, offer, session)


def _session_form(request, offer, session):
    creating = session.pk is None
    form = SessionForm(request.POST or None, instance=session)
    if request.method == "POST" and _save(
        form, lambda: services.save_session(session=form.instance, by=request.user)
    ):
        messages.success(request, _("The session is saved."))
        return redirect("backoffice:session_list", slug=offer.structure.slug, offer_slug=offer.slug)
    return render(
        request,
        TEMPLATES + "session_form.html",
        {
            "structure": offer.structure,
            "offer": offer,
            "session": session,
            "form": form,
            "creating": creating,
        },
    )


def session_delete(request, slug, offer_slug, pk):
    offer, session = _session(request, slug, offer_slug, pk)
    if request.method == "POST":
        services.delete_session(session=session, by=request.user)
        messages.success(request, _("The session is deleted."))
        return redirect("backoffice:session_list", slug=offer.structure.slug, offer_slug=offer.slug)
    return render(
        request,
        TEMPLATES + "confirm_delete.html",
        {
            "title": _("Delete the session starting on %(date)s?")
            % {"date": date_format(session.starts_on, "SHORT_DATE_FORMAT")},
            "explanation": _("The session disappears from the directory. Its history is kept."),
            "cancel_url": reverse(
                "backoffice:session_list",
                kwargs={"slug": offer.structure.slug, "offer_slug": offer.slug},
            ),
            "structure": offer.structure,
            "offer": offer,
        },
    )


# --- Stages ------------------------------------------------------------------------------------


@require_safe
def stage_list(request, slug):
    network = _network(request, slug)
    return render(
        request,
        TEMPLATES + "stage_list.html",
        {"network": network, "stages": selectors.stages_of(network)},
    )


def stage_create(request, slug):
    network = _network(request, slug)
    return _stage_form(request, network, Stage(network=network))


def stage_edit(request, slug, stage_slug):
    network = _network(request, slug)
    stage = get_object_or_404(selectors.stages_of(network), slug=stage_slug)
    return _stage_form(request, network, stage)


def _stage_form(request, network, stage):
    creating = stage.pk is None
    form = StageForm(request.POST or None, instance=stage)
    if request.method == "POST" and _save(
        form, lambda: services.save_stage(stage=form.instance, by=request.user)
    ):
        messages.success(request, _("The stage %(name)s is saved.") % {"name": form.instance.name})
        return redirect("backoffice:stage_list", slug=network.slug)
    return render(
        request,
        TEMPLATES + "stage_form.html",
        {"network": network, "stage": stage, "form": form, "creating": creating},
    )


@require_POST
def stage_move(request, slug, stage_slug):
    network = _network(request, slug)
    stage = get_object_or_404(selectors.stages_of(network), slug=stage_slug)
    form = MoveStageForm(request.POST)
    if form.is_valid():
        services.move_stage(stage=stage, offset=form.cleaned_data["direction"], by=request.user)
        messages.success(request, _("The stage %(name)s has moved.") % {"name": stage.name})
    return redirect("backoffice:stage_list", slug=network.slug)


# --- History rows ------------------------------------------------------------------------------

_KINDS = {"+": "created", "~": "changed", "-": "deleted"}


def _history_rows(changes):
    rows = []
    for record, fields in changes:
        model = record.instance_type
        rows.append(
            {
                "date": record.history_date,
                "author": record.history_user,
                "kind": _KINDS.get(record.history_type, "changed"),
                "is_session": model is OfferSession,
                "session_start": getattr(record, "starts_on", None),
                "fields": [str(model._meta.get_field(name).verbose_name) for name in fields],
            }
        )
    return rows
