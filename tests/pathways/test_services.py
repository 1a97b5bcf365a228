"""Business rules of the pathways services: state machines, next steps, matching, locking."""

import contextlib
import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from maillage.accounts.rules import can
from maillage.pathways.acts import services as act_services
from maillage.pathways.applications import services as application_services
from maillage.pathways.models import (
    ApplicationStatus,
    ConsentMethod,
    ConsentScope,
    DeclineReason,
    NoNextStepReason,
    OutcomeType,
    Person,
    Referral,
    ReferralStatus,
)
from maillage.pathways.persons import services as person_services
from maillage.pathways.plans import services as plan_services
from maillage.pathways.referrals import services as referral_services
from maillage.pathways.visibility import persons_visible_to
from tests.factories import ApplicationFactory, act_type

pytestmark = pytest.mark.django_db


@contextlib.contextmanager
def raises_code(code):
    """The block raises a ValidationError carrying `code` (messages are translated)."""
    with pytest.raises(ValidationError) as error:
        yield error
    codes = (
        {e.code for e in error.value.error_list}
        if hasattr(error.value, "error_list")
        else {e.code for errors in error.value.error_dict.values() for e in errors}
    )
    assert code in codes, codes


def new_person(net, **extra):
    fields = {"first_name": "Camille", "last_name": "Durand", **extra}
    return person_services.create_person(
        structure=net.intermade, user=net.intermade_advisor, **fields
    )


def share(net, person):
    return person_services.give_consent(
        person=person,
        user=net.intermade_advisor,
        structure=net.intermade,
        scope=ConsentScope.NETWORK_SHARING,
        method=ConsentMethod.WRITTEN,
    )


def test_a_new_person_is_accompanied_by_the_structure_that_recorded_them(net):
    person = new_person(net, birth_date=datetime.date(1988, 2, 3))
    assert person.birth_year == 1988
    assert person.name_key == "durand camille"
    assert can(net.intermade_advisor, "view_person", person)
    assert not can(net.apeas_advisor, "view_person", person)


def test_referral_with_consent_shows_the_person_to_the_receiving_structure(net):
    person = new_person(net)
    share(net, person)
    referral = referral_services.refer_person(
        person=person,
        from_structure=net.intermade,
        user=net.intermade_advisor,
        to_structure=net.apeas,
        to_offer=net.piles,
        reason="Projet collectif",
    )
    assert referral.shares_person_data
    assert referral.transitions.get().to_status == ReferralStatus.SENT
    assert list(persons_visible_to(net.apeas_advisor)) == [person]
    reloaded = Person.objects.get(pk=person.pk)
    assert can(net.apeas_advisor, "view_person", reloaded)


def test_without_consent_the_referral_is_anonymous_until_the_person_is_matched(net):
    person = new_person(net, birth_date=datetime.date(1990, 1, 1))
    referral = referral_services.refer_person(
        person=person,
        from_structure=net.intermade,
        user=net.intermade_advisor,
        to_structure=net.apeas,
    )
    assert referral.is_anonymous
    assert not can(net.apeas_advisor, "view_person", Person.objects.get(pk=person.pk))
    with raises_code("no_match"):
        referral_services.record_first_meeting(
            referral=referral,
            user=net.apeas_advisor,
            met_on=timezone.localdate(),
            identity={"first_name": "Dominique", "last_name": "Durand"},
        )
    referral_services.record_first_meeting(
        referral=referral,
        user=net.apeas_advisor,
        met_on=timezone.localdate(),
        identity={
            "first_name": "camille",
            "last_name": "DURAND",
            "birth_date": datetime.date(1990, 1, 1),
        },
    )
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.FIRST_MEETING
    assert referral.matched_at is not None
    assert referral.answered_at is not None
    assert can(net.apeas_advisor, "view_person", Person.objects.get(pk=person.pk))
    assert [t.to_status for t in referral.transitions.all()] == [
        ReferralStatus.SENT,
        ReferralStatus.ACCEPTED,
        ReferralStatus.FIRST_MEETING,
    ]


def test_withdrawing_consent_hides_the_person_from_a_structure_that_only_received_a_referral(net):
    person = new_person(net)
    consent = share(net, person)
    referral_services.refer_person(
        person=person,
        from_structure=net.intermade,
        user=net.intermade_advisor,
        to_structure=net.apeas,
    )
    assert persons_visible_to(net.apeas_advisor).count() == 1
    person_services.withdraw_consent(consent=consent, user=net.intermade_advisor)
    assert persons_visible_to(net.apeas_advisor).count() == 0


