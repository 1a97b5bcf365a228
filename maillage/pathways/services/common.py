"""What every pathways service shares: permission checks, optimistic locking, small helpers."""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from maillage.accounts.rules import can
from maillage.core.text import normalise

STALE_MESSAGE = _(
    "Someone else saved this record while you were editing it. Your changes were not saved: "
    "reload the page to see theirs, then enter yours again."
)


class StaleRecordError(ValidationError):
    """The record changed since the form was read (optimistic locking)."""

    def __init__(self):
        super().__init__(STALE_MESSAGE, code="stale")


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
        raise StaleRecordError()
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
