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

A merge made by mistake can be undone by the structure that asked for it (`undo_merge`): the
merge writes a `PersonMerge` with what it changed (the duplicate's identity, keep's fields
before, the rows moved and the rows joined), and the undo gives every row back to the record it
belonged to, as before the merge. Rows recorded on `keep` since the merge stay on `keep`.
"""

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from maillage.accounts.rules import roles_of
from maillage.core import personal_data

from .. import identity, visibility
from ..common import claim_version, name_key, require
from ..models import (
    Accompaniment,
    ActParticipant,
    Consent,
    Gender,
    Person,
    PersonMerge,
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


def _json(value):
    """A value as JSON can hold it (dates, UUIDs and decimals as text)."""
    return (
        DjangoJSONEncoder().default(value)
        if value is not None and not isinstance(value, (str, int, float, bool))
        else value
    )


def _fields(obj, exclude=("id",)) -> dict:
    return {
        f.attname: _json(getattr(obj, f.attname))
        for f in obj._meta.concrete_fields
        if f.attname not in exclude
    }


def _move_rows(keep: Person, duplicate: Person, log: dict) -> None:
    """The register's rows that simply follow the record kept (`on_merge="move"`)."""
    for entry in personal_data.entries():
        if entry.on_merge == "move":
            rows = entry.model._base_manager.filter(**{entry.link: duplicate})
            log["moved"][entry.label] = list(rows.values_list("pk", flat=True))
            rows.update(**{entry.link: keep})


def _merge_accompaniments(keep: Person, duplicate: Person, log: dict) -> None:
    kept = {a.structure_id: a for a in Accompaniment.objects.filter(person=keep)}
    for accompaniment in Accompaniment.objects.filter(person=duplicate):
        same = kept.get(accompaniment.structure_id)
        if same is None:
            Accompaniment.objects.filter(pk=accompaniment.pk).update(person=keep)
            log["accompaniments"].append({"moved": accompaniment.pk})
            continue
        log["accompaniments"].append(
            {
                "kept": same.pk,
                "before": _fields(same, exclude=("id", "person_id", "structure_id")),
                "row": _fields(accompaniment),
            }
        )
        same.started_on = min(same.started_on, accompaniment.started_on)
        if same.ended_on is None or accompaniment.ended_on is None:
            same.ended_on = None
        else:
            same.ended_on = max(same.ended_on, accompaniment.ended_on)
        same.referent = same.referent or accompaniment.referent
        same.save(update_fields=["started_on", "ended_on", "referent"])
        accompaniment.delete()


def _merge_consents(keep: Person, duplicate: Person, user, log: dict) -> None:
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
            log["consents_withdrawn"].append(consent.pk)
        log["consents"].append(consent.pk)
        consent.person = keep
        consent.save(update_fields=["person", "withdrawn_at", "withdrawn_by"])


def _merge_projects(keep: Person, duplicate: Person, log: dict) -> None:
    through = Project.persons.through
    already = set(through.objects.filter(person=keep).values_list("project_id", flat=True))
    mine = through.objects.filter(person=duplicate)
    log["projects"] = sorted(mine.values_list("project_id", flat=True))
    log["keep_projects"] = sorted(already)
    mine.filter(project_id__in=already).delete()
    mine.update(person=keep)


def _merge_participations(keep: Person, duplicate: Person, log: dict) -> None:
    kept = {p.act_id: p for p in ActParticipant.objects.filter(person=keep)}
    for participation in ActParticipant.objects.filter(person=duplicate):
        same = kept.get(participation.act_id)
        if same is None:
            ActParticipant.objects.filter(pk=participation.pk).update(person=keep)
            log["participations"].append({"moved": participation.pk})
            continue
        log["participations"].append(
            {"kept": same.pk, "attended": same.attended, "row": _fields(participation)}
        )
        if participation.attended and not same.attended:
            same.attended = True
            same.save(update_fields=["attended"])
        participation.delete()


def _merge_plans(keep: Person, duplicate: Person, user, log: dict) -> None:
    duplicate_plan = Plan.objects.filter(person=duplicate).first()
    if duplicate_plan is None:
        return
    keep_plan = Plan.objects.filter(person=keep).first()
    if keep_plan is None:
        # The plan (with its steps and revisions) moves as a whole.
        Plan.objects.filter(pk=duplicate_plan.pk).update(person=keep)
        log["plan"] = {"moved": duplicate_plan.pk}
        return
    steps = list(PlanStep.objects.filter(plan=duplicate_plan).order_by("position", "pk"))
    if not steps:
        return
    last = (
        PlanStep.objects.filter(plan=keep_plan)
        .order_by("-position")
        .values_list("position", flat=True)
    ).first() or 0
    log["plan"] = {
        "from": duplicate_plan.pk,
        "steps": [[step.pk, step.position] for step in steps],
    }
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
    asked_by = (
        Accompaniment.objects.filter(
            person_id__in=[keep.pk, duplicate.pk], structure_id__in=roles_of(user).staff_of
        )
        .order_by("structure_id")
        .values_list("structure_id", flat=True)
        .first()
    )
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

    log = {
        "duplicate": _fields(duplicate),
        "keep": _fields(keep),
        "moved": {},
        "accompaniments": [],
        "consents": [],
        "consents_withdrawn": [],
        "projects": [],
        "participations": [],
        "plan": None,
    }
    _merge_accompaniments(keep, duplicate, log)
    _merge_consents(keep, duplicate, user, log)
    _merge_projects(keep, duplicate, log)
    _merge_participations(keep, duplicate, log)
    _merge_plans(keep, duplicate, user, log)
    _move_rows(keep, duplicate, log)

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
    after = _fields(keep)
    log["keep_after"] = {name: after[name] for name in after if after[name] != log["keep"][name]}
    PersonMerge.objects.create(
        keep=keep,
        duplicate=duplicate,
        structure_id=asked_by,
        by=user,
        at=timezone.now(),
        undo=log,
    )
    return keep


