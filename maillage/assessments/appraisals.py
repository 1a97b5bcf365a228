"""Collective appraisal sessions (seed 004, sheet II-3): a group appraises a subject against the
cursor items of an instrument (the axes), argument by argument.

Rules of the room:
- a facilitator opens the session with the people present: at least three in all;
- only the facilitator records an argument (who spoke, for or against, the axis, the text) and
  the amount the group agreed it moves the cursor (0 to 1, by quarters; whole steps on an axis
  that stops at -2, -1, 0, +1, +2); "for" moves towards the favourable pole, "against" away from
  it; the cursor stops at the poles;
- the facilitator flags or unflags priority axes and closes the session: the final positions
  become a submitted collective assessment of the subject (`Appraisal.result`), compared with
  the next session like any assessment; a closed session no longer changes;
- the log of arguments is the session's memory: the board after argument N is computed from it.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from maillage.accounts.rules import can

from . import scoring, services
from .definition import iter_items
from .models import (
    SUBJECT_FIELDS,
    Appraisal,
    AppraisalStatus,
    Argument,
    AssessmentStatus,
    Context,
    Item,
    Side,
    SubjectKind,
    in_language,
)
from .services import require

MINIMUM_PEOPLE = 3
AMOUNTS = (Decimal("0"), Decimal("0.25"), Decimal("0.5"), Decimal("0.75"), Decimal("1"))
LOW, HIGH = Decimal(-2), Decimal(2)
SUBJECT_KINDS = (SubjectKind.PROJECT, SubjectKind.STRUCTURE, SubjectKind.NETWORK)


def axes_of(content) -> list[dict]:
    """The instrument's cursor items: the axes a session moves."""
    return [item for _s, _c, item in iter_items(content) if item["type"] == "cursor"]


def _check_open(appraisal: Appraisal) -> None:
    if appraisal.status != AppraisalStatus.OPEN:
        raise ValidationError(_("This session is closed: it no longer changes."))


def _people(appraisal: Appraisal) -> set[int]:
    return {appraisal.facilitator_id, *appraisal.participants.values_list("pk", flat=True)}


@transaction.atomic
def open_appraisal(
    *,
    version,
    subject_kind: str,
    subject,
    user,
    participants,
    structure=None,
    title: str = "",
    held_on: datetime.date | None = None,
) -> Appraisal:
    """Open a session on `subject`, facilitated by `user` and held by `structure` (None: the
    network's own, by its coordinators), with `participants` present."""
    if structure is not None:
        require(user, "open_appraisal", structure)
    elif subject_kind == SubjectKind.NETWORK:
        require(user, "record_network_assessment", subject)
    else:
        raise ValidationError({"structure": _("Say which structure holds this session.")})
    if subject_kind not in SUBJECT_KINDS or subject_kind not in version.content["subjects"]:
        raise ValidationError(
            {"subject_kind": _("This instrument is not made to appraise this kind of subject.")}
        )
    if not axes_of(version.content):
        raise ValidationError(
            {"version": _("This instrument has no cursor to move: choose another one.")}
        )
    services.check_subject_visible(user, subject_kind, subject)
    people = {user, *participants}
    if len(people) < MINIMUM_PEOPLE:
        raise ValidationError(
            {
                "participants": _(
                    "A collective appraisal needs at least three people present, the facilitator "
                    "included."
                )
            }
        )
    for person in people - {user}:
        if not can(person, "access_assessments"):
            raise ValidationError(
                {
                    "participants": _("%(name)s does not work in a structure of the network.")
                    % {"name": person.get_full_name() or person.email}
                }
            )
    if subject_kind == SubjectKind.PROJECT:
        from maillage.pathways.visibility import projects_visible_to

        for person in people - {user}:
            if not projects_visible_to(person).filter(pk=subject.pk).exists():
                raise ValidationError(
                    {
                        "participants": _("%(name)s may not see this project.")
                        % {"name": person.get_full_name() or person.email}
                    }
                )
    appraisal = Appraisal(
        version=version,
        subject_kind=subject_kind,
        structure=structure,
        title=title.strip(),
        held_on=held_on or timezone.localdate(),
        facilitator=user,
        **{SUBJECT_FIELDS[subject_kind]: subject},
    )
    appraisal.full_clean()
    appraisal.save()
    appraisal.participants.set(people - {user})
    return appraisal


def _locked(appraisal: Appraisal, user) -> Appraisal:
    require(user, "facilitate_appraisal", appraisal)
    appraisal = Appraisal.objects.select_for_update().get(pk=appraisal.pk)
    _check_open(appraisal)
    return appraisal


