"""Who sees which person (DOMAIN §5), written once for rules (one person) and querysets (many).

An advisor or structure admin sees a person when their structure accompanies the person, or when
a referral carrying the person's data reached their structure and the person still shares with
the network (or wrote to that structure themselves from the public site). Nobody else does:
coordinators, funders and platform admins never see a named person.

`structures_seeing(person)` and `persons_visible_to(user)` are the two faces of the same rule;
tests/pathways/test_services.py::test_rules_and_querysets_agree_on_who_sees_whom checks that they
always agree.
"""

from django.db.models import BooleanField, Exists, OuterRef, Q, QuerySet, Value

from maillage.accounts.rules import roles_of

from .models import (
    Accompaniment,
    Act,
    ActParticipant,
    Application,
    Consent,
    Outcome,
    Person,
    PersonNote,
    Plan,
    PlanRevision,
    PlanStep,
    Project,
    Referral,
    ReferralOrigin,
)

_SEEING = "_maillage_seeing_structures"
_ACCOMPANYING = "_maillage_accompanying_structures"


def _referral_grants_sight() -> Q:
    """The referrals through which the receiving structure sees the person."""
    return Q(shares_person_data=True) & (
        Q(origin=ReferralOrigin.PUBLIC_FORM) | Q(person__shares_with_network=True)
    )


def accompanying_structures(person: Person) -> frozenset[int]:
    """Ids of the structures that accompany the person (cached on the object)."""
    cached = getattr(person, _ACCOMPANYING, None)
    if cached is None:
        cached = frozenset(
            Accompaniment.objects.filter(person=person).values_list("structure_id", flat=True)
        )
        setattr(person, _ACCOMPANYING, cached)
    return cached


def structures_seeing(person: Person) -> frozenset[int]:
    """Ids of the structures whose staff may open the person's record (cached on the object)."""
    if person.merged_into_id:
        return frozenset()
    cached = getattr(person, _SEEING, None)
    if cached is None:
        through_referrals = set(
            Referral.objects.filter(Q(person=person) & _referral_grants_sight()).values_list(
                "to_structure_id", flat=True
            )
        )
        cached = accompanying_structures(person) | frozenset(through_referrals)
        setattr(person, _SEEING, cached)
    return cached


def forget(person: Person) -> None:
    """Drop the cached structure sets after a change of accompaniments, referrals or consent."""
    for attr in (_SEEING, _ACCOMPANYING):
        if hasattr(person, attr):
            delattr(person, attr)


def _person_among(among) -> Q:
    """`among` is ids (a list or subquery), or one outer row's person (`OuterRef`)."""
    if isinstance(among, OuterRef):
        return Q(person_id=among)
    return Q(person_id__in=among)


def visible_persons_condition(structure_ids, *, among=None, listed: bool = False) -> Q:
    """A filter on Person: seen by at least one of `structure_ids`.

    Written from the structures' caseload (issue 18), never as a test per person of the
    database: the person is among the persons the structures accompany or received a referral
    with data about, and either shares with the network or is accompanied by them or wrote to
    them from the public site. That is the rule of `structures_seeing` (a referral gives sight
    when it carries the person's data and the person shares or it came from the public form),
    regrouped so that both subqueries read only the structures' accompaniments and referrals,
    each from one index (`pathways_accomp_caseload_idx`, `pathways_referral_sight_idx`), and
    the persons table is read only for the persons of the caseload. A list then grows with
    the structures' caseload, not with the network's persons table.

    `among` (a subquery or list of person ids, or an `OuterRef` to one person) is for a caller
    that starts from a few known persons (the person page, the duplicate check, whether each
    row of a page of referrals names its person): the same rule is then read through those
    persons' own accompaniments and referrals, instead of building the whole caseload of a
    structure of 1,000,000 persons for each probe (issue 16).

    `listed` is for a list of the whole caseload (the persons list, its file, the API): the
    same two sets of ids are read first, from the same indexes, and given to the persons
    query as arrays (`__in_array`). As subqueries, PostgreSQL read the whole persons table to
    keep the caseload's (a sequential scan costs it less than a few thousand index probes at
    regional scale), so the list grew with the database (issue 18)."""
    accompanied = Accompaniment.objects.filter(structure_id__in=structure_ids)
    referred = Referral.objects.filter(to_structure_id__in=structure_ids, shares_person_data=True)
    if among is not None:
        accompanied = accompanied.filter(_person_among(among))
        referred = referred.filter(_person_among(among))
    if listed:
        accompanied_ids = set(accompanied.order_by().values_list("person_id", flat=True))
        caseload_ids, written_ids = set(accompanied_ids), set()
        for person_id, origin in referred.order_by().values_list("person_id", "origin"):
            caseload_ids.add(person_id)
            if origin == ReferralOrigin.PUBLIC_FORM:
                written_ids.add(person_id)
        return (
            Q(merged_into__isnull=True)
            & Q(pk__in_array=sorted(caseload_ids))
            & (Q(shares_with_network=True) | Q(pk__in_array=sorted(accompanied_ids | written_ids)))
        )
    accompanied = accompanied.order_by().values("person_id")
    written = referred.filter(origin=ReferralOrigin.PUBLIC_FORM).order_by().values("person_id")
    referred = referred.order_by().values("person_id")
    caseload = accompanied.union(referred)
    seen_without_sharing = accompanied.union(written)
    return (
        Q(merged_into__isnull=True)
        & Q(pk__in=caseload)
        & (Q(shares_with_network=True) | Q(pk__in=seen_without_sharing))
    )


