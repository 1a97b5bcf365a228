"""The meeting page and "my actions" cost the same number of queries for 2 or 8 items."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from maillage.collab import services
from tests.collab.conftest import in_days


def _queries(client, url):
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


def _add_items(world, meeting, count):
    for number in range(count):
        item = services.propose_agenda_item(
            meeting=meeting, title=f"Point {number}", by=world.member
        )
        services.record_decision(item=item, text="D", method="vote", by=world.facilitator)
        services.record_action(
            item=item,
            title=f"Action {number}",
            owner=world.member,
            due_on=in_days(20).date(),
            by=world.facilitator,
        )


def test_the_meeting_page_and_my_actions_do_not_grow_with_the_items(world, meeting, login):
    client = login(world.facilitator)
    url = reverse("collab:meeting", args=[meeting.uuid])
    _add_items(world, meeting, 2)
    small = _queries(client, url)
    small_actions = _queries(login(world.member), reverse("collab:my_actions"))
    _add_items(world, meeting, 6)
    client = login(world.facilitator)
    assert _queries(client, url) == small
    assert _queries(login(world.member), reverse("collab:my_actions")) == small_actions
