"""GDPR: the right of access (an export of everything about a person), erasure by anonymisation
and the access log.

Erasure never deletes a row: every act, application, referral, outcome and consent stays, so
every count that included the person is unchanged. What identifies the person goes, by the
personal-data register (`maillage.core.personal_data`, one `personal_data.py` per app, described
in docs/architecture.md), which says for every field whether it is cleared, scrubbed (every
spelling of the person's names, e-mail, phone and birth date replaced by "***", whatever the
accents, case or formatting) or kept for statistics:

- cleared: first and last name (replaced by "Personne anonymisée"), e-mail, phone, postal code,
  birth date, the duplicate-search key, the structures' file numbers; the bodies of their
  notes; the free texts of their referrals and of the transitions of their referrals and
  applications; the notes on their applications; the details of their outcomes; the proof text
  of their consents; the title and notes of the acts where they were the only participant; the
  identity and message of the contact requests they sent from the public site; the stored files
  of the imports that held them; the keys of the import rows of their records (a random token);
- scrubbed: the texts shared with other persons (collective acts, projects), their plan steps
  and revisions, the notifications about their referrals (the e-mails not sent yet are written
  from them), the import runs' file names, errors, warnings and duplicate lists, the background
  tasks' arguments, results and tracebacks;
- kept, so that statistics do not change: birth year, gender, situation, the département of
  their commune, the priority-neighbourhood flag, the pseudonymous `public_id`, dates and
  statuses.

No other copy exists: simple-history is not used on the register's models (a test checks it);
only networks, structures, stages, offers and sessions have a history, and they hold no person.
"""

import logging
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Prefetch
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from maillage.accounts.rules import roles_of
from maillage.core import personal_data
from maillage.core.personal_data import ANONYMISED_FIRST_NAME, ANONYMISED_LAST_NAME, SCRUBBED
from maillage.directory.models import ContactRequest, Structure
from maillage.directory.personal_data import ERASED_EMAIL

from .. import identity, visibility
from ..access import log_person_access
from ..common import require
from ..models import (
    Accompaniment,
    ActParticipant,
    Application,
    ApplicationTransition,
    Outcome,
    Person,
    PersonAccess,
    PersonNote,
    PlanStep,
    Project,
    Referral,
    ReferralTransition,
)

logger = logging.getLogger(__name__)

__all__ = ["ANONYMISED_FIRST_NAME", "ANONYMISED_LAST_NAME", "ERASED_EMAIL", "SCRUBBED"]

# --- Right of access -----------------------------------------------------------------------


