"""What the network's life tells its users, as rows of the platform's notifications
(pathways.Notification): each e-mailed at once or in the daily digest, as the recipient's
notification preference says (the same task as every other notification)."""

from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from maillage.pathways.models import Notification, NotificationKind

from .models import GroupMember, MemberRole, MemberStatus


def _name(user) -> str:
    return user.full_name or user.email


def _notify(recipients, kind: str, text_for, path: str) -> list[Notification]:
    """One row per active recipient, in their language; the e-mails leave after the commit."""
    created = []
    for user in {user.pk: user for user in recipients if user.is_active}.values():
        with translation.override(user.language):
            text = str(text_for())
        created.append(Notification(recipient=user, kind=kind, text=text[:300], path=path))
    Notification.objects.bulk_create(created)
    if created:
        from maillage.pathways.tasks import email_notifications

        ids = [notification.pk for notification in created]
        transaction.on_commit(lambda: email_notifications.enqueue(ids))
    return created


def _group_path(group) -> str:
    return reverse("collab:group", kwargs={"uuid": group.uuid})


def join_requested(member: GroupMember) -> list[Notification]:
    """The group's facilitators are told someone waits for their answer."""
    group = member.group
    facilitators = [
        m.user
        for m in GroupMember.objects.filter(
            group=group, role=MemberRole.FACILITATOR, status=MemberStatus.ACTIVE
        ).select_related("user")
    ]
    return _notify(
        facilitators,
        NotificationKind.GROUP_JOIN_REQUEST,
        lambda: (
            _("%(name)s asks to join the group %(group)s.")
            % {"name": _name(member.user), "group": group.name}
        ),
        _group_path(group),
    )


def join_approved(member: GroupMember) -> list[Notification]:
    return _notify(
        [member.user],
        NotificationKind.GROUP_JOINED,
        lambda: _("You are now a member of the group %(group)s.") % {"group": member.group.name},
        _group_path(member.group),
    )


def action_assigned(action, by) -> list[Notification]:
    """The owner of a new action is told, unless they recorded it themselves."""
    if action.owner_id == by.pk:
        return []
    return _notify(
        [action.owner],
        NotificationKind.ACTION_ASSIGNED,
        lambda: (
            _("New action for you in %(group)s, due on %(due)s: %(action)s")
            % {
                "group": action.group.name,
                "due": date_format(action.due_on, "SHORT_DATE_FORMAT"),
                "action": action.title,
            }
        ),
        reverse("collab:my_actions"),
    )


def minutes_published(minutes, by) -> list[Notification]:
    """The group's members are told the minutes they took part in are published."""
    meeting = minutes.meeting
    members = [
        m.user
        for m in GroupMember.objects.filter(
            group=meeting.group, status=MemberStatus.ACTIVE
        ).select_related("user")
        if m.user_id != by.pk
    ]
    return _notify(
        members,
        NotificationKind.MINUTES_PUBLISHED,
        lambda: (
            _("The minutes of the meeting of %(group)s on %(when)s are published.")
            % {
                "group": meeting.group.name,
                "when": date_format(timezone.localtime(meeting.starts_at), "SHORT_DATE_FORMAT"),
            }
        ),
        reverse("collab:meeting", kwargs={"uuid": meeting.uuid}),
    )
