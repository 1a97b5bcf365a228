"""Pooling (mutualisation): the network's offers and needs, their matches and arrangements."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from maillage.accounts.rules import can, collab_network_ids, roles_of
from maillage.core.forms import add_service_errors
from maillage.directory.models import Structure

from . import selectors, services
from .forms import ArrangementForm, JobPostForm, PoolingEntryForm
from .models import PoolingDirection, PoolingEntry, PoolingKind


@require_http_methods(["GET", "HEAD", "POST"])
def pooling(request):
    user = request.user
    if not collab_network_ids(user):
        raise PermissionDenied
    structures = Structure.objects.filter(pk__in=roles_of(user).staff_of).order_by("name")
    form = PoolingEntryForm(request.POST or None, structures=structures)
    if request.method == "POST" and form.is_valid():
        structure = form.cleaned_data["structure"]
        network = structure.networks.filter(pk__in=collab_network_ids(user)).first()
        try:
            services.post_pooling_entry(network=network, by=user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Your entry is shared with the network."))
            return redirect("collab:pooling")
    entries = list(selectors.pooling_visible_to(user).filter(is_open=True))
    needs = [
        (
            entry,
            [
                m
                for m in entries
                if m.direction == PoolingDirection.OFFER
                and m.kind == entry.kind
                and m.network_id == entry.network_id
                and m.structure_id != entry.structure_id
            ],
        )
        for entry in entries
        if entry.direction == PoolingDirection.NEED
    ]
    return render(
        request,
        "collab/pooling.html",
        {
            "offers": [e for e in entries if e.direction == PoolingDirection.OFFER],
            "needs": needs,
            "arrangements": selectors.arrangement_visible_to(user),
            "form": form if structures else None,
        },
    )


def _entry(request, uuid):
    return get_object_or_404(selectors.pooling_visible_to(request.user), uuid=uuid)


def pooling_entry(request, uuid):
    """An offer or a need: its description, its shares (a job post), its matches, its
    arrangements."""
    user = request.user
    entry = _entry(request, uuid)
    arrangements = selectors.arrangement_visible_to(user).filter(Q(offer=entry) | Q(need=entry))
    matches = list(selectors.matches_for(entry, user)) if entry.is_open else []
    return render(
        request,
        "collab/pooling_entry.html",
        {
            "entry": entry,
            "matches": matches,
            "arrangements": arrangements,
            "may_arrange": bool(matches) and _may_arrange(user, entry, matches),
            "may_change_post": _may_change_post(user, entry),
        },
    )


def _may_arrange(user, entry, matches) -> bool:
    """The staff of either structure record an arrangement while the entries are open."""
    return entry.is_open and any(
        can(user, "collab_pool_for_structure", e.structure) for e in [entry, *matches]
    )


def _may_change_post(user, entry) -> bool:
    """A shared job post is described and shared by the staff of the structure posting it."""
    return entry.kind == PoolingKind.JOB_POST and can(
        user, "collab_pool_for_structure", entry.structure
    )


@require_http_methods(["GET", "HEAD", "POST"])
def arrangement_create(request, uuid):
    """Record an arrangement between this entry and one of its matches: dates and terms."""
    user = request.user
    entry = _entry(request, uuid)
    matches = selectors.matches_for(entry, user) if entry.is_open else PoolingEntry.objects.none()
    if not _may_arrange(user, entry, list(matches)):
        raise PermissionDenied
    form = ArrangementForm(request.POST or None, matches=matches)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        counterpart = data["counterpart"]
        offer, need = (
            (entry, counterpart)
            if entry.direction == PoolingDirection.OFFER
            else (counterpart, entry)
        )
        try:
            services.arrange(
                offer=offer,
                need=need,
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                terms=data["terms"],
                by=user,
            )
        except PermissionDenied:
            form.add_error(
                None, _("Only the staff of one of the two structures records their arrangement.")
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The arrangement is recorded."))
            return redirect("collab:pooling_entry", uuid=entry.uuid)
    return render(
        request,
        "collab/arrangement_form.html",
        {"entry": entry, "form": form},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "HEAD", "POST"])
def job_post_edit(request, uuid):
    """A shared job post: its description and the share of the post each structure carries."""
    entry = _entry(request, uuid)
    if not _may_change_post(request.user, entry):
        raise PermissionDenied
    structures = Structure.objects.filter(networks=entry.network_id).order_by("name")
    current = {share.structure_id: share.percent for share in entry.shares.all()}
    initial = {"description": entry.description} | {
        f"share_{pk}": percent for pk, percent in current.items()
    }
    form = JobPostForm(request.POST or None, structures=structures, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.set_job_shares(
                entry=entry,
                shares=form.shares(),
                description=form.cleaned_data["description"],
                by=request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The job post is saved."))
            return redirect("collab:pooling_entry", uuid=entry.uuid)
    return render(
        request,
        "collab/job_post_form.html",
        {"entry": entry, "form": form},
        status=400 if form.errors else 200,
    )
