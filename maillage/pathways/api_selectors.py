"""The querysets of the pathways API: the record kinds' selectors, with what serializers read.

Who sees which row is not decided here: each function starts from the record kind's
`<record>_visible_to(user)` (written once in `visibility.py`, used by the person page and the
exports as well) and only adds the joins its serializer needs, so a list costs the same queries
at any length.
"""

from django.db.models import Prefetch, QuerySet

from maillage.accounts.rules import can

from .models import Act, Application, Outcome, Person, Project, Referral
from .persons.selectors import (
    acts_visible_to,
    applications_visible_to,
    outcomes_visible_to,
    participations_visible_to,
    persons_visible_to,
    projects_visible_to,
    referrals_visible_to,
)
from .visibility import belongs_or_shared


def persons(user) -> QuerySet[Person]:
    return persons_visible_to(user).select_related("commune", "situation")


def projects(user) -> QuerySet[Project]:
    """Each project's `persons` are those the user sees (see `listed_persons`)."""
    return (
        projects_visible_to(user)
        .select_related("sector", "envisaged_legal_form")
        .prefetch_related(Prefetch("persons", queryset=persons_visible_to(user)))
    )


def listed_persons(user, project: Project) -> list[Person]:
    """The persons the user sees the project through (`project_links_visible_to`, no query)."""
    return [
        person
        for person in project.persons.all()
        if belongs_or_shared(user, person, project.created_by_structure_id)
    ]


def referrals(user) -> QuerySet[Referral]:
    """With `person_visible` annotated by the selector: the person is named only then."""
    return referrals_visible_to(user).select_related("project", "redirected_to")


def shows_person(user, referral: Referral) -> bool:
    visible = getattr(referral, "person_visible", None)
    if visible is None:
        visible = can(user, "view_person", referral.person)
    return visible


def applications(user) -> QuerySet[Application]:
    return applications_visible_to(user).select_related(
        "person",
        "project",
        "offer",
        "session",
        "structure",
        "next_step_referral",
        "no_next_step_reason",
        "end_reason",
    )


def acts(user) -> QuerySet[Act]:
    """Each act carries `visible_participants`: the participations the user may see."""
    attendance = participations_visible_to(user).select_related("person").order_by("pk")
    return (
        acts_visible_to(user)
        .select_related("act_type", "structure", "offer", "session")
        .prefetch_related(
            Prefetch("participants", queryset=attendance, to_attr="visible_participants")
        )
    )


def outcomes(user) -> QuerySet[Outcome]:
    return outcomes_visible_to(user).select_related(
        "person", "project", "structure", "outcome_type", "legal_form"
    )
