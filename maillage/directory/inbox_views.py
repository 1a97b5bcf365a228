"""The advisors' inbox of contact requests: list, detail, "mark handled", CSV export.

Requests are fetched through `contact_requests_visible_to(user)`, so a request of another
structure is a 404, never a leak; a user who is staff of no structure gets a 403.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from maillage.core.exports import csv_response
from maillage.core.french import fill

from . import inbox_selectors, orientation, services
from .contact_forms import InboxFilterForm
from .models import ContactRequestStatus

PAGE_SIZE = 50


def _structures(request) -> list:
    structures = list(inbox_selectors.structures_whose_requests_user_sees(request.user))
    if not structures:
        raise PermissionDenied
    return structures


@require_safe
def inbox(request):
    structures = _structures(request)
    form = InboxFilterForm(request.GET or None)
    status = form.selected_status()
    requests = inbox_selectors.contact_requests_visible_to(request.user, status=status)
    page = Paginator(requests, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "form": form,
        "status": status,
        "page": page,
        "structures": structures,
        "status_param": status or InboxFilterForm.ALL,
    }
    return render(request, "directory/inbox/list.html", context)


@require_safe
def inbox_csv(request):
    _structures(request)
    form = InboxFilterForm(request.GET or None)
    requests = inbox_selectors.contact_requests_visible_to(
        request.user, status=form.selected_status()
    )
    header = [
        _("Received"),
        _("Structure"),
        _("Offer"),
        _("Suggested stage"),
        _("First name"),
        _("Last name"),
        _("E-mail address"),
        _("Phone"),
        _("Postal code"),
        _("Message"),
        _("Status"),
        _("Handled on"),
        _("Handled by"),
    ]
    zone = timezone.get_current_timezone()
    rows = (
        [
            timezone.localtime(r.created_at, zone).strftime("%Y-%m-%d %H:%M"),
            r.structure.name,
            r.offer.title if r.offer else "",
            r.stage.name if r.stage else "",
            r.first_name,
            r.last_name,
            r.email,
            r.phone,
            r.postal_code,
            r.message,
            r.get_status_display(),
            timezone.localtime(r.handled_at, zone).strftime("%Y-%m-%d %H:%M")
            if r.handled_at
            else "",
            str(r.handled_by) if r.handled_by else "",
        ]
        for r in requests.iterator(chunk_size=500)
    )
    return csv_response("demandes-de-contact.csv", header, rows)


@require_safe
def inbox_detail(request, pk):
    contact_request = get_object_or_404(
        inbox_selectors.contact_requests_visible_to(request.user), pk=pk
    )
    context = {
        "contact_request": contact_request,
        "answers": orientation.readable_answers(contact_request.answers or {}),
        "is_new": contact_request.status == ContactRequestStatus.NEW,
    }
    return render(request, "directory/inbox/detail.html", context)


@require_POST
def inbox_mark_handled(request, pk):
    contact_request = get_object_or_404(
        inbox_selectors.contact_requests_visible_to(request.user), pk=pk
    )
    services.mark_contact_request_handled(contact_request=contact_request, by=request.user)
    messages.success(
        request,
        fill(_("The request of %(person)s is marked as handled."), person=contact_request),
    )
    return redirect("orientation:inbox")
