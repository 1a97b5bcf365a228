"""Where the pathways app keeps personal data, and what an erasure does with each field.

Read by `maillage.core.personal_data` (the mechanism and its vocabulary: Clear, Scrub, Keep,
not personal), by the erasure (`gdpr.services.anonymise_person`) and by the merge.
"""

from django.db.models import Count, Q
from django.urls import reverse

from maillage.core.personal_data import (
    ANONYMISED_FIRST_NAME,
    ANONYMISED_LAST_NAME,
    SCRUBBED,
    Clear,
    Keep,
    Scrub,
    register,
)

REFERENTIAL = ("id", "code", "label_fr", "label_en", "position", "is_active", "network")


def _departement_of(row, commune_id, context):
    """The commune becomes its département (when that territory is loaded)."""
    from maillage.directory.models import Territory, TerritoryKind

    if commune_id is None:
        return None
    commune = Territory.objects.filter(pk=commune_id).first()
    if commune is None or commune.kind == TerritoryKind.DEPARTEMENT or not commune.departement_code:
        return commune_id
    departement = (
        Territory.objects.filter(kind=TerritoryKind.DEPARTEMENT, code=commune.departement_code)
        .values_list("pk", flat=True)
        .first()
    )
    return departement or commune_id


# --- Referentials, preferences, tokens: no person in them --------------------------------------

for _label, _extra in (
    ("ActType", ("is_collective",)),
    ("OutcomeType", ("family",)),
    ("DeclineReason", ("requires_note",)),
    ("NoNextStepReason", ("requires_note",)),
    ("EndReason", ("requires_note",)),
    ("Situation", ()),
    ("Sector", ()),
):
    register(f"pathways.{_label}", not_personal=REFERENTIAL + _extra)

register("pathways.NotificationPreference", not_personal=("id", "user", "daily_digest"))
register(
    "pathways.ApiToken",
    not_personal=(
        "id",
        "structure",
        "user",
        "name",
        "prefix",
        "key_hash",
        "created_at",
        "last_used_at",
        "revoked_at",
    ),
)

# --- The person ---------------------------------------------------------------------------------

register(
    "pathways.Person",
    link="pk",
    fields={
        "first_name": Clear(ANONYMISED_FIRST_NAME),
        "last_name": Clear(ANONYMISED_LAST_NAME),
        "birth_date": Clear(fill_on_merge=True),
        "email": Clear(fill_on_merge=True),
        "phone": Clear(fill_on_merge=True),
        "postal_code": Clear(fill_on_merge=True),
        "commune_text": Clear(),
        "name_key": Clear(export=False, note="derived from the names"),
        "uuid": Keep(note="stable identifier of the record"),
        "public_id": Keep(note="pseudonymous identifier of the statistics"),
        "birth_year": Keep(),
        "gender": Keep(),
        "commune": Keep(coarsen=_departement_of, fill_on_merge=True),
        "situation": Keep(fill_on_merge=True),
        "priority_neighbourhood": Keep(),
        "shares_with_network": Keep(),
        "last_activity_on": Keep(),
        "created_at": Keep(),
    },
    not_personal=(
        "id",
        "created_by_structure",
        "created_by",
        "updated_at",
        "version",
        "anonymised_at",
        "merged_into",
    ),
)

register(
    "pathways.Accompaniment",
    link="person",
    on_merge="merge",
    fields={
        # The structure's own file number would let it find the person in its own files.
        "file_number": Clear(),
        "started_on": Keep(),
        "ended_on": Keep(),
        "created_at": Keep(),
    },
    not_personal=("id", "person", "structure", "referent"),
)

register(
    "pathways.Consent",
    link="person",
    on_merge="merge",
    fields={
        "proof": Clear(),
        "scope": Keep(),
        "method": Keep(),
        "given_at": Keep(),
        "withdrawn_at": Keep(),
    },
    # `text`: the wording shown on the form (the structure's name in a fixed sentence).
    not_personal=("id", "person", "structure", "recorded_by", "withdrawn_by", "text"),
)

register(
    "pathways.PersonNote",
    link="person",
    on_merge="move",
    fields={"body": Clear(), "is_shared": Keep(), "created_at": Keep()},
    not_personal=("id", "person", "structure", "author"),
)

register(
    "pathways.PersonAccess",
    link="person",
    on_merge="move",
    fields={
        "at": Keep(),
        "granted": Keep(),
        "channel": Keep(),
        "requested_by": Keep(),
        # The legal representative who asked for a right-of-access export names the person's
        # circle: it goes with them ("***": a representative's request stays a named one).
        "requester_name": Clear(value=SCRUBBED),
    },
    not_personal=("id", "person", "user"),
)

# --- Projects, referrals, applications ---------------------------------------------------------

register(
    "pathways.Project_persons",
    link="person",
    on_merge="merge",
    not_personal=("id", "project", "person"),
)

register(
    "pathways.Project",
    link="persons",
    fields={
        # A project may be carried by several persons: their names are scrubbed, not the rest.
        "title": Scrub(),
        "description": Scrub(),
        "kind": Keep(),
        "sector": Keep(),
        "envisaged_legal_form": Keep(),
        "current_stage": Keep(),
        "created_at": Keep(),
    },
    not_personal=("id", "uuid", "created_by_structure", "created_by", "updated_at", "version"),
)