def test_the_closed_loop_accept_meet_close(net):
    person = new_person(net)
    share(net, person)
    referral = referral_services.refer_person(
        person=person,
        from_structure=net.intermade,
        user=net.intermade_advisor,
        to_structure=net.apeas,
    )
    referral_services.mark_referral_received(referral=referral, user=net.apeas_advisor)
    referral_services.accept_referral(referral=referral, user=net.apeas_advisor, expected_version=1)
    referral_services.record_first_meeting(
        referral=referral, user=net.apeas_advisor, met_on=timezone.localdate()
    )
    referral_services.close_referral(referral=referral, user=net.apeas_advisor)
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.CLOSED
    assert referral.closed_at is not None
    statuses = list(referral.transitions.values_list("to_status", flat=True))
    assert statuses == ["sent", "received", "accepted", "first_meeting", "closed"]
    assert all(t.by_id for t in referral.transitions.all())


def test_only_the_receiver_answers_and_only_the_sender_cancels(net):
    person = new_person(net)
    referral = referral_services.refer_person(
        person=person,
        from_structure=net.intermade,
        user=net.intermade_advisor,
        to_structure=net.apeas,
    )
    with pytest.raises(PermissionDenied):
        referral_services.accept_referral(referral=referral, user=net.intermade_advisor)
    with pytest.raises(PermissionDenied):
        referral_services.cancel_referral(referral=referral, user=net.apeas_advisor)
    referral_services.cancel_referral(referral=referral, user=net.intermade_advisor)
    with raises_code("invalid_transition") as refused:
        referral_services.accept_referral(referral=referral, user=net.apeas_advisor)
    message = str(refused.value)  # names both statuses, in the reader's language
    assert str(ReferralStatus.CANCELLED.label) in message
    assert str(ReferralStatus.ACCEPTED.label) in message
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.CANCELLED
    assert list(referral.transitions.order_by("pk").values_list("from_status", "to_status")) == [
        ("", ReferralStatus.SENT),
        (ReferralStatus.SENT, ReferralStatus.CANCELLED),
    ]


def test_declining_needs_a_coded_reason_and_a_note_for_other(net):
    person = new_person(net)
    referral = referral_services.refer_person(
        person=person,
        from_structure=net.intermade,
        user=net.intermade_advisor,
        to_structure=net.apeas,
    )
    other = DeclineReason.objects.get(code="other")
    with pytest.raises(ValidationError):
        referral_services.decline_referral(referral=referral, user=net.apeas_advisor, reason=None)
    with pytest.raises(ValidationError):
        referral_services.decline_referral(referral=referral, user=net.apeas_advisor, reason=other)
    referral_services.decline_referral(
        referral=referral,
        user=net.apeas_advisor,
        reason=other,
        note="Projet hors territoire",
        share_reason_with_person=True,
    )
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.DECLINED
    assert referral.reason_shared_with_person
    with pytest.raises(IntegrityError), transaction.atomic():
        Referral.objects.filter(pk=referral.pk).update(decline_reason=None)


def test_redirecting_sends_a_new_referral_from_the_receiver(
    net, django_capture_on_commit_callbacks
):
    from tests.factories import StructureFactory

    third = StructureFactory(name="Place", networks=[net.network])
    person = new_person(net)
    share(net, person)
    referral = referral_services.refer_person(
        person=person,
        from_structure=net.intermade,
        user=net.intermade_advisor,
        to_structure=net.apeas,
    )
    onward = referral_services.redirect_referral(
        referral=referral, user=net.apeas_advisor, to_structure=third, note="Mieux placé"
    )
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.REDIRECTED
    assert referral.redirected_to == onward
    assert onward.from_structure == net.apeas and onward.to_structure == third
    assert onward.shares_person_data


def test_unanswered_referrals_get_a_reminder_then_expire(net, settings, mailoutbox):
    person = new_person(net)
    sent_at = timezone.now() - datetime.timedelta(days=11)
    referral = referral_services.refer_person(
        person=person,
        from_structure=net.intermade,
        user=net.intermade_advisor,
        to_structure=net.apeas,
        sent_at=sent_at,
    )
    assert referral_services.remind_unanswered_referrals() == [referral]
    assert referral_services.remind_unanswered_referrals() == []
    assert referral_services.expire_referrals() == []
    later = timezone.now() + datetime.timedelta(days=20)
    assert [r.pk for r in referral_services.expire_referrals(now=later)] == [referral.pk]
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.EXPIRED
    assert referral.transitions.last().by is None


