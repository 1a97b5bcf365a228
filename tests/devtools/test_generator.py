"""The data generator: same seed, same data; and the data keep the services' invariants.

Both writers are checked with the same queries: the services path (tiny scale) and the bulk
path (the regional code path at a tiny size). Every history of a referral or an application
they write is a legal path of its state machine (`maillage.pathways.states`), each change with
its log row.
"""

import itertools
from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, F, OuterRef, Q
from django.utils import timezone

from maillage.devtools.generator import generate
from maillage.devtools.generator_bulk import BulkWriter
from maillage.devtools.models import GenerationProgress
from maillage.pathways.models import (
    Accompaniment,
    Act,
    ActParticipant,
    Application,
    ApplicationStatus,
    ApplicationTransition,
    Consent,
    ConsentScope,
    Notification,
    Outcome,
    Person,
    Project,
    Referral,
    ReferralStatus,
    ReferralTransition,
)
from maillage.pathways.states import APPLICATION_STATES, REFERRAL_STATES

pytestmark = pytest.mark.django_db

TODAY = date(2026, 6, 15)
BULK_TINY = {"persons": 60, "structures": 4, "offers": 10, "chunk": 25}


def wipe() -> None:
    """Back to the network without people: the rows and the record of their generation."""
    for model in (Outcome, Act, Application, Referral, Consent, Person, GenerationProgress):
        model.objects.all().delete()


def summary() -> dict:
    """Pseudonymous and id-free: what a seed must always give."""
    return {
        "counts": {
            model.__name__: model.objects.count()
            for model in (Person, Referral, Application, Act, ActParticipant, Outcome, Consent)
        },
        "persons": sorted(
            Person.objects.values_list("last_name", "first_name", "birth_date", "last_activity_on")
        ),
        "referrals": sorted(
            Referral.objects.values_list(
                "person__last_name",
                "from_structure__slug",
                "to_structure__slug",
                "status",
                "sent_at",
            )
        ),
        "applications": sorted(
            Application.objects.values_list(
                "person__last_name", "offer__slug", "status", "submitted_on"
            )
        ),
        "acts": sorted(
            Act.objects.values_list("structure__slug", "act_type__code", "occurred_on").annotate(
                n=Count("participants")
            )
        ),
    }