# --- Separating two records merged by mistake ------------------------------------------------


def undoable_merges(user, person: Person):
    """The merges into `person` that the user's structures asked for and may still undo."""
    return PersonMerge.objects.filter(
        keep=person,
        undone_at__isnull=True,
        structure_id__in=roles_of(user).staff_of,
        duplicate__merged_into=person,
    ).select_related("structure")


def _restore(obj, values: dict) -> None:
    fields = {f.attname: f for f in obj._meta.concrete_fields}
    for name, value in values.items():
        setattr(obj, name, fields[name].to_python(value))


@transaction.atomic
def undo_merge(*, merge: PersonMerge, user) -> Person:
    """Separate two records merged by mistake, as they were before the merge: the duplicate
    gets its identity back, and every row that was its own (accompaniments, consents, projects,
    acts, referrals, applications, outcomes, plan steps, notes, access log) goes back to it;
    keep's fields filled from the duplicate are emptied again (unless changed since). Only a
    member of the structure that asked for the merge may undo it. Returns the duplicate."""
    merge = PersonMerge.objects.select_for_update().get(pk=merge.pk)
    keep = Person.objects.select_for_update().get(pk=merge.keep_id)
    duplicate = Person.objects.select_for_update().get(pk=merge.duplicate_id)
    require(user, "change_person", keep)
    if merge.structure_id is None or merge.structure_id not in roles_of(user).staff_of:
        raise ValidationError(
            _("Only the structure that asked for this merge can undo it."), code="not_asker"
        )
    if merge.undone_at is not None or not merge.undo:
        raise ValidationError(_("This merge can no longer be undone."), code="undone")
    if keep.is_anonymised or keep.merged_into_id or duplicate.merged_into_id != keep.pk:
        raise ValidationError(
            _("This record was erased or merged again since: the merge can no longer be undone."),
            code="changed",
        )
    log = merge.undo
    # The duplicate's rows, back to it.
    for label, pks in log["moved"].items():
        entry = next(e for e in personal_data.entries() if e.label == label)
        entry.model._base_manager.filter(pk__in=pks, **{entry.link: keep}).update(
            **{entry.link: duplicate}
        )
    for item in log["accompaniments"]:
        if "moved" in item:
            Accompaniment.objects.filter(pk=item["moved"], person=keep).update(person=duplicate)
            continue
        same = Accompaniment.objects.filter(pk=item["kept"]).first()
        if same is not None:
            _restore(same, item["before"])
            same.save()
        row = Accompaniment()
        _restore(row, item["row"])
        row.person_id = duplicate.pk
        row.save(force_insert=True)
    consents = list(
        Consent.objects.filter(pk__in=log["consents"], person=keep).values_list("pk", flat=True)
    )
    Consent.objects.filter(pk__in=consents).update(person=duplicate)
    Consent.objects.filter(pk__in=set(consents) & set(log["consents_withdrawn"])).update(
        withdrawn_at=None, withdrawn_by=None
    )
    through = Project.persons.through
    moved_projects = set(log["projects"]) - set(log["keep_projects"])
    through.objects.filter(person=keep, project_id__in=moved_projects).update(person=duplicate)
    for project_id in set(log["projects"]) & set(log["keep_projects"]):
        through.objects.get_or_create(person=duplicate, project_id=project_id)
    for item in log["participations"]:
        if "moved" in item:
            ActParticipant.objects.filter(pk=item["moved"], person=keep).update(person=duplicate)
            continue
        ActParticipant.objects.filter(pk=item["kept"]).update(attended=item["attended"])
        row = ActParticipant()
        _restore(row, item["row"])
        row.person_id = duplicate.pk
        row.save(force_insert=True)
    plan = log.get("plan")
    if plan and "moved" in plan:
        Plan.objects.filter(pk=plan["moved"], person=keep).update(person=duplicate)
    elif plan:
        for pk, position in plan["steps"]:
            PlanStep.objects.filter(pk=pk).update(plan_id=plan["from"], position=position)
    # The identities as before (keep's fields filled by the merge, unless changed since).
    _restore(duplicate, {k: v for k, v in log["duplicate"].items() if k != "version"})
    duplicate.merged_into = None
    duplicate.version = Person.objects.get(pk=duplicate.pk).version + 1
    duplicate.save()
    current = _fields(keep)
    back = {
        name: log["keep"][name]
        for name, value in log["keep_after"].items()
        if name not in ("version", "updated_at") and current.get(name) == value
    }
    _restore(keep, back)
    claim_version(keep, None)
    keep.save()
    for person in (keep, duplicate):
        identity.refresh_keys(person)
        _sync_sharing_flag(person)
        visibility.forget(person)
    merge.undone_at = timezone.now()
    merge.undo = {}
    merge.save(update_fields=["undone_at", "undo"])
    return duplicate
