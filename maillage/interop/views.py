"""Public open-data files: data·inclusion JSON exports and CSV lists of the directory."""

from django.contrib.auth.decorators import login_not_required
from django.http import JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from maillage.core.exports import csv_response

from . import di_export, selectors


def _base_url(request) -> str:
    return request.build_absolute_uri("/").rstrip("/")


def _json_list(items) -> JsonResponse:
    return JsonResponse(items, safe=False, json_dumps_params={"ensure_ascii": False})


@login_not_required
@require_safe
def di_structures(request):
    return _json_list(di_export.structures(_base_url(request)))


@login_not_required
@require_safe
def di_services(request):
    return _json_list(di_export.services(_base_url(request)))


def _date(moment) -> str:
    return timezone.localtime(moment).date().isoformat()


def _labels(items) -> str:
    return ", ".join(str(item) for item in items)


@login_not_required
@require_safe
def structures_csv(request):
    base_url = _base_url(request)
    structures = selectors.published_structures().prefetch_related("networks", "territories")
    return csv_response(
        "structures.csv",
        [
            _("Identifier"),
            _("Name"),
            _("Legal form"),
            _("SIRET"),
            _("Address"),
            _("Postal code"),
            _("City"),
            _("INSEE code"),
            _("Territory served"),
            _("Website"),
            _("E-mail address"),
            _("Phone"),
            _("Networks"),
            _("Page"),
            _("Updated on"),
        ],
        (
            (
                s.uuid,
                s.name,
                s.legal_form,
                s.siret,
                s.address,
                s.postal_code,
                s.city,
                s.commune.code if s.commune else "",
                _labels(s.territories.all()),
                s.website,
                s.email,
                s.phone,
                _labels(s.networks.all()),
                base_url + reverse("directory:structure", args=[s.slug]),
                _date(s.updated_at),
            )
            for s in structures
        ),
    )


@login_not_required
@require_safe
def offers_csv(request):
    base_url = _base_url(request)
    offers = selectors.with_export_relations(selectors.published_offers())
    return csv_response(
        "offres.csv",
        [
            _("Identifier"),
            _("Structure"),
            _("Title"),
            _("Summary"),
            _("Stages"),
            _("Format"),
            _("Duration"),
            _("Selection"),
            _("Places"),
            _("Audiences"),
            _("Free of charge"),
            _("Cost details"),
            _("How to apply"),
            _("Where it takes place"),
            _("Territory"),
            _("Contact e-mail"),
            _("Contact phone"),
            _("Page"),
            _("Updated on"),
        ],
        (
            (
                o.uuid,
                o.structure.name,
                o.title,
                o.summary,
                _labels(o.stages.all()),
                o.format,
                o.duration,
                o.get_selection_mode_display(),
                o.capacity or "",
                _labels(o.audiences.all()),
                _("yes") if o.is_free else _("no"),
                o.cost_details,
                _labels(o.access_modes.all()),
                _labels(o.reception_modes.all()),
                _labels(o.territories.all() or o.structure.territories.all()),
                o.contact_email,
                o.contact_phone,
                base_url + reverse("directory:offer", args=[o.structure.slug, o.slug]),
                _date(o.updated_at),
            )
            for o in offers
        ),
    )
