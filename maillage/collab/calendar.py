"""iCalendar (RFC 5545) of the network's meetings and events, with the `icalendar` library.

Each event carries a stable UID (the record's uuid), its place or video link, and a URL back to
its page on the platform. Feeds are built from the selectors, never from a bare queryset.
"""

import datetime

import icalendar
from django.urls import reverse
from django.utils import timezone

PRODID = "-//Maillage//Vie du reseau//FR"


def new_calendar(name: str, method: str = "") -> icalendar.Calendar:
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", name)
    if method:
        calendar.add("method", method)
    return calendar


def _event(*, uid: str, summary: str, start, end, url: str, location: str = "", description=""):
    event = icalendar.Event()
    event.add("uid", uid)
    event.add("dtstamp", timezone.now())
    event.add("summary", summary)
    event.add("dtstart", start)
    if end is not None:
        event.add("dtend", end)
    if location:
        event.add("location", location)
    event.add("url", url)
    event.add("description", f"{description}\n{url}".strip())
    return event


def meeting_event(meeting, base_url: str) -> icalendar.Event:
    url = base_url + reverse("collab:meeting", kwargs={"uuid": meeting.uuid})
    end = meeting.ends_at or meeting.starts_at + datetime.timedelta(hours=2)
    return _event(
        uid=f"meeting-{meeting.uuid}@maillage",
        summary=f"{meeting.group.name} · {meeting.title}" if meeting.title else meeting.group.name,
        start=meeting.starts_at,
        end=end,
        url=url,
        location=meeting.place or meeting.video_url,
    )


def network_event(event, base_url: str) -> icalendar.Event:
    url = base_url + reverse("collab:event", kwargs={"uuid": event.uuid})
    return _event(
        uid=f"event-{event.uuid}@maillage",
        summary=event.title,
        start=event.starts_at,
        end=event.ends_at or event.starts_at + datetime.timedelta(hours=8),
        url=url,
        location=event.place,
        description=event.description,
    )


def feed(name: str, *, meetings=(), events=(), base_url: str) -> bytes:
    calendar = new_calendar(name)
    for meeting in meetings:
        calendar.add_component(meeting_event(meeting, base_url))
    for event in events:
        calendar.add_component(network_event(event, base_url))
    return calendar.to_ical()


def invitation(meeting, base_url: str) -> bytes:
    calendar = new_calendar(meeting.group.name, method="PUBLISH")
    calendar.add_component(meeting_event(meeting, base_url))
    return calendar.to_ical()
