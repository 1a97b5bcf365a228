"""Background tasks (django-tasks): e-mails leave the request, and their failures stay out of it."""

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from .models import Notification


def _absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def _subject(text: str) -> str:
    """An e-mail subject on one line: a name typed with a line break (public form, import)
    would otherwise make the e-mail refused (BadHeaderError) and the notification lost."""
    return " ".join(str(text).split())


def _notifications_url() -> str:
    """The page where the user reads their notifications and chooses the daily digest."""
    return _absolute(reverse("pathways:notifications"))


@task()
def email_notifications(notification_ids: list[int]) -> int:
    """E-mail the notifications whose recipients want them one by one; returns how many."""
    sent = 0
    pending = Notification.objects.filter(
        pk__in=notification_ids, emailed_at__isnull=True
    ).select_related("recipient", "recipient__notification_preference")
    for notification in pending:
        user = notification.recipient
        preference = getattr(user, "notification_preference", None)
        if preference is not None and preference.daily_digest:
            continue
        with translation.override(user.language):
            body = render_to_string(
                "pathways/email/notification.txt",
                {
                    "notification": notification,
                    "url": _absolute(notification.path),
                    "notifications_url": _notifications_url(),
                },
            )
            send_mail(_subject(f"[Maillage] {notification.text}"), body, None, [user.email])
        with transaction.atomic():
            Notification.objects.filter(pk=notification.pk).update(emailed_at=timezone.now())
        sent += 1
    return sent


@task()
def email_daily_digests() -> int:
    """One e-mail per digest reader with every notification not e-mailed yet."""
    sent = 0
    pending = (
        Notification.objects.filter(
            emailed_at__isnull=True, recipient__notification_preference__daily_digest=True
        )
        .select_related("recipient")
        .order_by("recipient_id", "created_at")
    )
    by_user: dict = {}
    for notification in pending:
        by_user.setdefault(notification.recipient, []).append(notification)
    for user, notifications in by_user.items():
        with translation.override(user.language):
            body = render_to_string(
                "pathways/email/digest.txt",
                {
                    "notifications": [(n, _absolute(n.path)) for n in notifications],
                    "notifications_url": _notifications_url(),
                },
            )
            send_mail(
                _subject(
                    _("[Maillage] Your daily digest: %(count)s notifications")
                    % {"count": len(notifications)}
                ),
                body,
                None,
                [user.email],
            )
        Notification.objects.filter(pk__in=[n.pk for n in notifications]).update(
            emailed_at=timezone.now()
        )
        sent += 1
    return sent