register(
    "pathways.Referral",
    link="person",
    on_merge="move",
    fields={
        "reason": Clear(),
        "shared_info": Clear(),
        "decline_note": Clear(),
        "status": Keep(),
        "origin": Keep(),
        "shares_person_data": Keep(),
        "sent_at": Keep(),
        "status_changed_at": Keep(),
        "answered_at": Keep(),
        "first_meeting_on": Keep(),
        "closed_at": Keep(),
        "decline_reason": Keep(),
        "reason_shared_with_person": Keep(),
        "reminder_sent_at": Keep(),
        "matched_at": Keep(),
    },
    not_personal=(
        "id",
        "uuid",
        "person",
        "project",
        "from_structure",
        "from_user",
        "to_structure",
        "to_offer",
        "redirected_to",
        "contact_request",
        "version",
    ),
)

TRANSITION = ("id", "from_status", "to_status", "at", "by")

register(
    "pathways.ReferralTransition",
    link="referral__person",
    fields={"note": Clear()},
    not_personal=(*TRANSITION, "referral"),
)

register(
    "pathways.Application",
    link="person",
    on_merge="move",
    fields={
        "no_next_step_note": Clear(),
        "end_note": Clear(),
        "status": Keep(),
        "submitted_on": Keep(),
        "status_changed_at": Keep(),
        "decided_at": Keep(),
        "no_next_step_reason": Keep(),
        "end_reason": Keep(),
    },
    not_personal=(
        "id",
        "uuid",
        "person",
        "project",
        "offer",
        "session",
        "structure",
        "next_step_referral",
        "created_by",
        "version",
    ),
)

register(
    "pathways.ApplicationTransition",
    link="application__person",
    fields={"note": Clear()},
    not_personal=(*TRANSITION, "application"),
)

# --- Acts and outcomes ---------------------------------------------------------------------------


def _acts_of_the_person_alone(context):
    alone = Q(participants__person=context.subject) & ~Q(pk__in=_shared_acts(context.subject))
    return alone


def _shared_acts(person):
    from .models import ActParticipant

    return (
        ActParticipant.objects.filter(act__participants__person=person)
        .values("act_id")
        .annotate(participant_count=Count("pk"))
        .filter(participant_count__gt=1)
        .values("act_id")
    )


register(
    "pathways.Act",
    link="participants__person",
    # An act with the person alone is cleared; a collective act's texts are scrubbed.
    sole=_acts_of_the_person_alone,
    fields={
        "title": Scrub(),
        "notes": Scrub(),
        "occurred_on": Keep(),
        "duration_minutes": Keep(),
        "is_collective": Keep(),
        "created_at": Keep(),
    },
    not_personal=(
        "id",
        "uuid",
        "act_type",
        "structure",
        "staff",
        "offer",
        "session",
        "created_by",
        "version",
    ),
)

register(
    "pathways.ActParticipant",
    link="person",
    on_merge="merge",
    fields={"attended": Keep()},
    not_personal=("id", "act", "person"),
)

register(
    "pathways.Outcome",
    link="person",
    on_merge="move",
    fields={
        "details": Clear(),
        "occurred_on": Keep(),
        "outcome_type": Keep(),
        "legal_form": Keep(),
        "created_at": Keep(),
    },
    not_personal=("id", "uuid", "person", "project", "structure", "recorded_by", "version"),
)

# --- Plans ----------------------------------------------------------------------------------------

register(
    "pathways.Plan",
    link="person",
    on_merge="merge",
    fields={"revision": Keep()},
    not_personal=("id", "person", "project", "updated_at", "version"),
)

register(
    "pathways.PlanStep",
    link="plan__person",
    fields={"action": Scrub(), "target_date": Keep(), "status": Keep()},
    not_personal=("id", "plan", "position", "offer", "responsible_structure"),
)

register(
    "pathways.PlanRevision",
    link="plan__person",
    fields={"steps": Scrub(), "at": Keep()},
    not_personal=("id", "plan", "number", "author", "structure"),
)

# --- Notifications --------------------------------------------------------------------------------


def _notifications_about(context):
    """The notifications that link to the person's referrals (they carry a first name and an
    initial; the e-mails not sent yet are written from them)."""
    from .models import Notification, Referral

    paths = [
        reverse("pathways:referral_detail", kwargs={"uuid": uuid})
        for uuid in Referral.objects.filter(person=context.subject).values_list("uuid", flat=True)
    ]
    return Notification.objects.filter(path__in=paths)


register(
    "pathways.Notification",
    rows=_notifications_about,
    fields={"text": Scrub(), "created_at": Keep()},
    not_personal=("id", "recipient", "kind", "path", "emailed_at", "read_at"),
)

register(
    "pathways.IdentityKey",
    link="person",
    on_merge="derived",
    fields={
        # Deleted with the person's identity (`gdpr.services.erase_identity`, also for the
        # duplicate of a merge) before the register is applied; 0 if a row were left.
        "key": Clear(0, export=False, note="keyed pseudonym of the identity (identity.py)"),
    },
    not_personal=("id", "person", "kind"),
)

register(
    "pathways.NetworkPerson",
    link="person",
    on_merge="derived",
    fields={
        # Deleted with the identity keys (`identity.forget_keys`: erasure, the duplicate of a
        # merge): an erased record is its own human; 0 if a row were left.
        "human": Clear(0, export=False, note="statistical person-group (identity.py)"),
    },
    not_personal=("person",),
)

register(
    "pathways.PersonMerge",
    link="keep",
    on_merge="derived",
    fields={
        # The duplicate's identity and the rows to give back: emptied at erasure (the merge can
        # no longer be undone) and once undone.
        "undo": Clear({}, export=False, note="what undoing the merge restores (gdpr/merge.py)"),
        "at": Keep(),
        "undone_at": Keep(),
    },
    not_personal=("id", "keep", "duplicate", "structure", "by"),
)
