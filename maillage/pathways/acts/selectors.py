"""Reads of the acts and outcomes: a person's acts, the attendance list, the API.

Who sees which act, attendance or outcome is `visibility.acts_visible_to`,
`participations_visible_to` and `outcomes_visible_to`; these only filter them and add joins.
"""

from django.db.models import Exists, F, IntegerField, OuterRef, Prefetch, QuerySet, Subquery
from django.db.models.functions import Coalesce, ExtractYear

from maillage.core.text import normalise

from ..models import Accompaniment, Act, Application, Outcome, Person
from ..visibility import (
    acts_visible_to,
    outcomes_visible_to,
    participations_visible_to,
    persons_visible_to,
)

# How many persons of the caseload the attendance list of a collective act offers at most.
CASELOAD_LIMIT = 200
# How many persons the attendee search shows at once (and the caseload shown before a search).
SEARCH_LIMIT = 20


def _candidate_ids(structure_ids, session=None, applicants=None) -> set[int]:
    """The session's applicants and the caseload: the persons the structures accompany now,
    most recently active first, at most CASELOAD_LIMIT of them."""
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
    if applicants is None:
        applicants = session_applicant_ids(session)
    return set(caseload) | set(applicants)


def attendance_candidates(user, *, structure_ids, session=None) -> QuerySet[Person]:
    """Persons an attendance list offers: the session's applicants, then the caseload."""
    ids = _candidate_ids(sorted(structure_ids), session)
    return persons_visible_to(user).filter(pk__in=ids).order_by("last_name", "first_name", "pk")


def _with_file_number(persons, structure_ids) -> QuerySet[Person]:
    """Each person with `file_number`: their file number at one of these structures ("" if none),
    shown beside the name with the birth year to tell namesakes apart."""
    number = (
        Accompaniment.objects.filter(person=OuterRef("pk"), structure_id__in=structure_ids)
        .exclude(file_number="")
        .order_by("-started_on", "pk")
        .values("file_number")[:1]
    )
    return persons.annotate(
        file_number=Subquery(number),
        born=Coalesce(ExtractYear("birth_date"), "birth_year", output_field=IntegerField()),
    )


def attendee_choices(
    user, *, structure_ids, session=None, query: str = "", keep=()
) -> tuple[QuerySet[Person], list[Person]]:
    """What the attendance list of a collective act accepts, and what it shows.

    Accepted: the session's applicants and the caseload (`attendance_candidates`), the persons
    found by the search and the persons already ticked (`keep`), all among those the user may
    see. Shown: the ticked persons first, then the persons whose name matches `query` (the
    caseload's first, at most SEARCH_LIMIT); without a query, the session's applicants, or the
    caseload's most recently active persons when no session is chosen. A fixed number of queries.
    """
    structure_ids = sorted(structure_ids)
    visible = persons_visible_to(user)
    keep_ids = {int(pk) for pk in keep if str(pk).isdigit()}
    key = normalise(query or "")
    applicants = session_applicant_ids(session)
    caseload = Accompaniment.objects.filter(
        person=OuterRef("pk"), structure_id__in=structure_ids, ended_on__isnull=True
    )
    if key:
        matching = visible.filter(merged_into__isnull=True)
        for word in key.split():  # "camille mar" finds "Martin Camille" too
            matching = matching.filter(name_key__icontains=word)
        found = list(
            matching.annotate(in_caseload=Exists(caseload))
            .order_by("-in_caseload", "last_name", "first_name", "pk")
            .values_list("pk", flat=True)[:SEARCH_LIMIT]
        )
    elif applicants:
        found = sorted(applicants)
    else:
        found = list(
            visible.filter(Exists(caseload), merged_into__isnull=True, anonymised_at__isnull=True)
            .order_by(F("last_activity_on").desc(nulls_last=True), "last_name", "pk")
            .values_list("pk", flat=True)[:SEARCH_LIMIT]
        )
    candidates = _candidate_ids(structure_ids, applicants=applicants)
    accepted = visible.filter(pk__in=sorted(keep_ids | set(found) | candidates))
    shown_ids = [*sorted(keep_ids), *(pk for pk in found if pk not in keep_ids)]
    shown = {
        person.pk: person
        for person in _with_file_number(visible.filter(pk__in=shown_ids), structure_ids)
    }
    ordered = sorted(
        (shown[pk] for pk in shown_ids if pk in shown),
        key=lambda person: (person.pk not in keep_ids, person.last_name, person.first_name),
    )
    return accepted.order_by("last_name", "first_name", "pk"), ordered


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
