"""Who is told what, when a referral or contact request moves.

Each notification is a row (the advisor's home lists them) and an e-mail sent by a background
task after the transaction commits, at once or in the daily digest (NotificationPreference).
Texts carry no personal data beyond a first name and an initial.
"""

from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from maillage.accounts.models import StructureMembership, StructureRole
from maillage.core.french import fill, with_names

from ..models import Notification, NotificationKind, Referral, ReferralStatus


def _staff_of(structure_id) -> list:
    return [
        membership.user
        for membership in StructureMembership.objects.filter(
            structure_id=structure_id, user__is_active=True
        ).select_related("user")
    ]


def referral_path(referral: Referral) -> str:
    return reverse("pathways:referral_detail", kwargs={"uuid": referral.uuid})


def _who(referral: Referral) -> str:
    """First name and initial, or nothing at all for an anonymous orientation."""
    return referral.person.short_name if referral.shares_person_data else _("a person")


def _notify(recipients, kind: str, text_for, path: str) -> list[Notification]:
    """One row per recipient, in the recipient's language; e-mails go after the commit."""
    created = []
    for user in {user.pk: user for user in recipients}.values():
        with translation.override(user.language):
            text = str(text_for())
        created.append(Notification(recipient=user, kind=kind, text=text[:300], path=path))
    Notification.objects.bulk_create(created)
    if created:
        from ..tasks import email_notifications

        ids = [notification.pk for notification in created]
        transaction.on_commit(lambda: email_notifications.enqueue(ids))
    return created


def referral_sent(referral: Referral) -> list[Notification]:
    return _notify(
        _staff_of(referral.to_structure_id),
        NotificationKind.REFERRAL_RECEIVED,
        lambda: fill(
            _("New referral from %(sender)s: %(who)s"),
            sender=referral.from_structure,
            who=_who(referral),
        ),
        referral_path(referral),
    )


def contact_request_received(referral: Referral) -> list[Notification]:
    return _notify(
        _staff_of(referral.to_structure_id),
        NotificationKind.CONTACT_REQUEST,
        lambda: _("New contact request from the public site: %(who)s") % {"who": _who(referral)},
        referral_path(referral),
    )


def _sender_side(referral: Referral) -> list:
    if referral.from_user is not None and referral.from_user.is_active:
        return [referral.from_user]
    return _staff_of(referral.from_structure_id) if referral.from_structure_id else []


def referral_answered(referral: Referral) -> list[Notification]:
    return _notify(
        _sender_side(referral),
        NotificationKind.REFERRAL_ANSWERED,
        lambda: fill(
            _("%(receiver)s answered your referral of %(who)s: %(status)s"),
            receiver=referral.to_structure,
            who=_who(referral),
            status=ReferralStatus(referral.status).label,
        ),
        referral_path(referral),
    )


def referral_expired(referral: Referral) -> list[Notification]:
    return _notify(
        _sender_side(referral),
        NotificationKind.REFERRAL_EXPIRED,
        lambda: fill(
            _("Your referral of %(who)s to %(receiver)s expired without an answer"),
            receiver=referral.to_structure,
            who=_who(referral),
        ),
        referral_path(referral),
    )


def staff_member_added(*, membership, added_by, **kwargs) -> list[Notification]:
    """Tell a structure's administrators that someone joined its team (receiver of
    `accounts.signals.staff_member_added`: team pages and admin site alike). The one who added
    them is not told what they just did."""
    structure = membership.structure
    recipients = [
        admin.user
        for admin in StructureMembership.objects.filter(
            structure=structure, role=StructureRole.STRUCTURE_ADMIN, user__is_active=True
        ).select_related("user")
        if added_by is None or admin.user_id != added_by.pk
    ]

    def text():
        values = {
            "member": membership.user,
            "structure": structure.name,
            "role": StructureRole(membership.role).label,
            "by": added_by if added_by is not None else _("a script"),
        }
        if added_by is not None and added_by.is_superuser:
            sentence = (
                _(
                    "%(by)s (platform administrator) added %(member)s to the team of "
                    "%(structure)s as %(role)s. If you did not ask for it, remove them from "
                    "the team."
                )
                % values
            )
            return with_names(sentence, values["structure"])
        added = _("%(by)s added %(member)s to the team of %(structure)s as %(role)s.")
        return fill(added, **values)

    return _notify(
        recipients,
        NotificationKind.TEAM_MEMBER_ADDED,
        text,
        reverse("accounts:structure_team", kwargs={"slug": structure.slug}),
    )


def referral_reminder(referral: Referral) -> list[Notification]:
    return _notify(
        _staff_of(referral.to_structure_id),
        NotificationKind.REFERRAL_REMINDER,
        lambda: fill(_("A referral of %(who)s is waiting for your answer"), who=_who(referral)),
        referral_path(referral),
    )