def check_invariants(today: date) -> None:
    """What the services guarantee, checked by queries on whatever wrote the data."""
    assert Person.objects.exists()
    # Every generated project says where its journey got to.
    assert Project.objects.exists()
    assert not Project.objects.filter(current_stage__isnull=True).exists()
    # A transition log row for every status change, ending at the current status, and every
    # change a move its state machine allows (from "" : a status a record may start in).
    for model, transitions, key, machine in (
        (Referral, ReferralTransition, "referral", REFERRAL_STATES),
        (Application, ApplicationTransition, "application", APPLICATION_STATES),
    ):
        rows = {}
        for pk, from_status, to_status, at in transitions.objects.order_by(
            key, "at", "pk"
        ).values_list(key, "from_status", "to_status", "at"):
            rows.setdefault(pk, []).append((from_status, to_status, at))
        current = model.objects.values_list("pk", "status", "status_changed_at")
        for pk, status, changed_at in current:
            log = rows[pk]
            assert log[0][0] == "", (model, pk, log)
            assert all(a[1] == b[0] for a, b in itertools.pairwise(log)), log
            assert all(machine.may_go(a, b) for a, b, _at in log), (model, pk, log)
            assert log[-1][1] == status, (model, pk, log)
            assert log[-1][2] == changed_at, (model, pk, log)
    # Every structure that acted accompanies the person.
    acted = (
        ActParticipant.objects.filter(attended=True)
        .annotate(
            followed=Exists(
                Accompaniment.objects.filter(
                    person=OuterRef("person"), structure=OuterRef("act__structure")
                )
            )
        )
        .filter(followed=False)
    )
    assert not acted.exists()
    for model in (Application, Outcome):
        assert not model.objects.exclude(
            Exists(
                Accompaniment.objects.filter(
                    person=OuterRef("person"), structure=OuterRef("structure")
                )
            )
        ).exists()
    assert (
        not Referral.objects.filter(first_meeting_on__isnull=False)
        .exclude(
            Exists(
                Accompaniment.objects.filter(
                    person=OuterRef("person"), structure=OuterRef("to_structure")
                )
            )
        )
        .exists()
    )
    # The last activity is the latest dated thing the person did.
    for person in Person.objects.all():
        days = [
            *ActParticipant.objects.filter(person=person, attended=True).values_list(
                "act__occurred_on", flat=True
            ),
            *Outcome.objects.filter(person=person).values_list("occurred_on", flat=True),
            *Application.objects.filter(person=person).values_list("submitted_on", flat=True),
            *(
                timezone.localdate(at)
                for at in ApplicationTransition.objects.filter(
                    application__person=person
                ).values_list("at", flat=True)
            ),
            *Referral.objects.filter(person=person, first_meeting_on__isnull=False).values_list(
                "first_meeting_on", flat=True
            ),
        ]
        assert person.last_activity_on == (max(days) if days else None), person.pk
    # Sharing with the network is exactly an active consent.
    active = Consent.objects.filter(
        person=OuterRef("pk"), scope=ConsentScope.NETWORK_SHARING, withdrawn_at__isnull=True
    )
    assert not Person.objects.exclude(shares_with_network=Exists(active)).exists()
    assert not Referral.objects.filter(
        shares_person_data=True, person__consents__isnull=True
    ).exists()
    # Decisions that need a reason have one; durations are positive; nothing is in the future.
    assert not Application.objects.filter(
        status=ApplicationStatus.NOT_SELECTED,
        next_step_referral__isnull=True,
        no_next_step_reason__isnull=True,
    ).exists()
    assert not Referral.objects.filter(
        status=ReferralStatus.DECLINED, decline_reason__isnull=True
    ).exists()
    assert not Act.objects.filter(duration_minutes__lte=0).exists()
    assert not Act.objects.filter(occurred_on__gt=today).exists()
    assert not Outcome.objects.filter(occurred_on__gt=today).exists()
    assert not Application.objects.filter(submitted_on__gt=today).exists()
    assert not Referral.objects.filter(sent_at__date__gt=today).exists()
    assert not ReferralTransition.objects.filter(at__date__gt=today).exists()
    assert not Accompaniment.objects.filter(started_on__gt=today).exists()
    assert not Referral.objects.filter(first_meeting_on__lt=F("sent_at__date")).exists()
    assert (
        not ActParticipant.objects.values("act", "person")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .exists()
    )
    # Decided applications say when; answered referrals too.
    assert not Application.objects.filter(
        Q(status__in=[ApplicationStatus.SELECTED, ApplicationStatus.NOT_SELECTED]),
        decided_at__isnull=True,
    ).exists()
    assert not Referral.objects.filter(
        status__in=[ReferralStatus.ACCEPTED, ReferralStatus.DECLINED, ReferralStatus.FIRST_MEETING],
        answered_at__isnull=True,
    ).exists()


def test_same_seed_gives_the_same_data_through_the_services():
    # A dozen people show determinism as well as the whole tiny scale, at a third of its cost.
    generate(scale="tiny", seed=7, today=TODAY, persons=12)
    first = summary()
    check_invariants(TODAY)
    for model in (Outcome, Act, Application, Referral, Consent, Person):
        model.objects.all().delete()
    generate(scale="tiny", seed=7, today=TODAY, persons=12)
    assert summary() == first
    assert first["counts"]["Person"] == 12


def test_another_seed_gives_other_people():
    generate(scale="tiny", seed=7, today=TODAY, persons=12)
    first = summary()["persons"]
    for model in (Outcome, Act, Application, Referral, Consent, Person):
        model.objects.all().delete()
    generate(scale="tiny", seed=8, today=TODAY, persons=12)
    assert summary()["persons"] != first


