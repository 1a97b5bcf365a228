"""Reads of the acts and outcomes: a person's acts, the attendance list, the API.

Who sees which act, attendance or outcome is `visibility.acts_visible_to`,
`participations_visible_to` and `outcomes_visible_to`; these only filter them and add joins.
"""

from django.db.models import Exists, F, OuterRef, Prefetch, QuerySet

from ..models import Accompaniment, Act, Application, Outcome, Person
from ..visibility import (
    acts_visible_to,
    outcomes_visible_to,
    participations_visible_to,
    persons_visible_to,
)

# How many persons of the caseload the attendance list of a collective act offers at most.
CASELOAD_LIMIT = 200


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


def acts_of_person(user, person) -> QuerySet[Act]:
    """The acts where the user sees this person's participation."""
    seen = participations_visible_to(user).filter(act_id=OuterRef("pk"), person=person)
    return Act.objects.filter(Exists(seen))


def acts_for_api(user) -> QuerySet[Act]:
    """Each act carries `visible_participants`: the participations the user may see."""
    attendance = participations_visible_to(user).select_related("person").order_by("pk")
    return (
        acts_visible_to(user)
        .select_related("act_type", "structure", "offer", "session")
        .prefetch_related(
            Prefetch("participants", queryset=attendance, to_attr="visible_participants")
        )
    )


def outcomes_for_api(user) -> QuerySet[Outcome]:
    return outcomes_visible_to(user).select_related(
        "person", "project", "structure", "outcome_type", "legal_form"
    )
