"""E-mails of the network's life: meeting invitations (with an .ics) and action reminders,
each in its recipient's language."""

from django.conf import settings
from django.core.mail import EmailMessage
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from .calendar import invitation
from .models import GroupMember, MemberStatus


def send_meeting_invitations(*, meeting, base_url: str = "") -> int:
    base_url = base_url or settings.SITE_URL
    ics = invitation(meeting, base_url)
    url = base_url + reverse("collab:meeting", kwargs={"uuid": meeting.uuid})
    members = GroupMember.objects.filter(
        group=meeting.group, status=MemberStatus.ACTIVE, user__is_active=True
    ).select_related("user")
    sent = 0
    for member in members:
        with translation.override(member.user.language or settings.LANGUAGE_CODE):
            when = date_format(meeting.starts_at, "DATETIME_FORMAT", use_l10n=True)
            message = EmailMessage(
                subject=_("Meeting of %(group)s on %(when)s")
                % {"group": meeting.group.name, "when": when},
                body=_(
                    "You are invited to the meeting of %(group)s on %(when)s, %(where)s.\n\n"
                    "Agenda and minutes: %(url)s"
                )
                % {
                    "group": meeting.group.name,
                    "when": when,
                    "where": meeting.place or meeting.video_url,
                    "url": url,
                },
                to=[member.user.email],
            )
            message.attach("invitation.ics", ics, "text/calendar; method=PUBLISH")
            message.send()
            sent += 1
    return sent


def send_action_reminder(*, action, base_url: str = "") -> None:
    base_url = base_url or settings.SITE_URL
    owner = action.owner
    with translation.override(owner.language or settings.LANGUAGE_CODE):
        EmailMessage(
            subject=_("Reminder: “%(action)s” is due on %(due)s")
            % {"action": action.title, "due": date_format(action.due_on, "SHORT_DATE_FORMAT")},
            body=_("Your action for %(group)s is due on %(due)s: %(action)s\n\nMy actions: %(url)s")
            % {
                "group": action.group.name,
                "due": date_format(action.due_on, "SHORT_DATE_FORMAT"),
                "action": action.title,
                "url": base_url + reverse("collab:my_actions"),
            },
            to=[owner.email],
        ).send()


def send_action_digest(*, actions, base_url: str = "") -> None:
    """One e-mail listing an owner's actions due soon (their daily-digest preference)."""
    base_url = base_url or settings.SITE_URL
    owner = actions[0].owner
    with translation.override(owner.language or settings.LANGUAGE_CODE):
        lines = "\n".join(
            f"- {date_format(action.due_on, 'SHORT_DATE_FORMAT')} · {action.group.name} · "
            f"{action.title}"
            for action in actions
        )
        EmailMessage(
            subject=_("Your actions due soon"),
            body=_("These actions of yours are due soon:\n\n%(lines)s\n\nMy actions: %(url)s")
            % {"lines": lines, "url": base_url + reverse("collab:my_actions")},
            to=[owner.email],
        ).send()
