"""Events of the network's calendar (fairs, forums), their roster of representatives and the
shared documents to bring: pages for the network's coordinators."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from maillage.accounts.rules import can
from maillage.core.forms import add_service_errors
from maillage.directory.models import Network, Structure

from . import forms, selectors, services
from .models import EventDocument, Representative


def _managed_event(request, uuid):
    event = get_object_or_404(selectors.event_visible_to(request.user), uuid=uuid)
    if not can(request.user, "collab_manage_network_life", event.network):
        raise PermissionDenied
    return event


@require_http_methods(["GET", "HEAD", "POST"])
def event_create(request, slug):
    network = get_object_or_404(Network, slug=slug)
    if not can(request.user, "collab_manage_network_life", network):
        raise PermissionDenied
    form = forms.EventForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            event = services.plan_event(network=network, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The event is in the network's calendar."))
            return redirect("collab:event", uuid=event.uuid)
    return render(
        request,
        "collab/event_form.html",
        {"form": form, "network": network},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "HEAD", "POST"])
def event_edit(request, uuid):
    event = _managed_event(request, uuid)
    initial = {
        "title": event.title,
        "kind": event.kind,
        "starts_at": event.starts_at,
        "ends_at": event.ends_at,
        "place": event.place,
        "description": event.description,
        "is_public": event.is_public,
    }
    form = forms.EventForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_event(event=event, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The event is updated."))
            return redirect("collab:event", uuid=event.uuid)
    return render(
        request,
        "collab/event_form.html",
        {"form": form, "network": event.network, "event": event},
        status=400 if form.errors else 200,
    )


def _roster_forms(event, data=None, which=None):
    representative = forms.RepresentativeForm(
        data if which == "representative" else None,
        people=services.people_of_network(event.network),
        structures=Structure.objects.filter(networks=event.network_id).order_by("name"),
    )
    document = forms.EventDocumentForm(data if which == "document" else None)
    return representative, document


@require_http_methods(["GET", "HEAD", "POST"])
def event_roster(request, uuid):
    """Add representatives (and the structures each stands for) and documents to bring."""
    event = _managed_event(request, uuid)
    which = request.POST.get("kind") if request.method == "POST" else None
    representative_form, document_form = _roster_forms(event, request.POST, which)
    if which == "representative" and representative_form.is_valid():
        data = representative_form.cleaned_data
        try:
            services.add_representative(
                event=event,
                user=data["user"],
                structures=data["structures"],
                slot=data["slot"],
                by=request.user,
            )
        except ValidationError as error:
            add_service_errors(representative_form, error)
        else:
            messages.success(request, _("%(name)s is on the roster.") % {"name": data["user"]})
            return redirect("collab:event_roster", uuid=event.uuid)
    elif which == "document" and document_form.is_valid():
        try:
            services.add_event_document(event=event, by=request.user, **document_form.cleaned_data)
        except ValidationError as error:
            add_service_errors(document_form, error)
        else:
            messages.success(request, _("The document is on the list to bring."))
            return redirect("collab:event_roster", uuid=event.uuid)
    failed = request.method == "POST"
    return render(
        request,
        "collab/event_roster.html",
        {
            "event": event,
            "roster": event.roster.select_related("user").prefetch_related("structures"),
            "documents": event.documents.all(),
            "representative_form": representative_form,
            "document_form": document_form,
        },
        status=400 if failed else 200,
    )


@require_POST
def representative_remove(request, uuid, pk):
    event = _managed_event(request, uuid)
    representative = get_object_or_404(Representative, event=event, pk=pk)
    services.remove_representative(representative=representative, by=request.user)
    messages.success(
        request, _("%(name)s is no longer on the roster.") % {"name": representative.user}
    )
    return redirect("collab:event_roster", uuid=event.uuid)


@require_POST
def document_remove(request, uuid, pk):
    event = _managed_event(request, uuid)
    document = get_object_or_404(EventDocument, event=event, pk=pk)
    services.remove_event_document(document=document, by=request.user)
    messages.success(request, _("The document is no longer on the list."))
    return redirect("collab:event_roster", uuid=event.uuid)
