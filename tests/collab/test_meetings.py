"""Working groups and meetings: joining, agenda, minutes, decisions, owned actions carried
forward, the minutes' workflow and who reads them (issue 22, points 1 and 2)."""

import datetime
import html
import io

import icalendar
import pytest
from django.contrib.auth.models import AnonymousUser
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from maillage.accounts.rules import forget_collab_groups
from maillage.collab import selectors, services
from maillage.collab.models import (
    Action,
    AgendaItem,
    AttendanceStatus,
    Audience,
    GroupMember,
    JoinPolicy,
    Meeting,
    MemberStatus,
    MinutesStatus,
)
from tests.collab.conftest import in_days


def _fresh(*users):
    for user in users:
        forget_collab_groups(user)


def test_open_group_takes_members_at_once_other_groups_wait_for_a_facilitator(world):
    member = GroupMember.objects.get(group=world.group, user=world.member)
    assert (member.status, member.structure) == (MemberStatus.ACTIVE, world.second)
    closed = services.create_group(
        network=world.network,
        name="Comité budget",
        facilitator=world.facilitator,
        join_policy=JoinPolicy.BY_REQUEST,
    )
    request = services.request_to_join(group=closed, user=world.outsider)
    assert request.status == MemberStatus.PENDING
    with pytest.raises(ValidationError):
        services.request_to_join(group=closed, user=world.stranger)  # another network
    services.approve_join_request(member=request, by=world.facilitator)
    request.refresh_from_db()
    assert request.status == MemberStatus.ACTIVE


def test_members_propose_agenda_items_before_the_meeting_only(world, meeting):
    item = services.propose_agenda_item(meeting=meeting, title="Salon de l'emploi", by=world.member)
    assert item.proposed_by == world.member
    past = Meeting.objects.create(group=world.group, starts_at=in_days(-1), place="Ici")
    with pytest.raises(ValidationError) as error:
        services.propose_agenda_item(meeting=past, title="Trop tard", by=world.member)
    assert "avant la réunion" in error.value.messages[0]
    assert not past.items.exists()


def test_an_action_without_an_owner_is_refused_and_nothing_is_saved(world, meeting):
    item = services.propose_agenda_item(meeting=meeting, title="Salon", by=world.member)
    with pytest.raises(ValidationError) as error:
        services.record_action(
            item=item,
            title="Réserver le stand",
            owner=None,
            due_on=in_days(20).date(),
            by=world.facilitator,
        )
    assert error.value.message_dict["owner"] == ["Une action a besoin d'un·e responsable."]
    with pytest.raises(ValidationError):  # the owner must be a member of the group
        services.record_action(
            item=item,
            title="Réserver le stand",
            owner=world.stranger,
            due_on=in_days(20).date(),
            by=world.facilitator,
        )
    assert not Action.objects.exists()


def test_the_action_form_refuses_no_owner_in_french(world, meeting, login):
    item = services.propose_agenda_item(meeting=meeting, title="Salon", by=world.member)
    client = login(world.facilitator)
    response = client.post(
        reverse("collab:item_minutes", args=[meeting.uuid, item.pk]),
        {"kind": "action", f"a{item.pk}-title": "Stand", f"a{item.pk}-due_on": "2030-01-01"},
    )
    assert response.status_code == 400
    assert "Une action a besoin d'un·e responsable." in html.unescape(response.content.decode())
    assert not Action.objects.exists()


def _decide(world, meeting):
    item = services.propose_agenda_item(meeting=meeting, title="Salon", by=world.member)
    services.record_decision(
        item=item, text="Le réseau tient un stand commun", method="consensus", by=world.facilitator
    )
    first = services.record_action(
        item=item,
        title="Réserver le stand",
        owner=world.member,
        due_on=in_days(20).date(),
        by=world.facilitator,
    )
    second = services.record_action(
        item=item,
        title="Imprimer la brochure",
        owner=world.facilitator,
        due_on=in_days(15).date(),
        by=world.facilitator,
    )
    return item, first, second


def test_open_actions_carry_forward_onto_the_next_meeting(world, meeting):
    _item, first, second = _decide(world, meeting)
    services.set_action_status(action=second, status="done", by=world.facilitator)
    following = services.plan_meeting(
        group=world.group,
        starts_at=in_days(30),
        video_url="https://visio.exemple.test/r",
        by=world.facilitator,
    )
    carried = list(following.items.values_list("carried_action", flat=True))
    assert carried == [first.pk]
    # An action recorded after the next meeting is planned joins its agenda at once, once.
    third = services.record_action(
        item=_item,
        title="Prévenir la mairie",
        owner=world.member,
        due_on=in_days(25).date(),
        by=world.facilitator,
    )
    assert sorted(following.items.values_list("carried_action", flat=True)) == sorted(
        [first.pk, third.pk]
    )
    assert AgendaItem.objects.filter(carried_action=first).count() == 1
    assert selectors.next_meeting_of(meeting) == following


def test_my_actions_lists_the_owners_actions_across_groups(world, meeting, login):
    _decide(world, meeting)
    other = services.create_group(
        network=world.network,
        name="Autre",
        facilitator=world.facilitator,
        join_policy=JoinPolicy.OPEN,
    )
    services.request_to_join(group=other, user=world.member)
    other_meeting = services.plan_meeting(
        group=other, starts_at=in_days(3), place="Ici", by=world.facilitator
    )
    item = services.propose_agenda_item(meeting=other_meeting, title="Point", by=world.member)
    services.record_action(
        item=item,
        title="Écrire la fiche de poste",
        owner=world.member,
        due_on=in_days(9).date(),
        by=world.facilitator,
    )
    page = login(world.member).get(reverse("collab:my_actions")).content.decode()
    assert "Réserver le stand" in page and "Écrire la fiche de poste" in page
    assert "Imprimer la brochure" not in page


