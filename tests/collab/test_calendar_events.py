"""iCalendar feeds (per group, per person by a revocable secret URL, public) and the roster of
a public event (issue 22, acceptance points 2 and 4)."""

import html

import icalendar
from django.urls import reverse

from maillage.collab import services
from maillage.collab.models import CalendarToken, EventKind
from tests.collab.conftest import in_days


def _events(response):
    assert response["Content-Type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(response.content)  # raises on an invalid feed
    return {str(event["summary"]): event for event in calendar.walk("VEVENT")}


def test_the_group_feed_parses_and_holds_each_meeting_with_its_link_back(world, meeting, login):
    later = services.plan_meeting(
        group=world.group,
        starts_at=in_days(35),
        title="Bilan",
        place="Siège",
        by=world.facilitator,
    )
    response = login(world.member).get(reverse("collab:group_feed", args=[world.group.uuid]))
    events = _events(response)
    assert len(events) == 2
    urls = {str(event["url"]) for event in events.values()}
    assert urls == {
        f"http://testserver{reverse('collab:meeting', args=[m.uuid])}" for m in (meeting, later)
    }
    bilan = events["Groupe emploi · Bilan"]
    assert bilan.decoded("dtstart") == later.starts_at
    assert str(bilan["location"]) == "Siège"
    assert str(bilan["uid"]) == f"meeting-{later.uuid}@maillage"
    # Each link opens the meeting for a member.
    assert login(world.member).get(reverse("collab:meeting", args=[later.uuid])).status_code == 200


def test_a_private_groups_feed_is_not_found_for_others(world, meeting, client, login):
    assert client.get(reverse("collab:group_feed", args=[world.group.uuid])).status_code == 404
    assert (
        login(world.stranger).get(reverse("collab:group_feed", args=[world.group.uuid])).status_code
        == 404
    )


def test_the_person_feed_answers_without_login_until_revoked(world, meeting, client):
    event = services.plan_event(
        network=world.network,
        title="Salon des entrepreneurs",
        kind=EventKind.FAIR,
        starts_at=in_days(12),
        place="Parc Chanot",
        by=world.coordinator,
    )
    services.add_representative(
        event=event, user=world.member, structures=[world.second], by=world.coordinator
    )
    token = services.renew_calendar_token(user=world.member)
    url = reverse("collab:person_feed", args=[token.key])
    events = _events(client.get(url))
    assert set(events) == {"Groupe emploi", "Salon des entrepreneurs"}
    services.renew_calendar_token(user=world.member)
    assert client.get(url).status_code == 404  # the old address no longer answers
    services.revoke_calendar_token(user=world.member)
    assert not CalendarToken.objects.exists()


def test_the_public_feed_holds_public_events_and_public_groups_only(world, meeting, client):
    services.plan_event(
        network=world.network,
        title="Forum ESS",
        kind=EventKind.FORUM,
        starts_at=in_days(9),
        by=world.coordinator,
    )
    services.plan_event(
        network=world.network,
        title="Séminaire interne",
        kind=EventKind.OTHER,
        starts_at=in_days(9),
        is_public=False,
        by=world.coordinator,
    )
    assert set(_events(client.get(reverse("collab:public_feed")))) == {"Forum ESS"}
    world.group.is_public = True
    world.group.save()
    assert set(_events(client.get(reverse("collab:public_feed")))) == {"Forum ESS", "Groupe emploi"}


def test_a_public_events_roster_shows_who_represents_the_network_and_for_which_structures(
    world, client
):
    event = services.plan_event(
        network=world.network,
        title="Salon des entrepreneurs",
        kind=EventKind.FAIR,
        starts_at=in_days(12),
        place="Parc Chanot",
        by=world.coordinator,
    )
    services.add_representative(
        event=event,
        user=world.facilitator,
        structures=[world.first, world.second],
        slot="Matin",
        by=world.coordinator,
    )
    services.add_representative(
        event=event,
        user=world.member,
        structures=[world.second],
        slot="Après-midi",
        by=world.coordinator,
    )
    page = client.get(reverse("collab:event", args=[event.uuid])).content.decode()
    assert "Qui représente Réseau Test" in page
    page = html.unescape(page)
    assert f"{world.facilitator.full_name}</td><td>Couveuse Sud, Intermade</td>" in page
    assert f"{world.member.full_name}</td><td>Couveuse Sud</td>" in page
    assert reverse("brochure:network_pdf", args=[world.network.slug]) in page


def test_a_representative_stands_only_for_structures_of_the_network(world):
    import pytest
    from django.core.exceptions import ValidationError

    event = services.plan_event(
        network=world.network,
        title="Salon",
        kind=EventKind.FAIR,
        starts_at=in_days(12),
        by=world.coordinator,
    )
    with pytest.raises(ValidationError):
        services.add_representative(
            event=event, user=world.member, structures=[world.elsewhere], by=world.coordinator
        )
    assert not event.roster.exists()
