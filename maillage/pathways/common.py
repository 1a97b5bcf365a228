"""What every pathways service shares: permission checks, optimistic locking, small helpers."""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from maillage.accounts.rules import can
from maillage.core.text import normalise

from .models import Accompaniment, Person, Referral, ReferralStatus

STALE_MESSAGE = _(
    "Someone else saved this record while you were editing it. Your changes were not saved: "
    "reload the page to see theirs, then enter yours again."
)


class StaleRecordError(ValidationError):
    """The record changed since the form was read (optimistic locking).

    `current_version` is the version saved now (None when unknown): the API returns it with
    its 409, so the caller can read the record again and retry.
    """

    def __init__(self, current_version: int | None = None):
        super().__init__(STALE_MESSAGE, code="stale")
        self.current_version = current_version


def require(user, action: str, obj=None) -> None:
    """Refuse the write unless `rules` allows it (services are the last line, not the views)."""
    if user is not None and not can(user, action, obj):
        raise PermissionDenied(action)


def claim_version(instance, expected_version: int | None) -> None:
    """Move `instance` to its next version, or raise when another save got there first.

    The conditional UPDATE takes the row lock, so of two concurrent saves of the same version
    exactly one wins. `expected_version=None` (scripts, the generator) skips the check.
    """
    model = type(instance)
    if expected_version is None:
        model.objects.filter(pk=instance.pk).update(version=F("version") + 1)
        instance.version += 1
        return
    updated = model.objects.filter(pk=instance.pk, version=expected_version).update(
        version=F("version") + 1
    )
    if not updated:
        current = model.objects.filter(pk=instance.pk).values_list("version", flat=True).first()
        raise StaleRecordError(current)
    instance.version = expected_version + 1


def today() -> date:
    return timezone.localdate()


def name_key(first_name: str, last_name: str) -> str:
    """Accent-, case- and hyphen-free "last first": the key of the duplicate search."""
    return normalise(f"{last_name} {first_name}")


def refuse_future(day: date | None, field: str) -> None:
    if day is not None and day > today():
        raise ValidationError(
            {field: _("This date is in the future: enter the day it happened.")}, code="future"
        )


def refuse_foreign_project(project, person) -> None:
    """A row about a person may only name a project that person carries."""
    if project is not None and not project.persons.filter(pk=person.pk).exists():
        message = _("This project is not carried by this person: choose one of theirs.")
        raise ValidationError({"project": ValidationError(message, code="foreign_project")})


# --- Who may write about a person (issue 13, point 4) ------------------------------------------

# A referral gives the receiving structure the right to write about the person once it accepted
# it (and until the loop is closed); one sent, declined, redirected or expired gives none.
REFERRAL_STATUSES_GRANTING_WRITES = (ReferralStatus.ACCEPTED, ReferralStatus.FIRST_MEETING)

NOT_FOLLOWED_MESSAGE = _(
    "Your structure does not accompany this person: accept the referral that sent them to you "
    "(or ask the structure that accompanies them to refer them to yours) before recording acts, "
    "outcomes or applications for them."
)


def followed_persons_condition(structure_ids) -> Q:
    """A filter on Person: followed by one of `structure_ids` (accompanied, or referred to it
    and accepted). Reading is wider (a referral with the person's data is enough to read)."""
    accompanied = Accompaniment.objects.filter(
        person=OuterRef("pk"), structure_id__in=structure_ids
    )
    accepted = Referral.objects.filter(
        person=OuterRef("pk"),
        to_structure_id__in=structure_ids,
        status__in=REFERRAL_STATUSES_GRANTING_WRITES,
    )
    return Q(merged_into__isnull=True, anonymised_at__isnull=True) & (
        Q(Exists(accompanied)) | Q(Exists(accepted))
    )


ANONYMISED_MESSAGE = _(
    "This person's data were erased: nothing new can be recorded about them (referral, act, "
    "application, outcome, consent, note or project)."
)


def refuse_anonymised(persons, field: str = "person") -> None:
    """Refuse any new record about an erased person (one rule for the pages, the API and the
    imports). Reads the instances given: no query."""
    if any(person.is_anonymised for person in persons):
        raise ValidationError({field: ValidationError(ANONYMISED_MESSAGE, code="anonymised")})


def require_follows(*, structure, persons, field: str = "person") -> None:
    """Refuse to record anything about persons the structure does not follow (one rule for the
    pages, the API and the imports: acts, outcomes, applications)."""
    refuse_anonymised(persons, field)
    ids = {person.pk for person in persons}
    followed = Person.objects.filter(followed_persons_condition([structure.pk]), pk__in=ids)
    if followed.count() != len(ids):
        raise not_followed_error(field)


def not_followed_error(field: str) -> ValidationError:
    return ValidationError({field: ValidationError(NOT_FOLLOWED_MESSAGE, code="not_followed")})
