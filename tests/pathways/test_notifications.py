"""Notifications: who is e-mailed when a referral moves, the daily command, the digest, the page."""

import datetime
import html
import io

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from maillage.pathways.models import (
    ConsentMethod,
    ConsentScope,
    Notification,
    NotificationPreference,
    Referral,
    ReferralStatus,
)
from maillage.pathways.notifications import services as notification_services
from maillage.pathways.persons import services as person_services
from maillage.pathways.referrals import services as referral_services
from tests.factories import StructureMembershipFactory

pytestmark = pytest.mark.django_db

SITE = "https://maillage.example.org"
EMAIL = "camille.durand@exemple.test"
PHONE = "06 98 76 54 32"


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = SITE


def person(net, *, shares=True):
    camille = person_services.create_person(
        structure=net.intermade,
        user=net.intermade_advisor,
        first_name="Camille",
        last_name="Durand",
        email=EMAIL,
        phone=PHONE,
    )
    if shares:
        person_services.give_consent(
            person=camille,
            user=net.intermade_advisor,
            structure=net.intermade,
            scope=ConsentScope.NETWORK_SHARING,
            method=ConsentMethod.WRITTEN,
        )
    return camille


def refer(net, camille, **extra):
    return referral_services.refer_person(
        person=camille,
        from_structure=net.intermade,
        user=net.intermade_advisor,
        to_structure=net.apeas,
        to_offer=net.piles,
        reason="Projet collectif",
        **extra,
    )


def assert_discreet(message, *, first_name_allowed=True):
    """No personal data beyond the first name and initial (or nothing, when anonymous)."""
    for text in (message.subject, message.body):
        for secret in ("Durand", EMAIL, PHONE):
            assert secret not in text
        if not first_name_allowed:
            assert "Camille" not in text


def url_of(referral):
    return SITE + reverse("pathways:referral_detail", kwargs={"uuid": referral.uuid})


def test_a_referral_sent_emails_the_receiving_advisors(net, django_capture_on_commit_callbacks):
    colleague = StructureMembershipFactory(structure=net.apeas).user
    camille = person(net)
    with django_capture_on_commit_callbacks(execute=True):
        referral = refer(net, camille)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [net.apeas_advisor.email, colleague.email]
    )
    for message in mail.outbox:
        assert "Camille D." in message.subject
        assert url_of(referral) in message.body
        assert SITE + reverse("pathways:notifications") in message.body
        assert_discreet(message)


def test_an_answer_emails_the_sender(net, django_capture_on_commit_callbacks):
    camille = person(net)
    referral = refer(net, camille)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        referral_services.accept_referral(referral=referral, user=net.apeas_advisor)
    assert [m.to for m in mail.outbox] == [[net.intermade_advisor.email]]
    message = mail.outbox[0]
    assert "Acceptée" in message.subject and "APEAS" in message.subject
    assert url_of(referral) in message.body
    assert_discreet(message)


def test_the_daily_command_expires_and_reminds(net, django_capture_on_commit_callbacks):
    camille = person(net)
    old = refer(net, camille, sent_at=timezone.now() - datetime.timedelta(days=31))
    other = person_services.create_person(
        structure=net.intermade, user=net.intermade_advisor, first_name="Lou", last_name="Petit"
    )
    waiting = referral_services.refer_person(
        person=other,
        from_structure=net.intermade,
        user=net.intermade_advisor,
        to_structure=net.apeas,
        sent_at=timezone.now() - datetime.timedelta(days=11),
    )
    mail.outbox.clear()
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("pathways_daily", stdout=out)
    assert "1 referral(s) expired, 1 reminder(s) sent" in out.getvalue()
    assert Referral.objects.get(pk=old.pk).status == ReferralStatus.EXPIRED
    expiry = [m for m in mail.outbox if url_of(old) in m.body]
    reminder = [m for m in mail.outbox if url_of(waiting) in m.body]
    assert [m.to for m in expiry] == [[net.intermade_advisor.email]]
    assert [m.to for m in reminder] == [[net.apeas_advisor.email]]
    assert "expiré" in expiry[0].subject
    assert_discreet(expiry[0])
    # Run twice in a day: nothing more.
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("pathways_daily", stdout=io.StringIO())
    assert mail.outbox == []


def test_digest_readers_get_one_digest_and_no_immediate_mail(
    net, django_capture_on_commit_callbacks
):
    notification_services.set_notification_preference(user=net.apeas_advisor, daily_digest=True)
    camille = person(net)
    lou = person(net, shares=False)
    with django_capture_on_commit_callbacks(execute=True):
        first = refer(net, camille)
        second = referral_services.refer_person(
            person=lou,
            from_structure=net.intermade,
            user=net.intermade_advisor,
            to_structure=net.apeas,
        )
    assert mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        call_command("pathways_daily", stdout=io.StringIO())
    assert len(mail.outbox) == 1
    digest = mail.outbox[0]
    assert digest.to == [net.apeas_advisor.email]
    assert "2 notifications" in digest.subject
    assert url_of(first) in digest.body and url_of(second) in digest.body
    assert_discreet(digest)
    assert not Notification.objects.filter(emailed_at__isnull=True).exists()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("pathways_daily", stdout=io.StringIO())
    assert mail.outbox == []


def test_an_anonymous_orientation_carries_no_name(net, django_capture_on_commit_callbacks):
    camille = person(net, shares=False)
    with django_capture_on_commit_callbacks(execute=True):
        referral = refer(net, camille)
    assert referral.is_anonymous
    assert len(mail.outbox) == 1
    assert_discreet(mail.outbox[0], first_name_allowed=False)
    assert "Camille" not in Notification.objects.get(recipient=net.apeas_advisor).text


def test_the_notifications_page(net, login, django_assert_max_num_queries):
    camille = person(net)
    for _ in range(3):
        referral = refer(net, camille)
        referral_services.cancel_referral(referral=referral, user=net.intermade_advisor)
    client = login(net.apeas_advisor)
    url = reverse("pathways:notifications")
    with django_assert_max_num_queries(10):
        page = client.get(url)
    text = html.unescape(page.content.decode())
    assert "Mes notifications" in text and "3 notifications non lues" in text
    assert "Camille D." in text

    one = Notification.objects.filter(recipient=net.apeas_advisor).first()
    client.post(url, {"action": "read", "notification": str(one.pk)})
    assert (
        Notification.objects.filter(recipient=net.apeas_advisor, read_at__isnull=True).count() == 2
    )
    client.post(url, {"action": "read_all"})
    assert not Notification.objects.filter(read_at__isnull=True, recipient=net.apeas_advisor)

    client.post(url, {"action": "preferences", "daily_digest": "on"})
    assert NotificationPreference.objects.get(user=net.apeas_advisor).daily_digest
    client.post(url, {"action": "preferences"})
    assert not NotificationPreference.objects.get(user=net.apeas_advisor).daily_digest


def test_the_notifications_page_is_for_staff_only(net, login):
    from tests.factories import NetworkRoleFactory

    funder = NetworkRoleFactory(network=net.network, funder=True).user
    assert login(funder).get(reverse("pathways:notifications")).status_code == 403
