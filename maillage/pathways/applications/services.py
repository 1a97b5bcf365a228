"""Applications to offers: submitted → under review → decided → in progress → ended."""

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from maillage.core.states import move, started

from ..common import (
    claim_version,
    refuse_foreign_project,
    refuse_future,
    require,
    require_follows,
    today,
)
from ..models import Application, ApplicationStatus, Person
from ..persons.services import ensure_accompaniment, touch_activity
from ..referrals.services import refer_person
from ..states import APPLICATION_STATES

DECISIONS = frozenset(
    {ApplicationStatus.SELECTED, ApplicationStatus.WAITLISTED, ApplicationStatus.NOT_SELECTED}
)


@transaction.atomic
def submit_application(
    *,
    person: Person,
    offer,
    user,
    session=None,
    project=None,
    submitted_on: date | None = None,
    at: datetime | None = None,
) -> Application:
    """Record an application received by the offer's structure, which must follow the person
    (accompany them, or have accepted their referral) and accompanies them from then on.

    `at` (scripts, the generator) dates the recording in the past; default: now.
    """
    structure = offer.structure
    require(user, "track_persons", structure)
    require(user, "view_person", person)
    require_follows(structure=structure, persons=[person])
    if session is not None and session.offer_id != offer.pk:
        raise ValidationError({"session": _("This session belongs to another offer.")})
    submitted_on = submitted_on or today()
    refuse_future(submitted_on, "submitted_on")
    refuse_foreign_project(project, person)
    at = at or timezone.now()
    application = Application(
        person=person,
        project=project,
        offer=offer,
        session=session,
        structure=structure,
        submitted_on=submitted_on,
        status_changed_at=at,
        created_by=user,
    )
    application.full_clean()
    application.save()
    started(APPLICATION_STATES, application, by=user, at=at)
    ensure_accompaniment(person=person, structure=structure, started_on=submitted_on)
    touch_activity(person, submitted_on)
    return application


@transaction.atomic
def change_application_status(
    *,
    application: Application,
    user,
    to_status: str,
    note: str = "",
    expected_version: int | None = None,
    next_step_referral=None,
    refer_to_structure=None,
    refer_to_offer=None,
    referral_reason: str = "",
    no_next_step_reason=None,
    no_next_step_note: str = "",
    end_reason=None,
    end_note: str = "",
    at: datetime | None = None,
) -> Application:
    """Move the application along its state machine.

    "Not selected" is refused without a next step: an existing referral of the person, a new
    one (`refer_to_structure`, sent in the same transaction), or a reason for none.
    """
    require(user, "decide_application", application)
    APPLICATION_STATES.check(application.status, to_status)
    claim_version(application, expected_version)
    if to_status == ApplicationStatus.NOT_SELECTED:
        if refer_to_structure is not None:
            next_step_referral = refer_person(
                person=application.person,
                from_structure=application.structure,
                user=user,
                to_structure=refer_to_structure,
                to_offer=refer_to_offer,
                project=application.project,
                reason=referral_reason,
                sent_at=at,
            )
        if next_step_referral is not None and next_step_referral.person_id != application.person_id:
            raise ValidationError(
                {"next_step_referral": _("This referral is about another person.")}
            )
        if next_step_referral is None and no_next_step_reason is None:
            raise ValidationError(
                _(
                    "Record a next step before marking the application 'not selected': refer "
                    "the person to another structure, or say why there is none."
                ),
                code="next_step_required",
            )
        if (
            next_step_referral is None
            and no_next_step_reason.requires_note
            and not no_next_step_note.strip()
        ):
            raise ValidationError(
                {"no_next_step_note": _("Say in a few words why there is no next step.")}
            )
        application.next_step_referral = next_step_referral
        application.no_next_step_reason = None if next_step_referral else no_next_step_reason
        application.no_next_step_note = "" if next_step_referral else no_next_step_note.strip()
    if to_status == ApplicationStatus.DROPPED_OUT:
        if end_reason is not None and end_reason.requires_note and not end_note.strip():
            raise ValidationError({"end_note": _("Say in a few words why the person left.")})
        application.end_reason = end_reason
        application.end_note = end_note.strip()
    at = at or timezone.now()
    move(APPLICATION_STATES, application, to_status, by=user, at=at, note=note, save=False)
    application.status_changed_at = at
    if to_status in DECISIONS and application.decided_at is None:
        application.decided_at = at
    application.full_clean()
    application.save()
    touch_activity(application.person, timezone.localdate(at))
    return application
