"""Long histories built in bulk, for the query-count tests of the person page and the home."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from maillage.pathways.models import (
    Accompaniment,
    Act,
    ActParticipant,
    Application,
    Notification,
    NotificationKind,
    Outcome,
    OutcomeType,
    Person,
    PersonNote,
    Referral,
)
from tests.factories import act_type


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200, response.status_code
    return len(context.captured_queries)


def add_person_history(person, *, structure, partner, offer, user, events: int) -> None:
    """`events` acts, referrals, notes, outcomes and applications for one person."""
    today = timezone.localdate()
    kind = act_type()
    acts = Act.objects.bulk_create(
        Act(
            act_type=kind,
            structure=structure if n % 2 else partner,
            staff=user,
            occurred_on=today - datetime.timedelta(days=n),
            duration_minutes=45,
        )
        for n in range(events)
    )
    ActParticipant.objects.bulk_create(ActParticipant(act=act, person=person) for act in acts)
    now = timezone.now()
    Referral.objects.bulk_create(
        Referral(
            person=person,
            from_structure=structure,
            to_structure=partner,
            shares_person_data=person.shares_with_network,
            sent_at=now - datetime.timedelta(days=n),
            status_changed_at=now,
        )
        for n in range(events)
    )
    PersonNote.objects.bulk_create(
        PersonNote(person=person, structure=structure, author=user, body=f"Note {n}")
        for n in range(events)
    )
    outcome_type = OutcomeType.objects.get(code="training")
    Outcome.objects.bulk_create(
        Outcome(
            person=person,
            structure=structure,
            outcome_type=outcome_type,
            occurred_on=today - datetime.timedelta(days=n),
        )
        for n in range(events)
    )
    Application.objects.bulk_create(
        Application(
            person=person,
            offer=offer,
            structure=offer.structure,
            submitted_on=today,
            status_changed_at=now,
        )
        for n in range(events)
    )


def add_caseload(*, structure, partner, user, session_offer, events: int) -> None:
    """`events` persons followed by `structure` (half of them by `user`), referrals both ways,
    upcoming sessions and unread notifications."""
    from maillage.directory.models import OfferSession

    today = timezone.localdate()
    old = today - datetime.timedelta(days=200)
    persons = Person.objects.bulk_create(
        Person(
            first_name=f"Prénom{n}",
            last_name=f"Nom{n}",
            name_key=f"nom{n} prenom{n}",
            last_activity_on=old if n % 2 else today,
            shares_with_network=True,
        )
        for n in range(events)
    )
    Accompaniment.objects.bulk_create(
        Accompaniment(
            person=person, structure=structure, started_on=old, referent=user if n % 2 else None
        )
        for n, person in enumerate(persons)
    )
    now = timezone.now()
    Referral.objects.bulk_create(
        Referral(
            person=person,
            from_structure=partner if n % 2 else structure,
            to_structure=structure if n % 2 else partner,
            shares_person_data=True,
            sent_at=now,
            status_changed_at=now,
        )
        for n, person in enumerate(persons)
    )
    OfferSession.objects.bulk_create(
        OfferSession(
            offer=session_offer,
            starts_on=today + datetime.timedelta(days=n % 30),
            ends_on=today + datetime.timedelta(days=n % 30 + 1),
        )
        for n in range(events)
    )
    Notification.objects.bulk_create(
        Notification(
            recipient=user,
            kind=NotificationKind.REFERRAL_RECEIVED,
            text=f"Orientation {n}",
            path="/",
        )
        for n in range(events)
    )
