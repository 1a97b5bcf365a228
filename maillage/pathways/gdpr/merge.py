"""Merging two records of the same human: everything moves to the record kept.

Nothing is lost: accompaniments, consents, notes, projects, applications, referrals, act
participations, outcomes, plan steps and the access log of the duplicate move to `keep`. The
personal-data register (`maillage.core.personal_data`) says which rows simply follow the record
kept (`on_merge="move"`), which ones this module joins itself ("merge") and which identity fields
of `keep` are filled from the duplicate (`fill_on_merge`). Where
the database allows one row only (one accompaniment per structure, one participation per act,
one active consent per scope), the two rows become one that keeps the information of both.
The duplicate stays as an empty, anonymised record pointing to `keep` (`merged_into`), so that
links and statistics made with its pseudonymous id still resolve.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from maillage.core import personal_data

from .. import identity, visibility
from ..common import claim_version, name_key, require
from ..models import (
    Accompaniment,
    ActParticipant,
    Consent,
    Gender,
    Person,
    Plan,
    PlanRevision,
    PlanStep,
    Project,
)
from ..persons.services import _sync_sharing_flag
from ..plans.services import _snapshot
from .services import erase_identity


def filled_when_empty() -> list[str]:
    """Identity fields of `keep` filled from the duplicate when `keep` has none (the register
    marks them `fill_on_merge`)."""
    return [
        name for name, rule in personal_data.personal_fields(Person).items() if rule.fill_on_merge
    ]


def _move_rows(keep: Person, duplicate: Person) -> None:
    """The register's rows that simply follow the record kept (`on_merge="move"`)."""
    for entry in personal_data.entries():
        if entry.on_merge == "move":
            entry.model._base_manager.filter(**{entry.link: duplicate}).update(**{entry.link: keep})


def _merge_accompaniments(keep: Person, duplicate: Person) -> None:
    kept = {a.structure_id: a for a in Accompaniment.objects.filter(person=keep)}
    for accompaniment in Accompaniment.objects.filter(person=duplicate):
        same = kept.get(accompaniment.structure_id)
        if same is None:
            Accompaniment.objects.filter(pk=accompaniment.pk).update(person=keep)
            continue
        same.started_on = min(same.started_on, accompaniment.started_on)
        if same.ended_on is None or accompaniment.ended_on is None:
            same.ended_on = None
        else:
            same.ended_on = max(same.ended_on, accompaniment.ended_on)
        same.referent = same.referent or accompaniment.referent
        same.save(update_fields=["started_on", "ended_on", "referent"])
        accompaniment.delete()


def _merge_consents(keep: Person, duplicate: Person, user) -> None:
    active = set(
        Consent.objects.filter(person=keep, withdrawn_at__isnull=True).values_list(
            "scope", flat=True
        )
    )
    now = timezone.now()
    for consent in Consent.objects.filter(person=duplicate):
        if consent.withdrawn_at is None and consent.scope in active:
            # Keep's consent of the same scope stays the active one; this one is history.
            consent.withdrawn_at = max(now, consent.given_at)
            consent.withdrawn_by = user
        consent.person = keep
        consent.save(update_fields=["person", "withdrawn_at", "withdrawn_by"])


def _merge_projects(keep: Person, duplicate: Person) -> None:
    through = Project.persons.through
    already = set(through.objects.filter(person=keep).values_list("project_id", flat=True))
    through.objects.filter(person=duplicate, project_id__in=already).delete()
    through.objects.filter(person=duplicate).update(person=keep)


def _merge_participations(keep: Person, duplicate: Person) -> None:
    kept = {p.act_id: p for p in ActParticipant.objects.filter(person=keep)}
    for participation in ActParticipant.objects.filter(person=duplicate):
        same = kept.get(participation.act_id)
        if same is None:
            ActParticipant.objects.filter(pk=participation.pk).update(person=keep)
            continue
        if participation.attended and not same.attended:
            same.attended = True
            same.save(update_fields=["attended"])
        participation.delete()


def _merge_plans(keep: Person, duplicate: Person, user) -> None:
    duplicate_plan = Plan.objects.filter(person=duplicate).first()
    if duplicate_plan is None:
        return
    keep_plan = Plan.objects.filter(person=keep).first()
    if keep_plan is None:
        # The plan (with its steps and revisions) moves as a whole.
        Plan.objects.filter(pk=duplicate_plan.pk).update(person=keep)
        return
    steps = list(PlanStep.objects.filter(plan=duplicate_plan).order_by("position", "pk"))
    if not steps:
        return
    last = (
        PlanStep.objects.filter(plan=keep_plan)
        .order_by("-position")
        .values_list("position", flat=True)
    ).first() or 0
    for offset, step in enumerate(steps, start=1):
        step.plan = keep_plan
        step.position = last + offset
        step.save(update_fields=["plan", "position"])
    claim_version(keep_plan, None)
    keep_plan.revision += 1
    keep_plan.save()
    PlanRevision.objects.create(
        plan=keep_plan,
        number=keep_plan.revision,
        steps=_snapshot(list(PlanStep.objects.filter(plan=keep_plan).order_by("position"))),
        author=user,
        structure=None,
    )


@transaction.atomic
def merge_persons(*, keep: Person, duplicate: Person, user) -> Person:
    """Move every row of `duplicate` to `keep`; the duplicate points to `keep` and is anonymised.

    Both records must be ones the user may change (their structure accompanies both).
    """
    if keep.pk == duplicate.pk:
        raise ValidationError(
            {"duplicate": _("Choose another record: a person cannot be merged with itself.")}
        )
    require(user, "change_person", keep)
    require(user, "change_person", duplicate)
    # Both rows locked in one statement, in a fixed order (two crossed merges cannot deadlock).
    locked = Person.objects.select_for_update().filter(pk__in=[keep.pk, duplicate.pk])
    rows = {person.pk: person for person in locked.order_by("pk")}
    keep, duplicate = rows[keep.pk], rows[duplicate.pk]
    for person in (keep, duplicate):
        if person.merged_into_id is not None:
            raise ValidationError(
                _("%(person)s was already merged into another record.") % {"person": person},
                code="merged",
            )
        if person.is_anonymised:
            raise ValidationError(
                _("The data of one of these records were erased: it cannot be merged."),
                code="anonymised",
            )

    _merge_accompaniments(keep, duplicate)
    _merge_consents(keep, duplicate, user)
    _merge_projects(keep, duplicate)
    _merge_participations(keep, duplicate)
    _merge_plans(keep, duplicate, user)
    _move_rows(keep, duplicate)

    for name in filled_when_empty():
        if getattr(keep, name) in ("", None) and getattr(duplicate, name) not in ("", None):
            setattr(keep, name, getattr(duplicate, name))
    if keep.birth_date:
        keep.birth_year = keep.birth_date.year
    keep.birth_year = keep.birth_year or duplicate.birth_year
    if keep.gender == Gender.UNKNOWN:
        keep.gender = duplicate.gender
    keep.priority_neighbourhood = keep.priority_neighbourhood or duplicate.priority_neighbourhood
    activity = [d for d in (keep.last_activity_on, duplicate.last_activity_on) if d]
    keep.last_activity_on = max(activity) if activity else None
    keep.name_key = name_key(keep.first_name, keep.last_name)
    claim_version(keep, None)
    keep.save()
    identity.refresh_keys(keep)
    _sync_sharing_flag(keep)

    duplicate.merged_into = keep
    erase_identity(duplicate, at=timezone.now())
    Person.objects.filter(pk=duplicate.pk).update(shares_with_network=False)
    visibility.forget(keep)
    visibility.forget(duplicate)
    return keep
