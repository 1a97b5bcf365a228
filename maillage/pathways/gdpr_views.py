"""GDPR pages of a person: right of access (JSON and PDF), erasure, merge of duplicates.

Every page asks `rules` first; a refused read is logged (PersonAccess, granted=False) and
answered 403. Exports are logged as such by the service.
"""

import json

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from maillage.accounts.rules import roles_of

from . import export_pdf, selectors, services
from .gdpr_forms import EraseForm, MergeForm, MergeSearchForm
from .models import Accompaniment, Person, PersonAccess
from .view_helpers import person_or_403, person_url

MERGE_CANDIDATES = 20


def _filename(person: Person, extension: str) -> str:
    return f"donnees-personne-{person.uuid}.{extension}"


@require_safe
def person_export_json(request, uuid):
    person = person_or_403(request, uuid, "export_person_data", channel=PersonAccess.Channel.EXPORT)
    data = services.export_person_data(person=person, user=request.user)
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{_filename(person, "json")}"'
    return response


@require_safe
def person_export_pdf(request, uuid):
    person = person_or_403(request, uuid, "export_person_data", channel=PersonAccess.Channel.EXPORT)
    data = services.export_person_data(person=person, user=request.user)
    pdf = export_pdf.render_pdf(data, base_url=request.build_absolute_uri("/"))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{_filename(person, "pdf")}"'
    return response


@require_http_methods(["GET", "HEAD", "POST"])
def person_erase(request, uuid):
    """Erasure by anonymisation, for the administrators of a structure that follows the person."""
    person = person_or_403(request, uuid, "erase_person")
    form = EraseForm(request.POST or None, person=person)
    if request.method == "POST" and not person.is_anonymised and form.is_valid():
        try:
            services.anonymise_person(
                person=person, user=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _(
                    "The person's data were erased. Their acts, applications, referrals and "
                    "outcomes stay, without their identity, so that counts do not change."
                ),
            )
            return redirect(person_url(person))
    context = {"person": person, "form": form, "person_url": person_url(person)}
    return render(request, "pathways/gdpr/erase.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
def person_merge(request, uuid):
    """Pick a duplicate record of the person among those the advisor may change, and merge it."""
    keep = person_or_403(request, uuid, "change_person")
    if keep.is_anonymised:
        raise PermissionDenied
    search = MergeSearchForm(request.GET or {"q": keep.last_name})
    query = search.cleaned_data["q"] if search.is_valid() else ""
    # Only records the user may change: those their structures accompany (rule change_person).
    accompanied = Accompaniment.objects.filter(
        person=OuterRef("pk"), structure_id__in=sorted(roles_of(request.user).staff_of)
    )
    candidates = list(
        selectors.search_persons(request.user, query)
        .filter(Exists(accompanied), anonymised_at__isnull=True)
        .exclude(pk=keep.pk)
        .prefetch_related("accompaniments__structure")[:MERGE_CANDIDATES]
    )
    form = MergeForm(request.POST or None, candidates=candidates)
    if request.method == "POST" and form.is_valid():
        duplicate = form.cleaned_data["duplicate"]
        try:
            services.merge_persons(keep=keep, duplicate=duplicate, user=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("The two records are merged: everything is now on this one."),
            )
            return redirect(person_url(keep))
    context = {
        "person": keep,
        "search": search,
        "query": query,
        "candidates": candidates,
        "form": form,
        "person_url": person_url(keep),
    }
    return render(request, "pathways/gdpr/merge.html", context)
