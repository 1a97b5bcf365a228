"""The median time a structure takes to answer referrals, on its public page."""

import datetime
import html

import pytest
from django.urls import reverse
from django.utils import timezone

from maillage.pathways.stats import structure_response_time
from tests.factories import NetworkFactory, ReferralFactory, StructureFactory

pytestmark = [pytest.mark.sqlite, pytest.mark.django_db]


def answered(structure, *, delay: datetime.timedelta, sent_days_ago: int = 10, **extra):
    sent = timezone.now() - datetime.timedelta(days=sent_days_ago)
    return ReferralFactory(
        to_structure=structure, sent_at=sent, answered_at=sent + delay, status="accepted", **extra
    )


@pytest.fixture
def structure():
    return StructureFactory(name="APEAS", networks=[NetworkFactory()])


def test_the_median_of_answered_referrals_of_the_last_twelve_months(structure):
    for days in (1, 2, 3, 4, 30):
        answered(structure, delay=datetime.timedelta(days=days))
    # Not counted: unanswered, too old, received by another structure.
    ReferralFactory(to_structure=structure)
    answered(structure, delay=datetime.timedelta(days=90), sent_days_ago=400)
    answered(StructureFactory(), delay=datetime.timedelta(days=90))

    result = structure_response_time(structure)
    assert result.median == datetime.timedelta(days=3)
    assert result.answered == 5 and result.days == 3


def test_small_counts_are_not_published(structure, client):
    for _ in range(4):
        answered(structure, delay=datetime.timedelta(days=2))
    assert structure_response_time(structure) is None
    page = client.get(reverse("directory:structure", args=[structure.slug]))
    assert "Délai médian" not in html.unescape(page.content.decode())


def test_the_public_page_shows_it_with_a_bounded_query_count(
    structure, client, django_assert_max_num_queries
):
    for hours in (2, 5, 20, 40, 50, 60):
        answered(structure, delay=datetime.timedelta(hours=hours))
    with django_assert_max_num_queries(12):
        page = client.get(reverse("directory:structure", args=[structure.slug]))
    text = " ".join(html.unescape(page.content.decode()).split())
    assert "Délai médian de réponse aux orientations" in text
    # 20 and 40 hours in the middle: 30 hours, 1.25 days, 1.3 as the report rounds it.
    assert "1,3 jours" in text
    assert "sur les 12 derniers mois, 6 orientations traitées" in text


def test_an_answer_within_the_day_is_shown_in_hours(structure, client):
    # A median of 30 minutes: 0.0 day to one decimal, so shown in hours (half up: 1 hour).
    for minutes in (10, 20, 30, 40, 50):
        answered(structure, delay=datetime.timedelta(minutes=minutes))
    text = " ".join(
        html.unescape(
            client.get(reverse("directory:structure", args=[structure.slug])).content.decode()
        ).split()
    )
    assert "1 heure" in text