def persons_visible_to(user, *, among=None, listed: bool = False) -> QuerySet[Person]:
    """The persons `user` may see; empty for anyone who is not staff of a structure.
    `among`: only these person ids are asked about; `listed`: the whole list is read (see
    `visible_persons_condition`)."""
    staff = roles_of(user).staff_of
    if not staff:
        return Person.objects.none()
    condition = visible_persons_condition(sorted(staff), among=among, listed=listed)
    if among is not None:
        condition &= Q(pk__in=among)
    return Person.objects.filter(condition)


# --- What each record kind shows to whom --------------------------------------------------------
#
# The person page's rule, written once for every channel (page, API, CSV/XLSX, right of access):
# a record about a person is seen by `user` when the person is visible to them (above) and
# - the record belongs to one of the user's structures (it recorded it, it is the receiving or
#   sending structure), or
# - the person shares with the network (`Person.shares_with_network`): then the records of the
#   other structures are shown too.
# Exceptions, each written below: consents are shown with the person (they say what the person
# agreed to, which every structure that sees them must respect); notes follow `view_note` (another
# structure's note only when it is marked shared *and* the person shares); referrals are also seen
# by their sending and receiving structures, even when the person is hidden (the person is then
# not named); acts of the user's structures are always listed (with the participants the user may
# see). Act notes (`Act.notes`) are private to the acting structure: no channel ever shows them to
# another structure, even when the person shares with the network.


# `of_person`: only the records about this one person (the person page). The rule is the same;
# whether the person is visible is then read once through that person's own accompaniments and
# referrals (`structures_seeing`, kept on the person) instead of the whole caseload of the
# user's structures, and each record kind's statement names the person (issue 18).


def _staff(user) -> list[int]:
    return sorted(roles_of(user).staff_of)


def sees(staff, person: Person | None) -> bool:
    """Whether the staff's structures (ids) see this one person: the rule's other face, read
    once and kept on the person (`structures_seeing`). `rules.sees_person` asks it; so does
    each record kind of the person page, whose statements then name the person instead of
    carrying the rule's unions again (building them was half of the page's time, issue 18)."""
    return bool(person is not None and staff and structures_seeing(person) & set(staff))


def _visible_person_ids(staff, of_person=None, *, sharing: bool = False):
    """The visible persons' ids (a subquery); for `of_person`, that person's id or none."""
    if of_person is not None:
        seen = sees(staff, of_person) and (of_person.shares_with_network or not sharing)
        return [of_person.pk] if seen else []
    persons = Person.objects.filter(visible_persons_condition(staff))
    if sharing:
        persons = persons.filter(shares_with_network=True)
    return persons.values("pk")


def _about_visible_person(
    staff, person: str, *structures: str, shared: Q | None = None, of_person=None
) -> Q:
    """Rows whose `person` is visible and that belong to the staff's structures or are shared."""
    mine = Q()
    for name in structures:
        mine |= Q(**{f"{name}__in": staff})
    shares = Q(**{f"{person}__shares_with_network": True})
    if shared is not None:
        shares &= shared
    about = Q(**{f"{person}__in": _visible_person_ids(staff, of_person)})
    if of_person is not None:
        about &= Q(**{person: of_person})
    return about & (mine | shares)


def accompaniments_visible_to(user, *, of_person=None) -> QuerySet[Accompaniment]:
    staff = _staff(user)
    if not staff:
        return Accompaniment.objects.none()
    return Accompaniment.objects.filter(
        _about_visible_person(staff, "person", "structure_id", of_person=of_person)
    )


def consents_visible_to(user, *, of_person=None) -> QuerySet[Consent]:
    """Every consent of a visible person, whichever structure recorded it."""
    staff = _staff(user)
    if not staff:
        return Consent.objects.none()
    consents = Consent.objects.filter(person__in=_visible_person_ids(staff, of_person))
    return consents if of_person is None else consents.filter(person=of_person)


def project_links_visible_to(user, *, of_person=None) -> QuerySet:
    """(project, person) rows: a project is seen through each person who carries it."""
    staff = _staff(user)
    through = Project.persons.through
    if not staff:
        return through.objects.none()
    return through.objects.filter(
        _about_visible_person(
            staff, "person", "project__created_by_structure_id", of_person=of_person
        )
    )


def projects_visible_to(user) -> QuerySet[Project]:
    links = project_links_visible_to(user).filter(project_id=OuterRef("pk"))
    return Project.objects.filter(Exists(links))


