"""On PostgreSQL, two answers to the same referral sent at the same moment from the same version:
exactly one is saved, the other is told the record changed (issue 13, point 6)."""

import threading

import pytest
from django.db import connection

from maillage.pathways.common import StaleRecordError
from maillage.pathways.models import DeclineReason, Referral, ReferralStatus
from maillage.pathways.referrals import services
from tests.factories import NetworkFactory, PersonFactory, StructureFactory
from tests.factories import StructureMembershipFactory as Member


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_answers_cannot_both_succeed():
    if connection.vendor != "postgresql":
        pytest.skip("row locks are PostgreSQL's; SQLite writes one at a time anyway")
    network = NetworkFactory()
    sender, receiver = StructureFactory(networks=[network]), StructureFactory(networks=[network])
    advisor = Member(structure=sender).user
    first, second = Member(structure=receiver).user, Member(structure=receiver).user
    person = PersonFactory(accompanied_by=[sender])
    referral = services.refer_person(
        person=person, from_structure=sender, user=advisor, to_structure=receiver
    )
    reason = DeclineReason.objects.get(code="session_full")
    barrier = threading.Barrier(2, timeout=10)
    outcomes = []

    def answer(call, **kwargs):
        try:
            loaded = Referral.objects.get(pk=referral.pk)
            barrier.wait()
            call(referral=loaded, expected_version=loaded.version, **kwargs)
            outcomes.append("saved")
        except StaleRecordError:
            outcomes.append("stale")
        finally:
            connection.close()

    threads = [
        threading.Thread(target=answer, args=(services.accept_referral,), kwargs={"user": first}),
        threading.Thread(
            target=answer,
            args=(services.decline_referral,),
            kwargs={"user": second, "reason": reason},
        ),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)
    assert sorted(outcomes) == ["saved", "stale"]
    referral.refresh_from_db()
    assert referral.status in (ReferralStatus.ACCEPTED, ReferralStatus.DECLINED)
    assert referral.version == 2
    assert referral.transitions.count() == 2  # sent, then one answer