def test_not_selected_without_a_next_step_is_refused(net):
    person = new_person(net)
    application = application_services.submit_application(
        person=person, offer=net.starter, session=net.starter_session, user=net.intermade_advisor
    )
    application_services.change_application_status(
        application=application,
        user=net.intermade_advisor,
        to_status=ApplicationStatus.UNDER_REVIEW,
    )
    with raises_code("next_step_required"):
        application_services.change_application_status(
            application=application,
            user=net.intermade_advisor,
            to_status=ApplicationStatus.NOT_SELECTED,
        )
    application.refresh_from_db()
    assert application.status == ApplicationStatus.UNDER_REVIEW
    application_services.change_application_status(
        application=application,
        user=net.intermade_advisor,
        to_status=ApplicationStatus.NOT_SELECTED,
        refer_to_structure=net.apeas,
        refer_to_offer=net.piles,
        referral_reason="Mieux adapté à l'émergence",
    )
    application.refresh_from_db()
    assert application.status == ApplicationStatus.NOT_SELECTED
    assert application.next_step_referral.to_structure == net.apeas
    assert list(application.transitions.values_list("to_status", flat=True)) == [
        "submitted",
        "under_review",
        "not_selected",
    ]


def test_not_selected_with_an_explicit_reason_for_no_next_step(net):
    person = new_person(net)
    application = application_services.submit_application(
        person=person, offer=net.starter, user=net.intermade_advisor
    )
    application_services.change_application_status(
        application=application,
        user=net.intermade_advisor,
        to_status=ApplicationStatus.NOT_SELECTED,
        no_next_step_reason=NoNextStepReason.objects.get(code="next_session"),
    )
    assert application.no_next_step_reason.code == "next_session"


@pytest.mark.sqlite
def test_the_database_refuses_a_not_selected_application_without_next_step(net):
    application = ApplicationFactory(offer=net.starter)
    with pytest.raises(IntegrityError), transaction.atomic():
        type(application).objects.filter(pk=application.pk).update(
            status=ApplicationStatus.NOT_SELECTED
        )


def test_invalid_application_transitions_are_refused(net):
    person = new_person(net)
    application = application_services.submit_application(
        person=person, offer=net.starter, user=net.intermade_advisor
    )
    with raises_code("invalid_transition"):
        application_services.change_application_status(
            application=application,
            user=net.intermade_advisor,
            to_status=ApplicationStatus.COMPLETED,
        )


def test_the_second_of_two_concurrent_edits_is_refused(net):
    person = new_person(net)
    first = Person.objects.get(pk=person.pk)
    second = Person.objects.get(pk=person.pk)
    person_services.update_person(
        person=first, user=net.intermade_advisor, expected_version=first.version, phone="0491000000"
    )
    with raises_code("stale"):
        person_services.update_person(
            person=second,
            user=net.intermade_advisor,
            expected_version=second.version,
            email="autre@exemple.test",
        )
    person.refresh_from_db()
    assert person.phone == "0491000000" and person.email == ""


def test_a_collective_act_is_recorded_once_with_its_attendance(net):
    present = new_person(net)
    absent = new_person(net, first_name="Alex")
    act = act_services.record_act(
        structure=net.intermade,
        user=net.intermade_advisor,
        act_type=act_type("collective_workshop"),
        occurred_on=timezone.localdate(),
        duration_minutes=180,
        persons=[present, absent],
        absent={absent.pk},
        offer=net.starter,
    )
    assert act.is_collective
    attendance = dict(act.participants.values_list("person_id", "attended"))
    assert attendance == {present.pk: True, absent.pk: False}
    present.refresh_from_db()
    assert present.last_activity_on == timezone.localdate()


@pytest.mark.parametrize(
    ("occurred_on", "duration", "field"),
    [
        (datetime.date.today() + datetime.timedelta(days=2), 60, "occurred_on"),
        (datetime.date(2025, 3, 3), 0, "duration_minutes"),
        (datetime.date(2025, 3, 3), -30, "duration_minutes"),
    ],
)
def test_bad_acts_are_refused_with_a_field_error(net, occurred_on, duration, field):
    person = new_person(net)
    with pytest.raises(ValidationError) as error:
        act_services.record_act(
            structure=net.intermade,
            user=net.intermade_advisor,
            act_type=act_type(),
            occurred_on=occurred_on,
            duration_minutes=duration,
            persons=[person],
        )
    assert field in error.value.message_dict
    assert not person.acts.exists()


