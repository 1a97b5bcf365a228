"""Pooling (mutualisation): the network's offers and needs, their matches and arrangements."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from maillage.accounts.rules import collab_network_ids, roles_of
from maillage.core.forms import add_service_errors
from maillage.directory.models import Structure

from . import selectors, services
from .forms import PoolingEntryForm
from .models import PoolingDirection


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