def _iso(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat(timespec="seconds")
    return value.isoformat()


def _name(obj) -> str | None:
    return str(obj) if obj is not None else None


def _transitions(rows, labels) -> list[dict]:
    return [
        {
            "from": str(labels.get(row.from_status, row.from_status)) if row.from_status else None,
            "to": str(labels.get(row.to_status, row.to_status)),
            "at": _iso(row.at),
            "note": row.note,
        }
        for row in rows
    ]


def _held_elsewhere(person: Person, user) -> list[dict]:
    """The structures holding records about the person that `user` may not read, with how
    many of each kind: names and counts only, never the content."""
    staff = roles_of(user).staff_of
    kinds = [
        (
            _("accompaniments"),
            Accompaniment.objects.filter(person=person),
            visibility.accompaniments_visible_to(user),
            ["structure"],
        ),
        (
            _("projects"),
            Project.objects.filter(persons=person),
            Project.objects.filter(
                pk__in=visibility.project_links_visible_to(user)
                .filter(person=person)
                .values("project_id")
            ),
            ["created_by_structure"],
        ),
        (
            _("applications"),
            Application.objects.filter(person=person),
            visibility.applications_visible_to(user),
            ["structure"],
        ),
        (
            _("referrals"),
            Referral.objects.filter(person=person),
            visibility.referrals_visible_to(user),
            ["from_structure", "to_structure"],
        ),
        (
            _("professional acts"),
            ActParticipant.objects.filter(person=person),
            visibility.participations_visible_to(user),
            ["act__structure"],
        ),
        (
            _("outcomes"),
            Outcome.objects.filter(person=person),
            visibility.outcomes_visible_to(user),
            ["structure"],
        ),
        (
            _("notes"),
            PersonNote.objects.filter(person=person),
            visibility.notes_visible_to(user),
            ["structure"],
        ),
        (
            _("steps of the accompaniment plan"),
            PlanStep.objects.filter(plan__person=person),
            visibility.plan_steps_visible_to(user),
            ["responsible_structure"],
        ),
    ]
    held: dict[tuple[str, int], dict] = {}
    for label, rows, visible, structure_fields in kinds:
        hidden = rows.exclude(pk__in=visible.values("pk"))
        for name in structure_fields:
            counted = (
                hidden.filter(**{f"{name}__isnull": False})
                .exclude(**{f"{name}_id__in": staff})
                .order_by()
                .values(f"{name}_id", f"{name}__name")
                .annotate(n=Count("pk"))
            )
            for row in counted:
                key = (row[f"{name}__name"], row[f"{name}_id"])
                entry = held.setdefault(key, {"structure": key[0], "records": {}})
                entry["records"][str(label)] = entry["records"].get(str(label), 0) + row["n"]
    return [
        {
            "structure": entry["structure"],
            "records": [{"kind": kind, "count": n} for kind, n in entry["records"].items()],
        }
        for _key, entry in sorted(held.items())
    ]


def person_data(person: Person, user) -> dict:
    """What the network holds about the person, as `user` may give it to them.

    Every record `user` may read under the person page's rule (the `<record>_visible_to(user)`
    selectors of `visibility.py`, the same the page and the API use) is given in full. For the
    records of other structures that `user` may not read, `held_elsewhere` names the structures
    and counts their records of each kind, so that the person knows where to ask, without their
    content: the export is the person's right, not a way for an advisor to read other
    structures' records. Act notes are private to the acting structure: only those of `user`'s
    structures appear, and never those of a collective act (they speak of others). Labels are
    in the current language.
    """
    from ..models import ApplicationStatus, ReferralStatus

    application_labels = dict(ApplicationStatus.choices)
    referral_labels = dict(ReferralStatus.choices)
    staff = roles_of(user).staff_of
    person = Person.objects.select_related("commune", "situation", "created_by_structure").get(
        pk=person.pk
    )
    accompaniments = (
        visibility.accompaniments_visible_to(user)
        .filter(person=person)
        .select_related("structure", "referent")
    )
    consents = (
        visibility.consents_visible_to(user).filter(person=person).select_related("structure")
    )
    projects = (
        Project.objects.filter(
            pk__in=visibility.project_links_visible_to(user)
            .filter(person=person)
            .values("project_id")
        )
        .select_related("sector", "envisaged_legal_form", "current_stage")
        .order_by("-created_at", "-pk")
    )
    applications = (
        visibility.applications_visible_to(user)
        .filter(person=person)
        .select_related(
            "offer", "session", "structure", "project", "no_next_step_reason", "end_reason"
        )
        .prefetch_related(
            Prefetch("transitions", queryset=ApplicationTransition.objects.order_by("at", "pk"))
        )
    )
    referrals = (
        visibility.referrals_visible_to(user)
        .filter(person=person)
        .select_related("from_structure", "to_structure", "to_offer", "decline_reason", "project")
        .prefetch_related(
            Prefetch("transitions", queryset=ReferralTransition.objects.order_by("at", "pk"))
        )
    )
    participations = (
        visibility.participations_visible_to(user)
        .filter(person=person)
        .select_related("act__act_type", "act__structure", "act__offer", "act__session")
        .order_by("-act__occurred_on", "-act__pk")
    )
    outcomes = (
        visibility.outcomes_visible_to(user)
        .filter(person=person)
        .select_related("outcome_type", "structure", "legal_form", "project")
    )
    notes = visibility.notes_visible_to(user).filter(person=person).select_related("structure")
    plan = (
        visibility.plans_visible_to(user)
        .filter(person=person)
        .prefetch_related(
            Prefetch(
                "steps",
                queryset=visibility.plan_steps_visible_to(user).select_related(
                    "offer", "responsible_structure"
                ),
            ),
            Prefetch(
                "revisions",
                queryset=visibility.plan_revisions_visible_to(user).select_related("structure"),
            ),
        )
        .first()
    )
    access_log = PersonAccess.objects.filter(person=person).select_related("user")

    def act_notes(act) -> str:
        # Private to the acting structure; a collective act's notes speak of others too.
        if act.structure_id not in staff or act.is_collective:
            return ""
        return act.notes

    return {
        "generated_at": _iso(timezone.now()),
        "person": {
            "identifier": str(person.uuid),
            "pseudonymous_identifier": str(person.public_id),
            "first_name": person.first_name,
            "last_name": person.last_name,
            "birth_date": _iso(person.birth_date),
            "birth_year": person.birth_year,
            "gender": person.get_gender_display(),
            "email": person.email,
            "phone": person.phone,
            "postal_code": person.postal_code,
            "commune": _name(person.commune) or person.commune_text or None,
            "situation": _name(person.situation),
            "priority_neighbourhood": person.priority_neighbourhood,
            "shares_with_network": person.shares_with_network,
            "recorded_by_structure": _name(person.created_by_structure),
            "recorded_at": _iso(person.created_at),
            "last_activity_on": _iso(person.last_activity_on),
            "anonymised_at": _iso(person.anonymised_at),
        },
        "accompaniments": [
            {
                "structure": str(a.structure),
                "started_on": _iso(a.started_on),
                "ended_on": _iso(a.ended_on),
                "referent": _name(a.referent),
            }
            for a in accompaniments
        ],
        "consents": [
            {
                "scope": c.get_scope_display(),
                "method": c.get_method_display(),
                "proof": c.proof,
                "text": c.text,
                "given_at": _iso(c.given_at),
                "withdrawn_at": _iso(c.withdrawn_at),
                "recorded_by_structure": _name(c.structure),
            }
            for c in consents
        ],
        "projects": [
            {
                "identifier": str(p.uuid),
                "title": p.title,
                "description": p.description,
                "kind": p.get_kind_display(),
                "sector": _name(p.sector),
                "envisaged_legal_form": _name(p.envisaged_legal_form),
                "current_stage": _name(p.current_stage),
                "recorded_at": _iso(p.created_at),
            }
            for p in projects
        ],
        "applications": [
            {
                "identifier": str(a.uuid),
                "offer": str(a.offer),
                "structure": str(a.structure),
                "session": _name(a.session),
                "project": _name(a.project),
                "status": a.get_status_display(),
                "submitted_on": _iso(a.submitted_on),
                "decided_at": _iso(a.decided_at),
                "no_next_step_reason": _name(a.no_next_step_reason),
                "no_next_step_note": a.no_next_step_note,
                "end_reason": _name(a.end_reason),
                "end_note": a.end_note,
                "transitions": _transitions(a.transitions.all(), application_labels),
            }
            for a in applications
        ],
        "referrals": [
            {
                "identifier": str(r.uuid),
                "from_structure": str(r.from_structure or _("public site")),
                "to_structure": str(r.to_structure),
                "to_offer": _name(r.to_offer),
                "project": _name(r.project),
                "status": r.get_status_display(),
                "sent_at": _iso(r.sent_at),
                "answered_at": _iso(r.answered_at),
                "first_meeting_on": _iso(r.first_meeting_on),
                "closed_at": _iso(r.closed_at),
                "reason": r.reason,
                "shared_info": r.shared_info,
                "person_data_shared": r.shares_person_data,
                "decline_reason": _name(r.decline_reason),
                "decline_note": r.decline_note,
                "transitions": _transitions(r.transitions.all(), referral_labels),
            }
            for r in referrals
        ],
        "acts": [
            {
                "identifier": str(p.act.uuid),
                "type": str(p.act.act_type),
                "date": _iso(p.act.occurred_on),
                "duration_minutes": p.act.duration_minutes,
                "structure": str(p.act.structure),
                "offer": _name(p.act.offer),
                "title": p.act.title,
                "collective": p.act.is_collective,
                "attended": p.attended,
                "notes": act_notes(p.act),
            }
            for p in participations
        ],
        "outcomes": [
            {
                "identifier": str(o.uuid),
                "type": str(o.outcome_type),
                "date": _iso(o.occurred_on),
                "structure": str(o.structure),
                "legal_form": _name(o.legal_form),
                "project": _name(o.project),
                "details": o.details,
            }
            for o in outcomes
        ],
        "plan": None
        if plan is None
        else {
            "revision": plan.revision,
            "steps": [
                {
                    "position": s.position,
                    "offer": _name(s.offer),
                    "action": s.action,
                    "responsible_structure": str(s.responsible_structure),
                    "target_date": _iso(s.target_date),
                    "status": s.get_status_display(),
                }
                for s in plan.steps.all()
            ],
            "revisions": [
                {
                    "number": r.number,
                    "at": _iso(r.at),
                    "structure": _name(r.structure),
                    # The snapshot lists every step: only those the steps' rule shows.
                    "steps": [
                        step
                        for step in r.steps
                        if visibility.belongs_or_shared(
                            user, person, step.get("responsible_structure")
                        )
                    ],
                }
                for r in plan.revisions.all()
            ],
        },
        "notes": [
            {
                "structure": str(n.structure),
                "written_at": _iso(n.created_at),
                "shared": n.is_shared,
                "body": n.body,
            }
            for n in notes
        ],
        "held_elsewhere": _held_elsewhere(person, user),
        "access_log": [
            {
                "at": _iso(a.at),
                "user": _name(a.user),
                "channel": a.get_channel_display(),
                "granted": a.granted,
                "requested_by": a.get_requested_by_display() if a.requested_by else None,
            }
            for a in access_log
        ],
    }


def export_person_data(
    *, person: Person, user, requested_by: str, requester_name: str = ""
) -> dict:
    """The right of access, produced for the person: `requested_by` says who asked for it (the
    person, in person, by post or by e-mail, or a legal representative, then named), and the
    export is logged with who asked and who produced it (`user`)."""
    require(user, "export_person_data", person)
    if requested_by not in PersonAccess.Requester.values:
        raise ValidationError({"requested_by": _("Say who asked for the person's data.")})
    requester_name = requester_name.strip()
    if requested_by != PersonAccess.Requester.LEGAL_REPRESENTATIVE:
        requester_name = ""
    elif not requester_name:
        raise ValidationError({"requester_name": _("Give the name of the legal representative.")})
    data = person_data(person, user)
    data["request"] = {
        "requested_by": str(PersonAccess.Requester(requested_by).label),
        "requester_name": requester_name or None,
        "produced_by": _name(user),
        "produced_by_structures": sorted(
            str(structure) for structure in Structure.objects.filter(pk__in=roles_of(user).staff_of)
        ),
    }
    log_person_access(
        person=person,
        user=user,
        granted=True,
        channel=PersonAccess.Channel.EXPORT,
        requested_by=requested_by,
        requester_name=requester_name,
    )
    return data


# --- Erasure by anonymisation --------------------------------------------------------------


def identities_of(person: Person) -> list[personal_data.Identity]:
    """Every spelling to erase: the person's own, and those of the contact requests they sent
    (a visitor may have written their name or e-mail otherwise)."""
    identities = [
        personal_data.Identity(
            first_name=person.first_name,
            last_name=person.last_name,
            email=person.email,
            phone=person.phone,
            birth_date=person.birth_date,
        )
    ]
    for first, last, email, phone in ContactRequest.objects.filter(
        referral__person=person
    ).values_list("first_name", "last_name", "email", "phone"):
        identities.append(
            personal_data.Identity(first_name=first, last_name=last, email=email, phone=phone)
        )
    return identities


def erase_identity(person: Person, *, at: datetime) -> None:
    """Replace what identifies the person on their own row, by the register's rules for
    `Person` (kept: the statistics fields)."""
    entry = personal_data.entry_for(Person)
    context = personal_data.Context(subject=person, scrub=personal_data.Scrubber(), at=at)
    for attname, value in personal_data.changes_for(entry, person, context).items():
        setattr(person, attname, value)
    person.anonymised_at = at
    person.version += 1
    person.save()
    identity.forget_keys(person)


@transaction.atomic
def anonymise_person(*, person: Person, user, reason: str) -> Person:
    """Erase the person by anonymisation (see the module docstring); nothing is deleted.

    Every model of the personal-data register (`maillage.core.personal_data`) is treated: the
    pathways records, the contact requests, the import runs and their files, the import keys,
    the notifications, the background tasks. `user` is None when the retention command calls
    it. The reason is written to the application log with the pseudonymous id, never the name.
    """
    require(user, "erase_person", person)
    if not reason or not reason.strip():
        raise ValidationError({"reason": _("Say why this person's data are erased.")})
    person = (
        Person.objects.select_for_update(of=("self",)).select_related("commune").get(pk=person.pk)
    )
    if person.is_anonymised:
        raise ValidationError(_("This person's data were already erased."), code="anonymised")
    scrub = personal_data.Scrubber(*identities_of(person))
    at = timezone.now()
    personal_data.erase(subject=person, scrub=scrub, at=at, exclude=["pathways.Person"])
    erase_identity(person, at=at)
    visibility.forget(person)
    logger.info(
        "Person %s anonymised by user %s: %s",
        person.public_id,
        getattr(user, "pk", None) or "retention",
        scrub(reason.strip()),
    )
    return person