def applications_visible_to(user, *, of_person=None) -> QuerySet[Application]:
    """Applications of visible persons: to an offer of the user's structures, or shared.

    This is the one meaning of "applications I see" (pages, API, exports); the inbox of the
    applications received by the user's structures is a filter on top (`structure__in`).
    """
    staff = _staff(user)
    if not staff:
        return Application.objects.none()
    return Application.objects.filter(
        _about_visible_person(staff, "person", "structure_id", of_person=of_person)
    )


def referrals_visible_to(user, *, of_person=None, of_structures=False) -> QuerySet[Referral]:
    """Referrals sent or received by the user's structures (the person is then named only when
    visible: `person_visible`), and those of a visible person who shares with the network.

    `of_structures`: only those sent or received by the user's structures (the inbox, the
    home's blocks). The user sees each of them whoever its person is, so the rule's part about
    the persons is left out of the statement instead of being read for nothing."""
    staff = _staff(user)
    if not staff:
        return Referral.objects.none()
    referrals = Referral.objects.all()
    if of_person is not None:
        referrals = referrals.filter(person=of_person)
    seen = Q(from_structure_id__in=staff) | Q(to_structure_id__in=staff)
    if not of_structures:
        seen |= Q(person__in=_visible_person_ids(staff, of_person, sharing=True))
    if of_person is not None:
        # One person's referrals: they all name the person, or none does.
        named = Value(sees(staff, of_person), output_field=BooleanField())
    else:
        # Whether each row names its person: the rule read through that row's person only (a
        # few index probes for the rows a page shows, not the whole caseload per query).
        named = Exists(
            Person.objects.filter(
                visible_persons_condition(staff, among=OuterRef("pk")), pk=OuterRef("person_id")
            )
        )
    return (
        referrals.filter(seen)
        .annotate(person_visible=named)
        .select_related(
            "person", "from_structure", "to_structure", "to_offer", "decline_reason", "from_user"
        )
    )


def participations_visible_to(user, *, of_person=None) -> QuerySet[ActParticipant]:
    """A person's presence at an act: the act is the user's structures', or the person shares."""
    staff = _staff(user)
    if not staff:
        return ActParticipant.objects.none()
    return ActParticipant.objects.filter(
        _about_visible_person(staff, "person", "act__structure_id", of_person=of_person)
    )


def acts_visible_to(user) -> QuerySet[Act]:
    """Acts of the user's structures, and acts with a participation the user may see."""
    staff = _staff(user)
    if not staff:
        return Act.objects.none()
    seen = participations_visible_to(user).filter(act_id=OuterRef("pk"))
    return Act.objects.filter(Q(structure_id__in=staff) | Q(Exists(seen)))


def outcomes_visible_to(user, *, of_person=None) -> QuerySet[Outcome]:
    staff = _staff(user)
    if not staff:
        return Outcome.objects.none()
    return Outcome.objects.filter(
        _about_visible_person(staff, "person", "structure_id", of_person=of_person)
    )


def notes_visible_to(user, *, of_person=None) -> QuerySet[PersonNote]:
    """The `view_note` rule: the user's structures' notes; another's when shared both ways."""
    staff = _staff(user)
    if not staff:
        return PersonNote.objects.none()
    return PersonNote.objects.filter(
        _about_visible_person(
            staff, "person", "structure_id", shared=Q(is_shared=True), of_person=of_person
        )
    )


def plans_visible_to(user, *, of_person=None) -> QuerySet[Plan]:
    """The plan of a visible person (its steps and revisions are filtered below)."""
    staff = _staff(user)
    if not staff:
        return Plan.objects.none()
    plans = Plan.objects.filter(person__in=_visible_person_ids(staff, of_person))
    return plans if of_person is None else plans.filter(person=of_person)


def plan_steps_visible_to(user, *, of_person=None) -> QuerySet[PlanStep]:
    staff = _staff(user)
    if not staff:
        return PlanStep.objects.none()
    return PlanStep.objects.filter(
        _about_visible_person(
            staff, "plan__person", "responsible_structure_id", of_person=of_person
        )
    )


def plan_revisions_visible_to(user, *, of_person=None) -> QuerySet[PlanRevision]:
    """Revisions made by the user's structures, or all when the person shares (their snapshot
    lists every step: readers keep only the steps `belongs_or_shared` allows)."""
    staff = _staff(user)
    if not staff:
        return PlanRevision.objects.none()
    return PlanRevision.objects.filter(
        _about_visible_person(staff, "plan__person", "structure_id", of_person=of_person)
    )


def belongs_or_shared(user, person: Person, *structure_ids) -> bool:
    """The rule above for one row of a person the user sees (no query): one of the user's
    structures holds it, or the person shares with the network. For rows that are not a model
    of their own: a project's carriers, a step of a plan revision's snapshot."""
    staff = roles_of(user).staff_of
    return person.shares_with_network or any(pk in staff for pk in structure_ids)
