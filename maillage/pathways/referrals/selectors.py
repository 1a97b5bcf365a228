"""Reads of the advisors' workflow pages: referral inbox, applications, sessions, acts.

Who sees which record is not decided here: the inboxes are filters on top of the record kinds'
selectors (`selectors.referrals_visible_to`, `selectors.applications_visible_to`), with the joins
each page needs, so that lists cost a fixed number of queries whatever their length. The rest
are the choices the forms offer (structures, offers, sessions, referentials).
"""

from django.db.models import Case, Count, F, IntegerField, QuerySet, Value, When

from maillage.accounts.rules import roles_of
from maillage.directory.models import Offer, OfferSession, Structure

from ..models import (
    Accompaniment,
    ActType,
    Application,
    ApplicationStatus,
    DeclineReason,
    EndReason,
    NoNextStepReason,
    Person,
    Referral,
)
from ..persons.selectors import applications_visible_to, referrals_visible_to
from ..referentials import entries_for_structures
from ..states import REFERRAL_UNANSWERED
from ..visibility import persons_visible_to

RECEIVED = "received"
SENT = "sent"

# How many persons of the caseload the attendance list of a collective act offers at most.
CASELOAD_LIMIT = 200


def referral_inbox(user, *, box: str = RECEIVED, status: str = "") -> QuerySet[Referral]:
    """Referrals received by (or sent by) the user's structures.

    Received ones that still wait for an answer come first; then the most recent first.
    """
    staff = sorted(roles_of(user).staff_of)
    referrals = referrals_visible_to(user).select_related("to_offer__structure")
    if box == SENT:
        referrals = referrals.filter(from_structure_id__in=staff).order_by("-sent_at", "-pk")
    else:
        referrals = referrals.filter(to_structure_id__in=staff).annotate(
            waiting=Case(
                When(status__in=REFERRAL_UNANSWERED, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        referrals = referrals.order_by("waiting", "-sent_at", "-pk")
    if status:
        referrals = referrals.filter(status=status)
    return referrals


def visible_person_ids(user, person_ids) -> frozenset[int]:
    """Which of these persons the user may see by name (one query for a whole list)."""
    ids = {pk for pk in person_ids if pk is not None}
    if not ids:
        return frozenset()
    return frozenset(persons_visible_to(user).filter(pk__in=ids).values_list("pk", flat=True))


def mark_visible_persons(user, referrals) -> list:
    """The referrals, each with `shows_person` set (from the selector's `person_visible`)."""
    referrals = list(referrals)
    for referral in referrals:
        referral.shows_person = bool(referral.person_visible)
    return referrals


def partner_structures(structure_ids) -> QuerySet[Structure]:
    """Structures sharing a network with any of `structure_ids`, those excepted."""
    structure_ids = sorted(structure_ids)
    networks = Structure.networks.through.objects.filter(structure_id__in=structure_ids).values(
        "network_id"
    )
    through = Structure.networks.through.objects.filter(network_id__in=networks).values(
        "structure_id"
    )
    return Structure.objects.filter(pk__in=through).exclude(pk__in=structure_ids).order_by("name")


def referral_targets(user) -> QuerySet[Structure]:
    """Where the user may refer a person: any structure of their networks, not theirs."""
    return partner_structures(roles_of(user).staff_of)


def published_offers_of(structures) -> QuerySet[Offer]:
    return (
        Offer.objects.filter(structure__in=structures, is_published=True)
        .select_related("structure")
        .order_by("structure__name", "title")
    )


def offers_of_user(user) -> QuerySet[Offer]:
    """Every offer of the user's structures (published or not)."""
    return (
        Offer.objects.filter(structure_id__in=sorted(roles_of(user).staff_of))
        .select_related("structure")
        .order_by("structure__name", "title")
    )


def sessions_of_user(user) -> QuerySet[OfferSession]:
    return (
        OfferSession.objects.filter(offer__structure_id__in=sorted(roles_of(user).staff_of))
        .select_related("offer__structure")
        .order_by("-starts_on", "pk")
    )


def decline_reasons_for(structure) -> QuerySet[DeclineReason]:
    return entries_for_structures(DeclineReason, [structure.pk])


def no_next_step_reasons_for(structure) -> QuerySet[NoNextStepReason]:
    return entries_for_structures(NoNextStepReason, [structure.pk])


def end_reasons_for(structure) -> QuerySet[EndReason]:
    return entries_for_structures(EndReason, [structure.pk])


def act_types_for(structure_ids) -> QuerySet[ActType]:
    return entries_for_structures(ActType, structure_ids)


def applications_received_by(user) -> QuerySet[Application]:
    """The inbox of applications: those the user sees (`applications_visible_to`) that were
    made to an offer of the user's structures."""
    staff = sorted(roles_of(user).staff_of)
    return (
        applications_visible_to(user)
        .filter(structure_id__in=staff)
        .select_related(
            "person",
            "offer",
            "session",
            "structure",
            "next_step_referral__to_structure",
            "no_next_step_reason",
            "end_reason",
        )
    )


def session_of_user(user, uuid) -> QuerySet[OfferSession]:
    return sessions_of_user(user).filter(uuid=uuid)


def session_applications(session) -> QuerySet[Application]:
    return (
        Application.objects.filter(session=session)
        .select_related("person")
        .order_by("person__last_name", "person__first_name", "pk")
    )


def status_counts(applications: QuerySet[Application]) -> list[tuple[str, int]]:
    """(status label, number) for each status present, in the order of the state machine."""
    counts = dict(
        applications.order_by()
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    return [(label, counts[value]) for value, label in ApplicationStatus.choices if value in counts]


def attendance_candidates(user, *, structure_ids, session=None) -> QuerySet[Person]:
    """Persons an attendance list offers: the session's applicants, then the caseload.

    The caseload is the persons the structures accompany now, most recently active first,
    at most CASELOAD_LIMIT of them.
    """
    structure_ids = sorted(structure_ids)
    caseload = list(
        Person.objects.filter(
            pk__in=Accompaniment.objects.filter(
                structure_id__in=structure_ids, ended_on__isnull=True
            ).values("person_id"),
            merged_into__isnull=True,
            anonymised_at__isnull=True,
        )
        .order_by(F("last_activity_on").desc(nulls_last=True), "last_name", "pk")
        .values_list("pk", flat=True)[:CASELOAD_LIMIT]
    )
    ids = set(caseload)
    if session is not None:
        ids |= set(Application.objects.filter(session=session).values_list("person_id", flat=True))
    return persons_visible_to(user).filter(pk__in=ids).order_by("last_name", "first_name", "pk")


def session_applicant_ids(session) -> frozenset[int]:
    if session is None:
        return frozenset()
    return frozenset(
        Application.objects.filter(session=session).values_list("person_id", flat=True)
    )