@transaction.atomic
def record_argument(
    *, appraisal: Appraisal, user, speaker, side: str, axis: str, text: str, amount
) -> Argument:
    """Record the next argument and move its axis's cursor by `amount` (towards the favourable
    pole when `side` is for, away from it when against)."""
    appraisal = _locked(appraisal, user)
    errors = {}
    if speaker is None or speaker.pk not in _people(appraisal):
        errors["speaker"] = _("Choose who spoke among the people present.")
    if side not in Side.values:
        errors["side"] = _("Say whether the argument is for or against.")
    spec = next((item for item in axes_of(appraisal.version.content) if item["key"] == axis), None)
    if spec is None:
        errors["axis"] = _("Choose an axis of the instrument.")
    if not (text or "").strip():
        errors["text"] = _("Write the argument down.")
    try:
        amount = Decimal(str(amount).replace(",", ".")).normalize()
    except ArithmeticError:
        amount = None
    if amount is None or amount not in AMOUNTS:
        errors["amount"] = _("The cursor moves by 0, 0.25, 0.5, 0.75 or 1.")
    elif spec is not None and not spec.get("continuous") and amount not in (0, 1):
        errors["amount"] = _("On this axis the cursor moves by whole steps: 0 or 1.")
    if errors:
        raise ValidationError(errors)
    last = appraisal.arguments.filter(item__key=axis).order_by("-number").first()
    before = last.position_after if last else Decimal(0)
    moved = before + amount if side == Side.FOR else before - amount
    number = (appraisal.arguments.order_by("-number").values_list("number", flat=True).first()) or 0
    argument = Argument(
        appraisal=appraisal,
        number=number + 1,
        speaker=speaker,
        side=side,
        item=Item.objects.get(version=appraisal.version, key=axis),
        text=text.strip(),
        amount=amount,
        position_after=min(HIGH, max(LOW, moved)),
        recorded_by=user,
    )
    argument.full_clean()
    argument.save()
    return argument


@transaction.atomic
def flag_priority(*, appraisal: Appraisal, user, axis: str, priority: bool) -> Appraisal:
    appraisal = _locked(appraisal, user)
    if axis not in {item["key"] for item in axes_of(appraisal.version.content)}:
        raise ValidationError({"axis": _("Choose an axis of the instrument.")})
    keys = [key for key in appraisal.priorities if key != axis]
    if priority:
        keys.append(axis)
    appraisal.priorities = keys
    appraisal.save(update_fields=["priorities"])
    return appraisal


@transaction.atomic
def close_appraisal(*, appraisal: Appraisal, user) -> Appraisal:
    """Close the session: the final position of every axis argued about becomes the answer of a
    submitted collective assessment of the subject (axes nobody argued about stay unanswered)."""
    appraisal = _locked(appraisal, user)
    positions = positions_after(appraisal)
    if not positions:
        raise ValidationError(_("Record at least one argument before closing the session."))
    result = services.create_assessment(
        version=appraisal.version,
        subject_kind=appraisal.subject_kind,
        subject=appraisal.subject,
        context=Context.COLLECTIVE,
        user=user,
        structure=appraisal.structure,
        title=appraisal.title or str(_("Collective appraisal")),
        assessed_on=appraisal.held_on,
    )
    services.record_answers(
        assessment=result,
        user=user,
        answers={
            key: scoring.Answer(int(value) if value == value.to_integral_value() else float(value))
            for key, value in positions.items()
        },
    )
    result.status = AssessmentStatus.SUBMITTED
    result.save(update_fields=["status"])
    appraisal.result = result
    appraisal.status = AppraisalStatus.CLOSED
    appraisal.save(update_fields=["result", "status"])
    return appraisal


# --- The board ---------------------------------------------------------------------------------


def positions_after(appraisal: Appraisal, number: int | None = None) -> dict[str, Decimal]:
    """`{axis key: position}` after argument `number` (all of them when None), for the axes
    argued about so far."""
    arguments = appraisal.arguments.order_by("number")
    if number is not None:
        arguments = arguments.filter(number__lte=number)
    return dict(arguments.values_list("item__key", "position_after"))


@dataclass(frozen=True)
class AxisRow:
    key: str
    text: str
    low: str
    high: str
    position: Decimal
    argued: bool
    priority: bool

    @property
    def shown(self) -> str:
        """The position as read aloud: signed, two decimals, in the active language."""
        sign = "+" if self.position > 0 else ""
        return sign + number_format(self.position.quantize(Decimal("0.01")))

    @property
    def cursor_x(self) -> float:
        """Where the cursor sits on the drawn line (x from 8 at -2 to 152 at +2)."""
        return 8 + float((self.position - LOW) / (HIGH - LOW)) * 144


def board(appraisal: Appraisal, positions: dict[str, Decimal]) -> list[dict]:
    """The axes by section (pillar), each with its position (0 when not argued about yet)."""
    sections = []
    for section in appraisal.version.content["sections"]:
        rows = []
        for criterion in section["criteria"]:
            for item in criterion["items"]:
                if item["type"] != "cursor":
                    continue
                rows.append(
                    AxisRow(
                        key=item["key"],
                        text=in_language(item["text"]),
                        low=in_language(item["poles"]["low"]),
                        high=in_language(item["poles"]["high"]),
                        position=positions.get(item["key"], Decimal(0)),
                        argued=item["key"] in positions,
                        priority=item["key"] in appraisal.priorities,
                    )
                )
        if rows:
            sections.append(
                {"key": section["key"], "title": in_language(section["title"]), "axes": rows}
            )
    return sections


def earlier_sessions(appraisal: Appraisal, visible):
    """The closed sessions of `visible` on the same subject with an instrument of the same family,
    other than this one, newest first (to compare this year's result with last year's)."""
    field = SUBJECT_FIELDS[appraisal.subject_kind]
    return (
        visible.filter(
            status=AppraisalStatus.CLOSED,
            subject_kind=appraisal.subject_kind,
            version__instrument__family=appraisal.version.instrument.family,
            **{field: appraisal.subject},
        )
        .exclude(pk=appraisal.pk)
        .select_related("result")
        .order_by("-held_on", "-pk")
    )


def check_facilitator(user, appraisal) -> None:
    if not can(user, "facilitate_appraisal", appraisal):
        raise PermissionDenied("facilitate_appraisal")
