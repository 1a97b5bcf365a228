"""The querysets of the pathways API: each row only if the caller may see it (DOMAIN §5).

Built on `selectors.persons_visible_to` (who sees whom, written once in `visibility.py`): a
project, application or outcome is seen through one of its persons; a referral by the staff of
its sending or receiving structure (its person named only when visible); an act by the staff of
its structure, or of another when one of its participants shares with the network and is visible.
Each is fetched with what its serializer reads, so a list costs the same queries at any length.
"""

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from maillage.accounts.rules import can, roles_of

from . import selectors
from .models import Act, ActParticipant, Application, Outcome, Person, Project, Referral


def persons(user) -> QuerySet[Person]:
    return selectors.persons_visible_to(user).select_related("commune", "situation")


def _visible_ids(user):
    return selectors.persons_visible_to(user).values("pk")


def projects(user) -> QuerySet[Project]:
    carried = Project.persons.through.objects.filter(
        project_id=OuterRef("pk"), person_id__in=_visible_ids(user)
    )
    return (
        Project.objects.filter(Exists(carried))
        .select_related("sector", "envisaged_legal_form")
        .prefetch_related(Prefetch("persons", queryset=selectors.persons_visible_to(user)))
    )


def referrals(user) -> QuerySet[Referral]:
    seen = selectors.persons_visible_to(user).filter(pk=OuterRef("person_id"))
    return (
        selectors.referrals_visible_to(user)
        .annotate(person_visible=Exists(seen))
        .select_related("project", "redirected_to")
    )


def shows_person(user, referral: Referral) -> bool:
    visible = getattr(referral, "person_visible", None)
    if visible is None:
        visible = can(user, "view_person", referral.person)
    return visible


def applications(user) -> QuerySet[Application]:
    return Application.objects.filter(person_id__in=_visible_ids(user)).select_related(
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
    staff = sorted(roles_of(user).staff_of)
    visible = selectors.persons_visible_to(user)
    shared = ActParticipant.objects.filter(
        act=OuterRef("pk"), person_id__in=visible.filter(shares_with_network=True).values("pk")
    )
    attendance = (
        ActParticipant.objects.filter(person_id__in=visible.values("pk"))
        .select_related("person")
        .order_by("pk")
    )
    return (
        Act.objects.filter(Q(structure_id__in=staff) | Q(Exists(shared)))
        .select_related("act_type", "structure", "offer", "session")
        .prefetch_related(
            Prefetch("participants", queryset=attendance, to_attr="visible_participants")
        )
    )


def outcomes(user) -> QuerySet[Outcome]:
    return Outcome.objects.filter(person_id__in=_visible_ids(user)).select_related(
        "person", "project", "structure", "outcome_type", "legal_form"
    )
