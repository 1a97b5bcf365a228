"""GDPR pages of a person: right of access (JSON and PDF), erasure, merge of duplicates.

Every page asks `rules` first; a refused read is logged (PersonAccess, granted=False) and
answered 403. The right-of-access export is made for the person: the advisor first says who
asked for it (the person, or their legal representative); the service logs the export with who
asked and who produced it.
"""

import json

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from maillage.accounts.rules import roles_of
from maillage.core.forms import add_service_errors

from .. import export_pdf
from ..models import Accompaniment, Person, PersonAccess
from ..persons import selectors
from ..view_helpers import person_or_403, person_url
from . import merge, services
from .forms import AccessRequestForm, EraseForm, MergeForm, MergeSearchForm

MERGE_CANDIDATES = 20


def _filename(person: Person, extension: str) -> str:
    return f"donnees-personne-{person.uuid}.{extension}"


def _export(request, uuid, extension: str):
    """GET: the request form (who asked for the data). POST: the file, made for the person."""
    person = person_or_403(request, uuid, "export_person_data", channel=PersonAccess.Channel.EXPORT)
    form = AccessRequestForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            data = services.export_person_data(
                person=person,
                user=request.user,
                requested_by=form.cleaned_data["requested_by"],
                requester_name=form.cleaned_data["requester_name"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if extension == "pdf":
                content = export_pdf.render_pdf(data, base_url=request.build_absolute_uri("/"))
                response = HttpResponse(content, content_type="application/pdf")
            else:
                response = HttpResponse(
                    json.dumps(data, ensure_ascii=False, indent=2),
                    content_type="application/json; charset=utf-8",
                )
            response["Content-Disposition"] = (
                f'attachment; filename="{_filename(person, extension)}"'
            )
            return response
    context = {
        "person": person,
        "form": form,
        "format": extension.upper(),
        "person_url": person_url(person),
    }
    return render(request, "pathways/gdpr/export_request.html", context)


@require_http_methods(["GET", "HEAD", "POST"])
def person_export_json(request, uuid):
    return _export(request, uuid, "json")


@require_http_methods(["GET", "HEAD", "POST"])
def person_export_pdf(request, uuid):
    return _export(request, uuid, "pdf")


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
            add_service_errors(form, error)
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
        selectors.search_persons(request.user, query, listed=False)
        .filter(Exists(accompanied), anonymised_at__isnull=True)
        .exclude(pk=keep.pk)
        .prefetch_related("accompaniments__structure")[:MERGE_CANDIDATES]
    )
    form = MergeForm(request.POST or None, candidates=candidates)
    if request.method == "POST" and form.is_valid():
        duplicate = form.cleaned_data["duplicate"]
        try:
            merge.merge_persons(keep=keep, duplicate=duplicate, user=request.user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("The two records are merged: everything is now on this one."),
            )
            return redirect(person_url(keep))
    context = {
        "person": keep,
        "merges": list(merge.undoable_merges(request.user, keep)),
        "search": search,
        "query": query,
        "candidates": candidates,
        "form": form,
        "person_url": person_url(keep),
    }
    return render(request, "pathways/gdpr/merge.html", context)


@require_http_methods(["POST"])
def person_merge_undo(request, uuid, pk):
    """Separate two records merged by mistake (only the structure that asked for the merge)."""
    keep = person_or_403(request, uuid, "change_person")
    undone = get_object_or_404(merge.undoable_merges(request.user, keep), pk=pk)
    try:
        duplicate = merge.undo_merge(merge=undone, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("pathways:person_merge", uuid=keep.uuid)
    messages.success(
        request,
        _("The two records are separate again, each with what it held before the merge."),
    )
    return redirect(person_url(duplicate))
