"""Back office of a network's outside resources: import data·inclusion files, list, export.

Only those who may change the network (its coordinators) reach these pages; the network is
fetched through a queryset limited to them, so anyone else gets a 404.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from maillage.core.exports import csv_response

from . import selectors, services
from .forms import ImportForm
from .models import ImportBatch, ResourceKind

PER_PAGE = 50


def _managed_network(request, slug):
    return get_object_or_404(
        selectors.networks_whose_resources_user_manages(request.user), slug=slug
    )


def outside_resources(request, slug):
    network = _managed_network(request, slug)
    form = ImportForm(*([request.POST, request.FILES] if request.method == "POST" else []))
    import_errors = []
    if request.method == "POST" and form.is_valid():
        try:
            batch = services.import_data_inclusion(
                network=network,
                structures_file=form.cleaned_data["structures_file"],
                services_file=form.cleaned_data["services_file"],
                by=request.user,
            )
        except services.ImportRefused as refused:
            import_errors = [str(error) for error in refused.item_errors]
        else:
            messages.success(
                request,
                _("Import done: %(created)s new, %(updated)s updated, %(unchanged)s unchanged.")
                % {
                    "created": batch.created,
                    "updated": batch.updated,
                    "unchanged": batch.unchanged,
                },
            )
            return redirect("interop:outside_resources", slug=network.slug)
    counts = selectors.outside_resource_counts(network)
    page = Paginator(selectors.outside_resources_of(network), PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "interop/outside_resources.html",
        {
            "network": network,
            "form": form,
            "import_errors": import_errors,
            "structure_count": counts.get(ResourceKind.STRUCTURE, 0),
            "service_count": counts.get(ResourceKind.SERVICE, 0),
            "page": page,
            "last_batch": ImportBatch.objects.filter(network=network)
            .select_related("imported_by")
            .first(),
        },
        status=400 if import_errors else 200,
    )


@require_safe
def outside_resources_csv(request, slug):
    network = _managed_network(request, slug)
    return csv_response(
        f"ressources-{network.slug}.csv",
        [
            _("Kind"),
            _("Source"),
            _("Identifier at the source"),
            _("Name"),
            _("Organisation"),
            _("City"),
            _("INSEE code"),
            _("Postal code"),
            _("Eligibility zone"),
            _("Themes"),
            _("Link"),
            _("Phone"),
            _("E-mail address"),
            _("Imported on"),
        ],
        (
            (
                r.get_kind_display(),
                r.source,
                r.external_id,
                r.name,
                r.organisation_name,
                r.commune,
                r.code_insee,
                r.postal_code,
                " ".join(r.zone_codes),
                " ".join(r.thematiques),
                r.link,
                r.phone,
                r.email,
                timezone.localtime(r.imported_at).date().isoformat(),
            )
            for r in selectors.outside_resources_of(network)
        ),
    )