def test_the_tiny_scale_covers_the_pathway_and_keeps_the_rules():
    generate(scale="tiny", seed=3, today=TODAY, persons=40)
    check_invariants(TODAY)
    assert Referral.objects.filter(status=ReferralStatus.DECLINED).exists()
    assert Referral.objects.filter(
        status__in=[ReferralStatus.FIRST_MEETING, ReferralStatus.CLOSED]
    ).exists()
    assert Application.objects.filter(status=ApplicationStatus.COMPLETED).exists()
    assert Act.objects.filter(is_collective=True, participants__attended=False).exists()
    assert Outcome.objects.exists()
    assert Person.objects.filter(shares_with_network=False).exists()
    # Nobody is e-mailed about fictional history.
    assert not Notification.objects.filter(emailed_at__isnull=True).exists()


@pytest.mark.sqlite  # the bulk writer's SQLite path (executemany, not COPY)
def test_the_bulk_path_writes_valid_data_and_is_deterministic():
    counts = generate(scale="regional", seed=5, today=TODAY, **BULK_TINY)
    assert counts["persons"] == BULK_TINY["persons"]
    check_invariants(TODAY)
    first = summary()
    assert first["counts"]["Act"] > first["counts"]["Person"]
    assert Referral.objects.exists() and Application.objects.exists()
    assert Application.objects.filter(status=ApplicationStatus.NOT_SELECTED).exists()
    # The network identity keys the services write (issue 16).
    from maillage.pathways.identity import key_rows
    from maillage.pathways.models import IdentityKey

    written = set(IdentityKey.objects.values_list("person", "key"))
    assert written == {
        (row.person_id, row.key) for p in Person.objects.all() for row in key_rows(p)
    }
    # A finished generation is not written twice.
    assert generate(scale="regional", seed=5, today=TODAY, **BULK_TINY) == counts
    assert summary() == first
    wipe()
    generate(scale="regional", seed=5, today=TODAY, **BULK_TINY)
    assert summary() == first
    # Ids keep working after the bulk path: the services can add rows.
    from maillage.accounts.models import StructureMembership
    from maillage.pathways.acts import services as act_services
    from maillage.pathways.models import ActType

    person = Person.objects.order_by("pk").first()
    structure = Accompaniment.objects.filter(person=person).first().structure
    user = StructureMembership.objects.filter(structure=structure).first().user

    act_services.record_act(
        structure=structure,
        user=user,
        act_type=ActType.objects.get(code="reception"),
        occurred_on=TODAY - timedelta(days=1),
        duration_minutes=30,
        persons=[person],
    )


def test_services_take_the_historical_time_of_a_transition(net):
    """`at=` lets scripts date answers and decisions in the past; the log says when."""
    from maillage.pathways.applications import services as application_services
    from maillage.pathways.persons import services as person_services
    from maillage.pathways.referrals import services as referral_services

    when = timezone.now() - timedelta(days=30)
    person = person_services.create_person(
        structure=net.intermade, user=net.intermade_advisor, first_name="Ana", last_name="Test"
    )
    referral = referral_services.refer_person(
        person=person,
        from_structure=net.intermade,
        user=net.intermade_advisor,
        to_structure=net.apeas,
        sent_at=when,
    )
    referral_services.accept_referral(
        referral=referral, user=net.apeas_advisor, at=when + timedelta(hours=2)
    )
    referral_services.record_first_meeting(
        referral=referral,
        user=net.apeas_advisor,
        met_on=(when + timedelta(days=3)).date(),
        identity={"first_name": "Ana", "last_name": "Test"},
        at=when + timedelta(days=3),
    )
    referral.refresh_from_db()
    assert referral.answered_at == when + timedelta(hours=2)
    assert list(referral.transitions.values_list("to_status", "at")) == [
        (ReferralStatus.SENT, when),
        (ReferralStatus.ACCEPTED, when + timedelta(hours=2)),
        (ReferralStatus.FIRST_MEETING, when + timedelta(days=3)),
    ]
    application = application_services.submit_application(
        person=person,
        offer=net.starter,
        user=net.intermade_advisor,
        submitted_on=when.date(),
        at=when,
    )
    application_services.change_application_status(
        application=application,
        user=net.intermade_advisor,
        to_status=ApplicationStatus.NOT_SELECTED,
        refer_to_structure=net.apeas,
        at=when + timedelta(days=1),
    )
    application.refresh_from_db()
    assert application.decided_at == when + timedelta(days=1)
    assert application.next_step_referral.sent_at == when + timedelta(days=1)
    assert application.transitions.last().at == when + timedelta(days=1)


