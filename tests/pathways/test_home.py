"""The advisor's home: caseload, referrals both ways, sessions, quiet persons, notifications."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from maillage.pathways.models import (
    Accompaniment,
    ConsentMethod,
    ConsentScope,
    Notification,
    NotificationKind,
    Person,
    ReferralStatus,
)
from maillage.pathways.persons import services as person_services
from maillage.pathways.referrals import services as referral_services
from tests.factories import NetworkRoleFactory, OfferSessionFactory
from tests.pathways.person_history import add_caseload, count_queries

pytestmark = pytest.mark.django_db

HOME = "/suivi/"


def test_the_home_is_at_suivi_and_in_the_navigation(net, login):
    assert reverse("pathways:home") == HOME
    response = login(net.intermade_advisor).get(reverse("accounts:account"))
    assert f'href="{HOME}"' in response.text
    assert "Suivi des parcours" in response.text


@pytest.mark.parametrize("funder", [False, True], ids=["coordinator", "funder"])
def test_coordinators_and_funders_are_refused(net, login, funder):
    user = NetworkRoleFactory(network=net.network, funder=funder).user
    client = login(user)
    assert client.get(HOME).status_code == 403
    assert f'href="{HOME}"' not in client.get(reverse("accounts:account")).text


def test_anonymous_visitors_are_sent_to_the_login(client):
    response = client.get(HOME)
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def _person(net, first_name, **extra):
    return person_services.create_person(
        structure=net.intermade,
        user=net.intermade_advisor,
        first_name=first_name,
        last_name="Durand",
        **extra,
    )


@pytest.mark.sqlite
def test_the_home_shows_each_block_with_its_counts(net, login):
    mine = _person(net, "Camille")
    other = _person(net, "Sacha")
    other.accompaniments.update(referent=None)  # followed by a colleague's structure, no referent
    # A person referred by APEAS, with consent, waiting for our answer.
    theirs = person_services.create_person(
        structure=net.apeas, user=net.apeas_advisor, first_name="Noa", last_name="Petit"
    )
    person_services.give_consent(
        person=theirs,
        user=net.apeas_advisor,
        structure=net.apeas,
        scope=ConsentScope.NETWORK_SHARING,
        method=ConsentMethod.WRITTEN,
    )
    referral_services.refer_person(
        person=theirs, from_structure=net.apeas, user=net.apeas_advisor, to_structure=net.intermade
    )
    # A referral we sent, accepted by APEAS: the closed loop.
    person_services.give_consent(
        person=mine,
        user=net.intermade_advisor,
        structure=net.intermade,
        scope=ConsentScope.NETWORK_SHARING,
        method=ConsentMethod.ORAL,
    )
    sent = referral_services.refer_person(
        person=mine,
        from_structure=net.intermade,
        user=net.intermade_advisor,
        to_structure=net.apeas,
    )
    referral_services.accept_referral(referral=sent, user=net.apeas_advisor)
    # A person with no act for 100 days.
    quiet = _person(net, "Lou")
    Person.objects.filter(pk=quiet.pk).update(
        last_activity_on=timezone.localdate() - datetime.timedelta(days=100)
    )
    OfferSessionFactory(
        offer=net.starter, starts_on=timezone.localdate() + datetime.timedelta(days=5)
    )
    OfferSessionFactory(
        offer=net.starter, starts_on=timezone.localdate() + datetime.timedelta(days=45)
    )
    net.starter_session.delete()

    response = login(net.intermade_advisor).get(HOME)
    assert response.status_code == 200
    home = response.context["home"]
    assert {a.person for a in home.my_caseload.rows} == {mine, quiet}
    assert [a.person.first_name for a in home.other_caseload.rows] == ["Sacha"]
    assert [r.person for r in home.incoming.rows] == [theirs]
    assert home.incoming.rows[0].person_visible
    (sent_row,) = home.sent.rows
    assert sent_row.status == ReferralStatus.ACCEPTED
    assert sent_row.answered_at is not None
    assert home.sessions.count == 1
    assert [p.first_name for p in home.inactive.rows] == ["Lou"]
    page = response.text
    assert "1 orientation attend notre réponse" in page
    assert "Noa Petit" in page
    assert "Accepté" in page
    assert "1 session dans les 30 prochains jours" in page
    assert "1 personne sans nouvelles depuis 90 jours" in page


def test_a_person_never_seen_for_90_days_counts_as_inactive(net, login):
    old = _person(net, "Ancien")
    Person.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=120)
    )
    _person(net, "Récent")
    home = login(net.intermade_advisor).get(HOME).context["home"]
    assert [p.first_name for p in home.inactive.rows] == ["Ancien"]


def test_only_my_unread_notifications_newest_ten(net, login):
    for n in range(12):
        Notification.objects.create(
            recipient=net.intermade_advisor,
            kind=NotificationKind.REFERRAL_RECEIVED,
            text=f"Message {n}",
            path="/suivi/",
        )
    Notification.objects.create(
        recipient=net.intermade_advisor,
        kind=NotificationKind.REFERRAL_RECEIVED,
        text="Déjà lu",
        path="/suivi/",
        read_at=timezone.now(),
    )
    Notification.objects.create(
        recipient=net.apeas_advisor,
        kind=NotificationKind.REFERRAL_RECEIVED,
        text="Pour APEAS",
        path="/suivi/",
    )
    response = login(net.intermade_advisor).get(HOME)
    block = response.context["home"].notifications
    assert block.count == 12
    assert len(block.rows) == 10
    assert block.rows[0].text == "Message 11"
    assert "Déjà lu" not in response.text and "Pour APEAS" not in response.text
    assert "12 notifications non lues" in response.text


def test_the_home_runs_the_same_number_of_queries_for_5_and_200_events(
    net, login, django_assert_max_num_queries
):
    client = login(net.intermade_advisor)
    kwargs = {
        "structure": net.intermade,
        "partner": net.apeas,
        "user": net.intermade_advisor,
        "session_offer": net.starter,
    }
    add_caseload(**kwargs, events=5)
    small = count_queries(client, HOME)
    add_caseload(**kwargs, events=195)
    assert count_queries(client, HOME) == small
    with django_assert_max_num_queries(30):
        client.get(HOME)


def test_the_home_starts_with_what_needs_an_answer_today(net, login):
    """Issue 17 point 12: referrals waiting, sessions this week and persons without news come
    before the caseload lists."""
    OfferSessionFactory(
        offer=net.starter, starts_on=timezone.localdate() + datetime.timedelta(days=3)
    )
    OfferSessionFactory(
        offer=net.starter, starts_on=timezone.localdate() + datetime.timedelta(days=20)
    )
    net.starter_session.delete()
    response = login(net.intermade_advisor).get(HOME)
    page = response.text
    assert response.context["home"].sessions_this_week == 1
    today = page.index('id="today-title"')
    assert "1</strong> session dans les 7 prochains jours" in page
    assert today < page.index('id="incoming-title"') < page.index('id="caseload-title"')
    assert page.index('id="inactive-title"') < page.index('id="caseload-title"')


def test_the_quiet_persons_block_starts_from_the_structures_caseload(net, login):
    """Issue 18: the "no act for 90 days" block reads the persons of the structures' open
    accompaniments by their ids, not the whole persons table through a subquery; persons
    followed elsewhere change neither its result nor its number of queries."""
    old = timezone.localdate() - datetime.timedelta(days=200)

    def quiet_persons(structure, count, prefix):
        persons = Person.objects.bulk_create(
            Person(first_name=f"{prefix}{n}", last_name="Calme", last_activity_on=old)
            for n in range(count)
        )
        Accompaniment.objects.bulk_create(
            Accompaniment(person=person, structure=structure, started_on=old) for person in persons
        )

    client = login(net.intermade_advisor)
    quiet_persons(net.intermade, 10, "Ici")
    quiet_persons(net.apeas, 10, "Ailleurs")
    small = count_queries(client, HOME)
    quiet_persons(net.intermade, 50, "Ici")
    quiet_persons(net.apeas, 200, "Ailleurs")
    with CaptureQueriesContext(connection) as context:
        response = client.get(HOME)
    assert len(context.captured_queries) == small
    assert response.context["home"].inactive.count == 60
    inactive_sql = [
        query["sql"]
        for query in context.captured_queries
        if 'FROM "pathways_person" WHERE' in query["sql"] and "last_activity_on" in query["sql"]
    ]
    assert len(inactive_sql) == 2  # the ids of the rows shown with the count, then those rows
    assert "COUNT(" in inactive_sql[0] and "OVER ()" in inactive_sql[0]
    for sql in inactive_sql:
        assert 'FROM "pathways_accompaniment"' not in sql
    # Ordered first by an expression no index of the persons table serves: the plan starts
    # from the caseload's ids, not from the last-activity index of every person (issue 18).
    assert "ORDER BY CASE WHEN" in inactive_sql[0]
