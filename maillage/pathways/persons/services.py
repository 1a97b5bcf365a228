"""Persons, their accompaniments, consents, notes and projects."""

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .. import identity, visibility
from ..common import (
    claim_version,
    name_key,
    refuse_anonymised,
    refuse_future,
    require,
    require_follows,
    today,
)
from ..models import Accompaniment, Consent, ConsentScope, Person, PersonNote, Project, ProjectKind

PERSON_FIELDS = (
    "first_name",
    "last_name",
    "birth_date",
    "gender",
    "email",
    "phone",
    "postal_code",
    "commune",
    "commune_text",
    "situation",
    "priority_neighbourhood",
)


def _normalise_person(person: Person) -> None:
    person.first_name = " ".join(person.first_name.split())
    person.last_name = " ".join(person.last_name.split())
    person.email = person.email.strip().lower()
    person.phone = " ".join(person.phone.split())
    person.name_key = name_key(person.first_name, person.last_name)
    if person.birth_date:
        person.birth_year = person.birth_date.year
    refuse_future(person.birth_date, "birth_date")


def ensure_accompaniment(
    *, person: Person, structure, started_on: date | None = None, referent=None
) -> Accompaniment:
    """The structure accompanies the person from now on (idempotent)."""
    accompaniment, created = Accompaniment.objects.get_or_create(
        person=person,
        structure=structure,
        defaults={"started_on": started_on or today(), "referent": referent},
    )
    if created:
        visibility.forget(person)
    return accompaniment


def touch_activity(person: Person, day: date) -> None:
    """Remember the person's latest activity (advisor home, retention)."""
    if person.last_activity_on is None or day > person.last_activity_on:
        Person.objects.filter(pk=person.pk).update(last_activity_on=day)
        person.last_activity_on = day


@transaction.atomic
def create_person(*, structure, user, referent=None, **fields) -> Person:
    """Record a new person, accompanied by `structure`.

    The duplicate search (selectors.probable_duplicates) is shown to the advisor before this is
    called; this service does not refuse a homonym.
    """
    require(user, "track_persons", structure)
    unknown = set(fields) - set(PERSON_FIELDS)
    if unknown:
        raise TypeError(f"Unknown person fields: {', '.join(sorted(unknown))}")
    person = Person(created_by_structure=structure, created_by=user, **fields)
    _normalise_person(person)
    person.full_clean()
    person.save()
    identity.refresh_keys(person)
    ensure_accompaniment(person=person, structure=structure, referent=referent or user)
    return person


@transaction.atomic
def accompany_known_person(*, person: Person, structure, user) -> Accompaniment:
    """Link instead of a second record: `structure` accompanies from now on a person known
    elsewhere in the network, who consented to network sharing (the advisor was told about them
    by `selectors.network_matches`, which the caller checks they were)."""
    require(user, "track_persons", structure)
    refuse_anonymised([person])
    if person.merged_into_id is not None:
        raise ValidationError(_("This person's data was erased: the record cannot be edited."))
    if not person.shares_with_network:
        raise ValidationError(
            _("This person did not consent to network sharing: their record cannot be linked."),
            code="not_shared",
        )
    return ensure_accompaniment(person=person, structure=structure, referent=user)


@transaction.atomic
def update_person(*, person: Person, user, expected_version: int | None, **fields) -> Person:
    require(user, "change_person", person)
    unknown = set(fields) - set(PERSON_FIELDS)
    if unknown:
        raise TypeError(f"Unknown person fields: {', '.join(sorted(unknown))}")
    if person.is_anonymised:
        raise ValidationError(_("This person's data was erased: the record cannot be edited."))
    for name, value in fields.items():
        setattr(person, name, value)
    _normalise_person(person)
    person.full_clean()
    claim_version(person, expected_version)
    person.save()
    identity.refresh_keys(person)
    return person


def _sync_sharing_flag(person: Person) -> None:
    shares = Consent.objects.filter(
        person=person, scope=ConsentScope.NETWORK_SHARING, withdrawn_at__isnull=True
    ).exists()
    if shares != person.shares_with_network:
        Person.objects.filter(pk=person.pk).update(shares_with_network=shares)
        person.shares_with_network = shares
        visibility.forget(person)


