"""Professional acts (individual or collective with attendance) and outcomes."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from ..common import (
    claim_version,
    refuse_anonymised,
    refuse_foreign_project,
    refuse_future,
    require,
    require_follows,
)
from ..models import Act, ActParticipant, Outcome, Person
from ..persons.services import ensure_accompaniment, touch_activity


@transaction.atomic
def record_act(
    *,
    structure,
    user,
    act_type,
    occurred_on: date,
    duration_minutes: int,
    persons: list[Person],
    absent: frozenset[int] | set[int] = frozenset(),
    offer=None,
    session=None,
    title: str = "",
    notes: str = "",
    staff=None,
) -> Act:
    """Record an act once: one person, or a collective act with everyone invited.

    `absent` holds the ids of invited persons who did not come (kept on the attendance list).
    Everyone invited must be followed by the structure (accompanied, or referred to it and
    accepted); it then accompanies whoever attended.
    """
    require(user, "track_persons", structure)
    errors = {}
    if occurred_on is None:
        errors["occurred_on"] = _("Enter the date of the act.")
    else:
        try:
            refuse_future(occurred_on, "occurred_on")
        except ValidationError as error:
            errors.update(error.message_dict)
    if duration_minutes is None or duration_minutes <= 0:
        errors["duration_minutes"] = _("The duration must be more than zero minutes.")
    unique_persons = list({person.pk: person for person in persons}.values())
    if not unique_persons:
        errors["persons"] = _("Choose at least one person.")
    is_collective = len(unique_persons) > 1 or act_type.is_collective
    if not is_collective and absent:
        errors["persons"] = _("An individual act is recorded for the person who came.")
    if offer is not None and offer.structure_id != structure.pk:
        errors["offer"] = _("This offer belongs to another structure.")
    if session is not None and (offer is None or session.offer_id != offer.pk):
        errors["session"] = _("This session belongs to another offer.")
    if errors:
        raise ValidationError(errors)
    for person in unique_persons:
        require(user, "view_person", person)
    require_follows(structure=structure, persons=unique_persons, field="persons")
    act = Act(
        act_type=act_type,
        structure=structure,
        staff=staff or user,
        offer=offer,
        session=session,
        occurred_on=occurred_on,
        duration_minutes=duration_minutes,
        is_collective=is_collective,
        title=title.strip(),
        notes=notes.strip(),
        created_by=user,
    )
    act.full_clean()
    act.save()
    ActParticipant.objects.bulk_create(
        ActParticipant(act=act, person=person, attended=person.pk not in absent)
        for person in unique_persons
    )
    for person in unique_persons:
        if person.pk not in absent:
            ensure_accompaniment(person=person, structure=structure, started_on=occurred_on)
            touch_activity(person, occurred_on)
    return act


@transaction.atomic
def record_outcome(
    *,
    person: Person,
    structure,
    user,
    outcome_type,
    occurred_on: date,
    legal_form=None,
    details: str = "",
    project=None,
) -> Outcome:
    require(user, "track_persons", structure)
    require(user, "view_person", person)
    require_follows(structure=structure, persons=[person])
    refuse_future(occurred_on, "occurred_on")
    refuse_foreign_project(project, person)
    outcome = Outcome(
        person=person,
        project=project,
        structure=structure,
        outcome_type=outcome_type,
        occurred_on=occurred_on,
        legal_form=legal_form,
        details=details.strip(),
        recorded_by=user,
    )
    outcome.full_clean()
    outcome.save()
    ensure_accompaniment(person=person, structure=structure, started_on=occurred_on)
    touch_activity(person, occurred_on)
    return outcome


ACT_FIELDS = ("act_type", "occurred_on", "duration_minutes", "offer", "session", "title", "notes")
OUTCOME_FIELDS = ("outcome_type", "occurred_on", "legal_form", "details", "project")


@transaction.atomic
def update_act(
    *,
    act: Act,
    user,
    expected_version: int | None,
    persons: list[Person] | None = None,
    absent: frozenset[int] | set[int] | None = None,
    **fields,
) -> Act:
    """Correct an act of the user's structure; `persons`/`absent` replace the attendance list."""
    require(user, "track_persons", act.structure)
    unknown = set(fields) - set(ACT_FIELDS)
    if unknown:
        raise TypeError(f"Unknown act fields: {', '.join(sorted(unknown))}")
    for name, value in fields.items():
        setattr(act, name, value.strip() if isinstance(value, str) else value)
    errors = {}
    try:
        refuse_future(act.occurred_on, "occurred_on")
    except ValidationError as error:
        errors.update(error.message_dict)
    if act.duration_minutes is None or act.duration_minutes <= 0:
        errors["duration_minutes"] = _("The duration must be more than zero minutes.")
    if act.offer is not None and act.offer.structure_id != act.structure_id:
        errors["offer"] = _("This offer belongs to another structure.")
    if act.session is not None and (act.offer is None or act.session.offer_id != act.offer_id):
        errors["session"] = _("This session belongs to another offer.")
    if persons is not None:
        unique_persons = list({person.pk: person for person in persons}.values())
        if not unique_persons:
            errors["persons"] = _("Choose at least one person.")
        elif absent and len(unique_persons) == 1 and not act.act_type.is_collective:
            errors["persons"] = _("An individual act is recorded for the person who came.")
    if errors:
        raise ValidationError(errors)
    claim_version(act, expected_version)
    if persons is not None:
        absent = set(absent or ())
        for person in unique_persons:
            require(user, "view_person", person)
        # An erased person stays on the attendance list they were on, but cannot be added.
        listed = set(act.participants.values_list("person_id", flat=True))
        refuse_anonymised([p for p in unique_persons if p.pk not in listed], field="persons")
        living = [person for person in unique_persons if not person.is_anonymised]
        require_follows(structure=act.structure, persons=living, field="persons")
        act.is_collective = len(unique_persons) > 1 or act.act_type.is_collective
        act.participants.all().delete()
        ActParticipant.objects.bulk_create(
            ActParticipant(act=act, person=person, attended=person.pk not in absent)
            for person in unique_persons
        )
        for person in living:
            if person.pk not in absent:
                ensure_accompaniment(
                    person=person, structure=act.structure, started_on=act.occurred_on
                )
                touch_activity(person, act.occurred_on)
    act.full_clean()
    act.save()
    return act


@transaction.atomic
def update_outcome(*, outcome: Outcome, user, expected_version: int | None, **fields) -> Outcome:
    """Correct an outcome recorded by the user's structure."""
    require(user, "track_persons", outcome.structure)
    unknown = set(fields) - set(OUTCOME_FIELDS)
    if unknown:
        raise TypeError(f"Unknown outcome fields: {', '.join(sorted(unknown))}")
    for name, value in fields.items():
        setattr(outcome, name, value.strip() if isinstance(value, str) else value)
    refuse_future(outcome.occurred_on, "occurred_on")
    refuse_foreign_project(outcome.project, outcome.person)
    outcome.full_clean()
    claim_version(outcome, expected_version)
    outcome.save()
    return outcome
