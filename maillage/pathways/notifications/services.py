"""Notifications as their recipient handles them: read marks and the daily-digest preference."""

from django.db import transaction
from django.utils import timezone

from ..models import Notification, NotificationPreference


@transaction.atomic
def mark_notifications_read(*, user, ids=None) -> int:
    """Mark the user's unread notifications read (all of them, or those in `ids`)."""
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=list(ids))
    return unread.update(read_at=timezone.now())


@transaction.atomic
def set_notification_preference(*, user, daily_digest: bool) -> NotificationPreference:
    preference, _created = NotificationPreference.objects.update_or_create(
        user=user, defaults={"daily_digest": daily_digest}
    )
    return preference