def test_an_act_for_a_person_the_structure_cannot_see_is_refused(net):
    person = new_person(net)
    with pytest.raises(PermissionDenied):
        act_services.record_act(
            structure=net.apeas,
            user=net.apeas_advisor,
            act_type=act_type(),
            occurred_on=timezone.localdate(),
            duration_minutes=30,
            persons=[person],
        )


def test_bad_e_mail_and_phone_are_refused(net):
    with pytest.raises(ValidationError) as error:
        new_person(net, email="pas-un-mail", phone="abc")
    assert {"email", "phone"} <= set(error.value.message_dict)
    assert not Person.objects.exists()


def test_plan_changes_keep_every_revision(net):
    person = new_person(net)
    plan = plan_services.save_plan(
        person=person,
        user=net.intermade_advisor,
        structure=net.intermade,
        steps=[{"offer": net.starter, "responsible_structure": net.intermade}],
        expected_version=None,
    )
    plan_services.save_plan(
        person=person,
        user=net.intermade_advisor,
        structure=net.intermade,
        steps=[
            {"offer": net.starter, "responsible_structure": net.intermade, "status": "done"},
            {"action": "Rencontrer la CAE", "responsible_structure": net.apeas},
        ],
        expected_version=plan.version,
    )
    plan.refresh_from_db()
    assert plan.revision == 2
    assert [len(r.steps) for r in plan.revisions.order_by("number")] == [1, 2]
    assert list(plan.steps.values_list("position", flat=True)) == [1, 2]


@pytest.mark.sqlite
def test_rules_and_querysets_agree_on_who_sees_whom(net):
    from tests.factories import PersonFactory, ReferralFactory, StructureMembershipFactory

    apeas_admin = StructureMembershipFactory(structure=net.apeas, admin=True).user
    persons = [
        PersonFactory(accompanied_by=[net.intermade]),
        PersonFactory(accompanied_by=[net.apeas]),
        PersonFactory(accompanied_by=[net.intermade, net.apeas]),
        PersonFactory(accompanied_by=[net.intermade], sharing=True),
        PersonFactory(accompanied_by=[net.intermade]),
        PersonFactory(),
    ]
    ReferralFactory(person=persons[3], from_structure=net.intermade, to_structure=net.apeas)
    ReferralFactory(person=persons[4], from_structure=net.intermade, to_structure=net.apeas)
    users = [net.intermade_advisor, net.apeas_advisor, apeas_admin]
    for user in users:
        visible = set(persons_visible_to(user).values_list("pk", flat=True))
        for person in persons:
            fresh = Person.objects.get(pk=person.pk)
            assert can(user, "view_person", fresh) is (person.pk in visible), (user, person)
    assert set(persons_visible_to(net.apeas_advisor).values_list("pk", flat=True)) == {
        persons[1].pk,
        persons[2].pk,
        persons[3].pk,
    }


def test_a_row_about_a_person_names_only_a_project_they_carry(net):
    camille, alex = new_person(net), new_person(net, first_name="Alex", last_name="Martin")
    alex_project = person_services.create_project(
        structure=net.intermade, user=net.intermade_advisor, persons=[alex], title="Atelier vélo"
    )
    with raises_code("foreign_project"):
        application_services.submit_application(
            person=camille, offer=net.starter, user=net.intermade_advisor, project=alex_project
        )
    with raises_code("foreign_project"):
        act_services.record_outcome(
            person=camille,
            structure=net.intermade,
            user=net.intermade_advisor,
            outcome_type=OutcomeType.objects.get(code="repositioning"),
            occurred_on=timezone.localdate(),
            project=alex_project,
        )
    with raises_code("foreign_project"):
        referral_services.refer_person(
            person=camille,
            from_structure=net.intermade,
            user=net.intermade_advisor,
            to_structure=net.apeas,
            project=alex_project,
        )
    assert not camille.applications.exists() and not camille.outcomes.exists()
    assert not camille.referrals.exists()
    application_services.submit_application(
        person=alex, offer=net.starter, user=net.intermade_advisor, project=alex_project
    )
