"""The network's life tells its users through the platform's notifications, following each
recipient's preference: an e-mail at once, or the daily digest (issue 22, "Notifications")."""

import datetime

from django.core import mail

from maillage.collab import services
from maillage.collab.models import MemberStatus
from maillage.pathways.models import Notification, NotificationPreference
from maillage.pathways.tasks import email_daily_digests


def test_requests_actions_and_published_minutes_notify_as_each_recipient_prefers(
    world, meeting, django_capture_on_commit_callbacks
):
    # The facilitator reads a daily digest; the member wants each notification at once.
    NotificationPreference.objects.create(user=world.facilitator, daily_digest=True)
    world.group.join_policy = "request"
    world.group.save()
    with django_capture_on_commit_callbacks(execute=True):
        request = services.request_to_join(group=world.group, user=world.outsider)
        item = services.propose_agenda_item(meeting=meeting, title="Salon", by=world.member)
        services.record_action(
            item=item,
            title="Réserver le stand",
            owner=world.member,
            due_on=meeting.starts_at.date() + datetime.timedelta(days=7),
            by=world.facilitator,
        )
        services.record_action(  # their own action: nobody to tell
            item=item,
            title="Imprimer la brochure",
            owner=world.facilitator,
            due_on=meeting.starts_at.date() + datetime.timedelta(days=7),
            by=world.facilitator,
        )
    assert request.status == MemberStatus.PENDING
    kinds = dict(Notification.objects.values_list("recipient", "kind"))
    assert kinds == {world.facilitator.pk: "group_join_request", world.member.pk: "action_assigned"}
    # At once for the member, nothing yet for the digest reader.
    assert [m.to for m in mail.outbox] == [[world.member.email]]
    assert "Réserver le stand" in mail.outbox[0].subject
    email_daily_digests.call()
    assert mail.outbox[-1].to == [world.facilitator.email]
    assert "demande à rejoindre le groupe Groupe emploi" in mail.outbox[-1].body

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.approve_join_request(member=request, by=world.facilitator)
        services.move_minutes(
            minutes=meeting.minutes, to_status="published", audience="network", by=world.facilitator
        )
    assert Notification.objects.filter(recipient=world.outsider, kind="group_joined").exists()
    published = Notification.objects.filter(kind="minutes_published")
    assert set(published.values_list("recipient", flat=True)) == {
        world.member.pk,
        world.outsider.pk,
    }
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [world.outsider.email, world.outsider.email, world.member.email]
    )