def test_the_bulk_path_refuses_a_move_its_state_machine_does_not_allow():
    """A plan that skips a step (submitted → completed) stops the run; nothing is logged."""
    codes = {"act_types": {}, "outcome_types": {}, "decline_reasons": {}}
    codes.update(no_next_step_reasons={}, end_reasons={})
    writer = BulkWriter(SimpleNamespace(seed=1, **codes))
    writer.pid = 1
    writer.state = {"consents": {}, "referrals": {}, "applications": {}, "projects": {}}
    at = timezone.now()
    apply = {"key": "a", "project": None, "offer": 1, "session": None, "structure": 1}
    writer.on_apply(at, {**apply, "day": at.date(), "user": None})
    logged = len(writer.tables["application_transition"].rows)
    with pytest.raises(ValidationError) as refused:
        writer.on_status(at, {"key": "a", "to": ApplicationStatus.COMPLETED, "user": None})
    assert refused.value.code == "invalid_transition"
    assert len(writer.tables["application_transition"].rows) == logged
    assert writer.state["applications"]["a"]["status"] == ApplicationStatus.SUBMITTED
    writer.new_referral(at, key="r", source=1, target=2, user=None, reason="", shares=False)
    with pytest.raises(ValidationError):
        writer.on_close(at, {"key": "r", "user": None})  # sent → closed: never answered


class Interrupted(Exception):
    """Stands for Ctrl+C or a lost connection in the middle of a run."""


def test_an_interrupted_bulk_run_resumes_where_it_stopped_and_gives_the_same_data(monkeypatch):
    generate(scale="regional", seed=9, today=TODAY, **BULK_TINY)
    whole = summary()
    wipe()
    flush = BulkWriter.flush

    def flush_then_stop(writer):
        flush(writer)
        if writer.batch == 2:
            raise Interrupted

    monkeypatch.setattr(BulkWriter, "flush", flush_then_stop)
    with pytest.raises(Interrupted):
        generate(scale="regional", seed=9, today=TODAY, **BULK_TINY)
    record = GenerationProgress.objects.get()
    assert record.batches_done == 2 and record.finished_at is None
    # The first two batches are committed (persons of the first chunks), the rest is not.
    assert Person.objects.count() == 2 * BULK_TINY["chunk"]
    monkeypatch.setattr(BulkWriter, "flush", flush)
    counts = generate(scale="regional", seed=9, today=TODAY, **BULK_TINY)
    assert counts["persons"] == BULK_TINY["persons"]
    assert summary() == whole
    check_invariants(TODAY)
    assert GenerationProgress.objects.get().finished_at is not None


def test_the_national_scale_fills_several_networks_each_resumable(monkeypatch):
    from maillage.directory.models import Network

    counts = generate(
        scale="national",
        seed=2,
        today=TODAY,
        persons=40,
        structures=4,
        offers=8,
        chunk=10,
        networks=2,
    )
    assert counts["persons"] == 40
    generated = Network.objects.filter(slug__startswith="genere-national-")
    assert sorted(generated.values_list("slug", flat=True)) == [
        "genere-national-01",
        "genere-national-02",
    ]
    for network in generated:
        assert network.structures.count() == 2
        assert (
            Accompaniment.objects.filter(structure__networks=network)
            .values("person")
            .distinct()
            .count()
            >= 15
        )
    records = GenerationProgress.objects.order_by("network_slug")
    assert [r.persons for r in records] == [20, 20]
    assert all(r.finished_at for r in records)
    check_invariants(TODAY)


def test_the_time_left_counts_only_what_this_run_writes(capsys):
    """A resumed run: the persons written before the interruption do not speed up the estimate."""
    from maillage.devtools.generator import ProgressBar

    bar = ProgressBar(1_000)
    now = [0.0]
    bar.clock = lambda: now[0]
    bar.started = 0.0
    bar.skipped(500)  # committed by the interrupted run
    now[0] = 60.0
    bar.show(600)  # 100 persons in one minute: 400 left, four minutes
    line = capsys.readouterr().err
    assert "600/1,000 persons" in line and "about 4 min left" in line
