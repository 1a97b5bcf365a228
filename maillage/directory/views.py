"""The public site of the directory: network home, pathway map, stages, structures, offers,
ESS positioning statements side by side, and search. No login; nothing personal."""

from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from maillage.core import hooks

from . import selectors
from .hooks import STRUCTURE_PAGE_CONTEXT
from .models import Network, Stage
from .public_forms import MapFilterForm, SearchForm

STAGE_PAGE_SIZE = 24


def _network(slug: str) -> Network:
    return get_object_or_404(Network, slug=slug)


def render_network_home(request, network: Network):
    context = {"network": network, **selectors.network_home(network)}
    return render(request, "directory/public/network_home.html", context)


@login_not_required
@require_GET
def network_home(request, slug):
    return render_network_home(request, _network(slug))


@login_not_required
@require_GET
def pathway_map(request, slug):
    network = _network(slug)
    form = MapFilterForm(request.GET or None)
    pathway_map = selectors.pathway_map(network, form.filters())
    context = {
        "network": network,
        "form": form,
        "columns": pathway_map.columns,
        "offer_count": pathway_map.offer_count,
    }
    template = (
        "directory/public/_map_board.html"
        if request.htmx and not request.htmx.boosted
        else "directory/public/map.html"
    )
    return render(request, template, context)


@login_not_required
@require_GET
def stage(request, slug, stage_slug):
    network = _network(slug)
    stage = get_object_or_404(Stage, network=network, slug=stage_slug)
    context = {"network": network, "stage": stage, **selectors.stage_page(network, stage)}
    context["page"] = Paginator(context.pop("offers"), STAGE_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "directory/public/stage.html", context)


@login_not_required
@require_GET
def positioning(request, slug):
    network = _network(slug)
    context = {"network": network, "structures": selectors.positioning_of(network)}
    return render(request, "directory/public/positioning.html", context)


@login_not_required
@require_GET
def structure(request, slug):
    structure = get_object_or_404(
        selectors.public_structures().select_related("legal_form", "commune"), slug=slug
    )
    context = {"structure": structure, **selectors.structure_page(structure), "response_time": None}
    for hook in hooks.get_hooks(STRUCTURE_PAGE_CONTEXT):
        context.update(hook(structure=structure))
    return render(request, "directory/public/structure.html", context)


@login_not_required
@require_GET
def offer(request, slug, offer_slug):
    offer = selectors.public_offer(slug, offer_slug).first()
    if offer is None:
        raise Http404
    context = {"offer": offer, "structure": offer.structure, **selectors.offer_page(offer)}
    return render(request, "directory/public/offer.html", context)


@login_not_required
@require_GET
def search(request):
    form = SearchForm(request.GET or None)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    results = selectors.search(query) if query else {"structures": [], "offers": []}
    context = {
        "form": form,
        "query": query,
        "result_count": len(results["structures"]) + len(results["offers"]),
        **results,
    }
    return render(request, "directory/public/search.html", context)
