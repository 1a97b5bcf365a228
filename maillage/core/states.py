"""State machines as data, and the one way to move a record along one, with its log.

A `StateMachine` declares, for a model's status field, the moves allowed from each status, the
statuses a record may start in, and where a move is logged: a log model (any model with
`from_status`, `to_status`, `at`, `by` and a foreign key to the record named by `log_link`),
or a function `log(obj, from_status, to_status, by=…, at=…, note=…)`.

`move(machine, obj, to_status, by=…)` refuses a move the machine does not list
(`ValidationError`, code "invalid_transition"), sets the status, saves the record and writes
the log row, in one transaction. `started(machine, obj, by=…)` logs the creation of a record
("" → its first status). Side effects (e-mails, files, notifications) stay in the services.
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class StateMachine:
    transitions: Mapping[str, frozenset[str]]
    # The statuses a record may be created in (logged as "" → status).
    initial: frozenset[str] = frozenset()
    # The status choices (a TextChoices class), for the refusal message.
    choices: type | None = None
    status_field: str = "status"
    # The log: a model ("app_label.ModelName") with a foreign key `log_link` to the record…
    log_model: str = ""
    log_link: str = ""
    # … or a function writing the log row.
    log_function: Callable | None = field(default=None, compare=False)
    # The refusal message (lazily translated, with %(current)s and %(new)s), if not the generic one.
    refusal: str = field(default="", compare=False)

    def may_go(self, from_status: str, to_status: str) -> bool:
        if not from_status:
            return to_status in self.initial
        return to_status in self.transitions.get(from_status, frozenset())

    def check(self, from_status: str, to_status: str) -> None:
        if not self.may_go(from_status, to_status):
            message = self.refusal or _("The status “%(current)s” cannot become “%(new)s”.")
            raise ValidationError(
                message % {"current": self.label(from_status), "new": self.label(to_status)},
                code="invalid_transition",
            )

    def label(self, status: str) -> str:
        if not status:
            return "∅"
        if self.choices is not None:
            try:
                return str(self.choices(status).label)
            except ValueError:
                pass
        return status

    def log(self, obj, from_status: str, to_status: str, *, by=None, at=None, note: str = ""):
        """Write the log row of a move (already checked)."""
        at = at or timezone.now()
        if self.log_function is not None:
            return self.log_function(obj, from_status, to_status, by=by, at=at, note=note)
        model = apps.get_model(self.log_model)
        values = {self.log_link: obj, "from_status": from_status, "to_status": to_status}
        values.update(at=at, by=by)
        if note:
            values["note"] = note
        return model.objects.create(**values)

    def statuses(self) -> set[str]:
        return set(self.transitions) | {s for moves in self.transitions.values() for s in moves}


def move(
    machine: StateMachine,
    obj,
    to_status: str,
    *,
    by=None,
    at=None,
    note: str = "",
    update_fields: Iterable[str] | None = None,
    only_from: str | None = None,
    save: bool = True,
) -> bool:
    """Move `obj` to `to_status`: check, set, save, log; True when moved.

    `save=False`: check, set and log only; the caller saves the record with the other fields
    the move changes, in its own transaction (the pathways services, which set dates and
    answers with the status).
    `update_fields`: the other fields to save with the status (None: the whole record).
    `only_from`: compare and set: the record is written only if the database still has this
    status (one `UPDATE … WHERE status = …`, for moves that may race); False when it had not.
    """
    name = machine.status_field
    from_status = getattr(obj, name) if only_from is None else only_from
    machine.check(from_status, to_status)
    if not save:
        machine.log(obj, from_status, to_status, by=by, at=at, note=note)
        setattr(obj, name, to_status)
        return True
    setattr(obj, name, to_status)
    try:
        with transaction.atomic():
            if only_from is not None:
                fields = [obj._meta.get_field(f).attname for f in (name, *(update_fields or ()))]
                values = {attname: getattr(obj, attname) for attname in fields}
                updated = type(obj)._base_manager.filter(pk=obj.pk, **{name: only_from})
                if not updated.update(**values):
                    setattr(obj, name, from_status)
                    return False
            else:
                fields = None if update_fields is None else [name, *update_fields]
                obj.save(update_fields=fields)
            machine.log(obj, from_status, to_status, by=by, at=at, note=note)
    except BaseException:
        setattr(obj, name, from_status)  # the record stays as the database has it
        raise
    return True


def started(machine: StateMachine, obj, *, by=None, at=None, note: str = "") -> None:
    """Log the creation of `obj` (saved) in its first status."""
    status = getattr(obj, machine.status_field)
    machine.check("", status)
    machine.log(obj, "", status, by=by, at=at, note=note)