@transaction.atomic
def give_consent(
    *,
    person: Person,
    user,
    structure,
    scope: str,
    method: str,
    proof: str = "",
    given_at: datetime | None = None,
) -> Consent:
    require(user, "change_person", person)
    refuse_anonymised([person])
    if Consent.objects.filter(person=person, scope=scope, withdrawn_at__isnull=True).exists():
        raise ValidationError({"scope": _("This consent is already given.")}, code="duplicate")
    consent = Consent(
        person=person,
        scope=scope,
        method=method,
        proof=proof,
        given_at=given_at or timezone.now(),
        structure=structure,
        recorded_by=user,
    )
    if consent.given_at > timezone.now():
        raise ValidationError({"given_at": _("A consent cannot be given in the future.")})
    consent.full_clean()
    consent.save()
    _sync_sharing_flag(person)
    return consent


@transaction.atomic
def withdraw_consent(*, consent: Consent, user, withdrawn_at: datetime | None = None) -> Consent:
    require(user, "change_person", consent.person)
    refuse_anonymised([consent.person])
    if consent.withdrawn_at is not None:
        raise ValidationError(_("This consent was already withdrawn."), code="withdrawn")
    consent.withdrawn_at = withdrawn_at or timezone.now()
    consent.withdrawn_by = user
    consent.full_clean()
    consent.save(update_fields=["withdrawn_at", "withdrawn_by"])
    _sync_sharing_flag(consent.person)
    return consent


@transaction.atomic
def add_note(*, person: Person, structure, user, body: str, is_shared: bool = False) -> PersonNote:
    require(user, "view_person", person)
    require(user, "track_persons", structure)
    refuse_anonymised([person])
    if not body.strip():
        raise ValidationError({"body": _("Write the note before saving it.")})
    note = PersonNote(
        person=person, structure=structure, author=user, body=body.strip(), is_shared=is_shared
    )
    note.full_clean()
    note.save()
    return note


@transaction.atomic
def set_referent(*, person: Person, structure, user, referent) -> Accompaniment:
    require(user, "track_persons", structure)
    require(user, "view_person", person)
    require_follows(structure=structure, persons=[person])
    accompaniment = ensure_accompaniment(person=person, structure=structure)
    accompaniment.referent = referent
    accompaniment.save(update_fields=["referent"])
    return accompaniment


# --- Projects ----------------------------------------------------------------------------------

PROJECT_FIELDS = ("title", "description", "kind", "sector", "envisaged_legal_form", "current_stage")


def _check_project(project: Project, persons) -> None:
    if not persons:
        raise ValidationError({"persons": _("A project is carried by at least one person.")})
    if project.kind == ProjectKind.INDIVIDUAL and len(persons) > 1:
        raise ValidationError(
            {"kind": _("An individual project has one person: choose 'collective' for more.")}
        )
    project.full_clean()


@transaction.atomic
def create_project(*, structure, user, persons, **fields) -> Project:
    require(user, "track_persons", structure)
    for person in persons:
        require(user, "view_person", person)
    refuse_anonymised(persons, field="persons")
    project = Project(created_by_structure=structure, created_by=user, **fields)
    _check_project(project, persons)
    project.save()
    project.persons.set(persons)
    return project


@transaction.atomic
def update_project(
    *, project: Project, user, expected_version: int | None, persons=None, **fields
) -> Project:
    current = list(project.persons.all())
    for person in current:
        require(user, "view_person", person)
    for name, value in fields.items():
        if name not in PROJECT_FIELDS:
            raise TypeError(f"Unknown project field {name!r}")
        setattr(project, name, value)
    _check_project(project, persons if persons is not None else current)
    claim_version(project, expected_version)
    project.save()
    if persons is not None:
        for person in persons:
            require(user, "view_person", person)
        known = {person.pk for person in current}
        refuse_anonymised([p for p in persons if p.pk not in known], field="persons")
        project.persons.set(persons)
    return project
