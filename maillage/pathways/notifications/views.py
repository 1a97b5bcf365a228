"""My notifications: the list (mark read) and the daily-digest preference."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from maillage.accounts.rules import can

from ..models import Notification, NotificationPreference
from . import services
from .forms import NotificationPreferenceForm

PAGE_SIZE = 50


@require_http_methods(["GET", "HEAD", "POST"])
def notifications(request):
    if not can(request.user, "access_pathways"):
        raise PermissionDenied
    user = request.user
    preference = NotificationPreference.objects.filter(user=user).first()
    form = NotificationPreferenceForm(
        instance=preference or NotificationPreference(user=user, daily_digest=False)
    )
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "preferences":
            form = NotificationPreferenceForm(request.POST, instance=form.instance)
            if form.is_valid():
                services.set_notification_preference(
                    user=user, daily_digest=form.cleaned_data["daily_digest"]
                )
                messages.success(request, _("Your preference is saved."))
                return redirect("pathways:notifications")
        elif action == "read":
            ids = [value for value in request.POST.getlist("notification") if value.isdigit()]
            services.mark_notifications_read(user=user, ids=ids)
            return redirect("pathways:notifications")
        elif action == "read_all":
            services.mark_notifications_read(user=user)
            messages.success(request, _("All your notifications are marked as read."))
            return redirect("pathways:notifications")
    page = Paginator(
        Notification.objects.filter(recipient=user).order_by("-created_at", "-pk"), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "unread_count": Notification.objects.filter(recipient=user, read_at__isnull=True).count(),
        "form": form,
    }
    return render(request, "pathways/notifications/list.html", context)
