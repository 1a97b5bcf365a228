"""Coordinators extend the pathways referentials (act types, outcome types, reasons…)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from maillage.accounts.rules import can
from maillage.core.forms import add_service_errors
from maillage.directory.models import Network

from ..referentials import KINDS, entries_for_networks
from .forms import ReferentialEntryForm
from .services import add_referential_entry, set_referential_entry_active


def _network(request, slug):
    network = get_object_or_404(Network, slug=slug)
    if not can(request.user, "manage_pathway_referentials", network):
        raise PermissionDenied
    return network


def _kind(kind):
    if kind not in KINDS:
        raise Http404
    return KINDS[kind]


@require_safe
def referential_list(request, slug):
    network = _network(request, slug)
    groups = [
        {
            "kind": kind,
            "label": label,
            "entries": list(entries_for_networks(model, [network.pk], active_only=False)),
        }
        for kind, (model, label, _extra) in KINDS.items()
    ]
    return render(
        request, "pathways/referentials/list.html", {"network": network, "groups": groups}
    )


@require_http_methods(["GET", "POST"])
def referential_add(request, slug, kind):
    network = _network(request, slug)
    model, label, extra = _kind(kind)
    form = ReferentialEntryForm(request.POST or None, extra_fields=extra, model=model)
    if request.method == "POST" and form.is_valid():
        try:
            entry = add_referential_entry(
                model=model, network=network, user=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("“%(label)s” was added.") % {"label": entry.label})
            return redirect("pathways:referential_list", slug=network.slug)
    return render(
        request,
        "pathways/referentials/form.html",
        {"network": network, "kind_label": label, "form": form},
    )


@require_POST
def referential_toggle(request, slug, kind, pk):
    network = _network(request, slug)
    model, _label, _extra = _kind(kind)
    entry = get_object_or_404(model, pk=pk, network=network)
    set_referential_entry_active(entry=entry, user=request.user, active=not entry.is_active)
    return redirect("pathways:referential_list", slug=network.slug)
