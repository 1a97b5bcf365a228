"""The common brochure: the printable HTML page and its PDF (public, nothing personal)."""

from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from . import brochure
from .models import Network


def _pdf_response(request, network: Network) -> HttpResponse:
    pdf = brochure.brochure_pdf(network, base_url=request.build_absolute_uri("/"))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="brochure-{network.slug}.pdf"'
    return response


@login_not_required
@require_safe
def default_pdf(request):
    network = brochure.default_network()
    if network is None:
        raise Http404
    return _pdf_response(request, network)


@login_not_required
@require_safe
def network_pdf(request, slug):
    return _pdf_response(request, get_object_or_404(Network, slug=slug))


@login_not_required
@require_safe
def html(request, slug):
    network = get_object_or_404(Network, slug=slug)
    return render(
        request,
        "directory/brochure/page.html",
        {"brochure": brochure.brochure_content(network)},
    )