def test_minutes_go_draft_amended_published_with_their_log(world, meeting):
    minutes = meeting.minutes
    assert minutes.status == MinutesStatus.DRAFT
    with pytest.raises(ValidationError):  # not an attendee
        services.amend_minutes(minutes=minutes, summary="Autre", by=world.member)
    services.record_attendance(
        meeting=meeting, user=world.member, status=AttendanceStatus.PRESENT, by=world.facilitator
    )
    attendance = meeting.attendances.get()
    assert attendance.structure == world.second
    _fresh(world.member)
    services.amend_minutes(minutes=minutes, summary="Relu et complété", by=world.member)
    services.move_minutes(
        minutes=minutes,
        to_status=MinutesStatus.PUBLISHED,
        audience=Audience.NETWORK,
        by=world.facilitator,
    )
    minutes.refresh_from_db()
    assert (minutes.status, minutes.audience) == (MinutesStatus.PUBLISHED, Audience.NETWORK)
    assert list(minutes.transitions.values_list("from_status", "to_status")) == [
        ("", "draft"),
        ("draft", "amended"),
        ("amended", "published"),
    ]


def test_only_group_members_read_internal_minutes_and_exports_leave_internal_items_out(
    world, meeting, client, login
):
    services.propose_agenda_item(meeting=meeting, title="Point public", by=world.member)
    services.propose_agenda_item(
        meeting=meeting, title="Conflit entre structures", internal=True, by=world.member
    )
    minutes = meeting.minutes
    for user in (world.outsider, world.stranger, AnonymousUser()):
        assert not selectors.minutes_visible_to(user).filter(pk=minutes.pk).exists()
    assert selectors.minutes_visible_to(world.member).filter(pk=minutes.pk).exists()
    response = login(world.outsider).get(reverse("collab:meeting", args=[meeting.uuid]))
    assert response.status_code == 404  # a group of the network, but not its draft minutes
    services.move_minutes(
        minutes=minutes,
        to_status=MinutesStatus.PUBLISHED,
        audience=Audience.PUBLIC,
        by=world.facilitator,
    )
    client.logout()
    page = client.get(reverse("collab:meeting", args=[meeting.uuid])).content.decode()
    assert "Point public" in page and "Conflit entre structures" not in page
    export = client.get(reverse("collab:minutes_export", args=[meeting.uuid]))
    assert "Point public" in export.content.decode()
    assert "Conflit" not in export.content.decode()
    # Even the facilitator's export leaves internal items out.
    export = login(world.facilitator).get(reverse("collab:minutes_export", args=[meeting.uuid]))
    assert "Conflit" not in export.content.decode()
    member_page = login(world.member).get(reverse("collab:meeting", args=[meeting.uuid]))
    assert "Conflit entre structures" in member_page.content.decode()


def test_invitations_carry_an_ics_and_are_refused_for_a_meeting_in_the_past(world, meeting):
    assert services.send_invitations(meeting=meeting, by=world.facilitator) == 2
    message = mail.outbox[0]
    name, content, mimetype = message.attachments[0]
    assert name == "invitation.ics" and mimetype.startswith("text/calendar")
    event = icalendar.Calendar.from_ical(content).walk("VEVENT")[0]
    assert str(event["url"]).endswith(reverse("collab:meeting", args=[meeting.uuid]))
    mail.outbox.clear()
    past = Meeting.objects.create(group=world.group, starts_at=in_days(-2), place="Ici")
    with pytest.raises(ValidationError) as error:
        services.send_invitations(meeting=past, by=world.facilitator)
    assert "passé" in error.value.messages[0]
    assert mail.outbox == []
    past.refresh_from_db()
    assert past.invitations_sent_at is None


def test_owners_are_reminded_once_before_the_due_date(world, meeting):
    item = services.propose_agenda_item(meeting=meeting, title="Point", by=world.member)
    soon = services.record_action(
        item=item,
        title="Envoyer le devis",
        owner=world.member,
        due_on=timezone.localdate() + datetime.timedelta(days=2),
        by=world.facilitator,
    )
    services.record_action(
        item=item,
        title="Plus tard",
        owner=world.member,
        due_on=timezone.localdate() + datetime.timedelta(days=30),
        by=world.facilitator,
    )
    call_command("remind_actions", "--days", "3", stdout=io.StringIO())
    assert [m.to for m in mail.outbox] == [[world.member.email]]
    assert "Envoyer le devis" in mail.outbox[0].subject
    soon.refresh_from_db()
    assert soon.reminded_at is not None
    call_command("remind_actions", stdout=io.StringIO())
    assert len(mail.outbox) == 1


def test_reminders_follow_the_daily_digest_preference(world, meeting):
    from maillage.pathways.notifications.services import set_notification_preference

    set_notification_preference(user=world.member, daily_digest=True)
    item = services.propose_agenda_item(meeting=meeting, title="Point", by=world.member)
    for title in ("Envoyer le devis", "Appeler la mairie"):
        services.record_action(
            item=item,
            title=title,
            owner=world.member,
            due_on=timezone.localdate() + datetime.timedelta(days=1),
            by=world.facilitator,
        )
    assert services.send_action_reminders(today=timezone.localdate()) == 2
    assert len(mail.outbox) == 1  # one digest
    assert "Envoyer le devis" in mail.outbox[0].body and "Appeler la mairie" in mail.outbox[0].body
