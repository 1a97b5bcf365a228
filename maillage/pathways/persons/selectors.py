"""Reads of the pathways app, always filtered by what the user may see (DOMAIN §5).

Pages fetch objects through these querysets, so a forgotten check is a 404, never a leak.
Person visibility itself is written once, in `visibility.py`. The advisor's home and the person
page are each read with a fixed number of queries, whatever the length of the history.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import (
    Case,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from maillage.accounts.rules import roles_of
from maillage.core.pagination import first_rows_and_count
from maillage.core.text import normalise
from maillage.directory.models import OfferSession, Structure

from .. import identity
from ..access import log_person_reads
from ..choices import staff_structures
from ..identity import phone_digits
from ..models import Accompaniment, IdentityKey, Notification, Person, PersonAccess, Plan, Project
from ..states import REFERRAL_UNANSWERED
from ..visibility import (
    accompaniments_visible_to,
    applications_visible_to,
    belongs_or_shared,
    consents_visible_to,
    notes_visible_to,
    outcomes_visible_to,
    participations_visible_to,
    persons_visible_to,
    plan_revisions_visible_to,
    plan_steps_visible_to,
    plans_visible_to,
    project_links_visible_to,
    projects_visible_to,
    referrals_visible_to,
    visible_persons_condition,
)

INACTIVE_AFTER_DAYS = 90
UPCOMING_SESSION_DAYS = 30
THIS_WEEK_DAYS = 7
HOME_LIST_SIZE = 10


# --- Person list -------------------------------------------------------------------------------


def search_persons(user, query: str = "", *, listed: bool = True) -> QuerySet[Person]:
    """Persons the user may see, optionally those whose name contains `query` (any accents).
    `listed`: the list is read whole (see `visible_persons_condition`); a caller that keeps a
    few rows of it (the merge page's candidates) passes False."""
    persons = persons_visible_to(user, listed=listed).select_related("situation")
    key = normalise(query)
    if key:
        persons = persons.filter(name_key__icontains=key)
    return persons.order_by("last_name", "first_name", "pk")


def persons_export(user, query: str = "") -> list[Person]:
    """The persons of the list's file (`search_persons`). Each is a read of their record: it is
    logged here (channel export), so that whatever serves the file, the access log has it."""
    exported = list(search_persons(user, query))
    log_person_reads(user=user, persons=exported, channel=PersonAccess.Channel.EXPORT)
    return exported


# --- Probable duplicates -----------------------------------------------------------------------


def within_one_edit(a: str, b: str) -> bool:
    """Whether `b` is `a` with at most one letter added, removed or changed."""
    if a == b:
        return True
    if abs(len(a) - len(b)) > 1:
        return False
    if len(a) > len(b):
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    if len(a) == len(b):
        return a[i + 1 :] == b[i + 1 :]
    return a[i:] == b[i + 1 :]


@dataclass
class _Probe:
    key: str
    swapped: str
    year: int | None
    email: str
    digits: str


def _name_matches(probe: _Probe, person: Person) -> bool:
    if not probe.key or not person.name_key:
        return False
    if not within_one_edit(probe.key, person.name_key) and not within_one_edit(
        probe.swapped, person.name_key
    ):
        return False
    # A similar name with another known birth year is a homonym, not a duplicate.
    return probe.year is None or person.birth_year is None or probe.year == person.birth_year


def _keyed(keys):
    """The ids of the persons holding one of `keys` (an index-only scan of identity keys)."""
    return IdentityKey.objects.filter(key__in=keys).values("person_id")


def probable_duplicates(
    user,
    *,
    first_name: str = "",
    last_name: str = "",
    birth_date: date | None = None,
    email: str = "",
    phone: str = "",
    limit: int = 10,
) -> list[Person]:
    """Persons visible to `user` who are probably the one about to be recorded.

    A person matches on the same name (accents, case and hyphens ignored, one typo or first and
    last names swapped allowed) with the same birth year (or an unknown one), on the same e-mail,
    or on the same phone number (digits only). Candidates are the persons holding one of the
    probe's network identity keys (`pathways/identity.py`), found with one indexed query
    whatever the number of persons; each is confirmed in Python. Each person carries
    `duplicate_reasons`, a list of translated reasons.
    """
    probe, keys = _probe(first_name, last_name, birth_date, email, phone)
    if not keys:
        return []
    candidates = (
        persons_visible_to(user, among=_keyed(keys))
        .filter(anonymised_at__isnull=True)
        .order_by("last_name", "first_name", "pk")
    )
    found = []
    for person in candidates:
        reasons = _reasons(probe, person)
        if reasons:
            person.duplicate_reasons = reasons
            found.append(person)
        if len(found) >= limit:
            break
    return found


def _probe(first_name, last_name, birth_date, email, phone) -> tuple[_Probe, set[int]]:
    probe = _Probe(
        key=normalise(f"{last_name} {first_name}"),
        swapped=normalise(f"{first_name} {last_name}"),
        year=birth_date.year if birth_date else None,
        email=(email or "").strip().lower(),
        digits=phone_digits(phone),
    )
    keys = identity.probe_keys(
        first_name=first_name,
        last_name=last_name,
        birth_year=probe.year,
        email=probe.email,
        phone=phone,
    )
    return probe, keys


def _reasons(probe: _Probe, person: Person) -> list:
    reasons = []
    if _name_matches(probe, person):
        reasons.append(_("similar name and birth year"))
    if probe.email and person.email.lower() == probe.email:
        reasons.append(_("same e-mail"))
    if probe.digits and phone_digits(person.phone) == probe.digits:
        reasons.append(_("same phone"))
    return reasons


@dataclass
class NetworkMatches:
    """What an advisor recording a person may be told of the same person elsewhere in the
    network (docs/network-identity.md): `shared`, the persons who consented to network sharing,
    each with `accompanying` (the names of the structures of the network that accompany them);
    `ask`, whether another matched without that consent (one neutral sentence, nothing else)."""

    shared: list = field(default_factory=list)
    ask: bool = False

    def __bool__(self):
        return bool(self.shared) or self.ask


def network_matches(
    user,
    *,
    first_name: str = "",
    last_name: str = "",
    birth_date: date | None = None,
    email: str = "",
    phone: str = "",
) -> NetworkMatches:
    """The persons the user may NOT see, accompanied by another structure of the user's
    networks, who are probably the one about to be recorded (the rule of
    `probable_duplicates`). Only those sharing with the network are returned by name of their
    structures; of the others, only that one exists."""
    staff = roles_of(user).staff_of
    probe, keys = _probe(first_name, last_name, birth_date, email, phone)
    matches = NetworkMatches()
    if not staff or not keys:
        return matches
    networks = Structure.networks.through.objects.filter(structure_id__in=staff).values(
        "network_id"
    )
    in_network = Accompaniment.objects.filter(
        person=OuterRef("pk"), structure__networks__in=networks, ended_on__isnull=True
    ).exclude(structure_id__in=staff)
    candidates = (
        Person.objects.filter(
            anonymised_at__isnull=True, merged_into__isnull=True, pk__in=_keyed(keys)
        )
        .filter(Exists(in_network))
        .exclude(pk__in=persons_visible_to(user, among=_keyed(keys)).values("pk"))
        .order_by("pk")
    )
    for person in candidates:
        if not _reasons(probe, person):
            continue
        if person.shares_with_network:
            person.accompanying = sorted(
                Structure.objects.filter(
                    accompaniments__person=person,
                    accompaniments__ended_on__isnull=True,
                    networks__in=networks,
                )
                .distinct()
                .values_list("name", flat=True)
            )
            matches.shared.append(person)
        else:
            matches.ask = True
    return matches


KEYS_PER_QUERY = 5000


def network_matches_for_rows(structure, rows: dict) -> dict:
    """`network_matches` for many persons about to be recorded by `structure` at once (an
    import's dry run): {row id: NetworkMatches} for the rows that match someone `structure`
    does not see, accompanied by another structure of its networks, under the same consent
    rule. `rows`: {row id: {first_name, last_name, birth_date, email, phone}}. One indexed query
    per few thousand identity keys. A row without a birth date is looked up by its e-mail and
    phone only (an unknown year would look up every year: thousands of keys per row)."""
    probes, by_key = {}, defaultdict(set)
    for row, values in rows.items():
        birth_date = values.get("birth_date")
        named = bool(birth_date)
        probe, keys = _probe(
            values.get("first_name", "") if named else "",
            values.get("last_name", "") if named else "",
            birth_date,
            values.get("email", ""),
            values.get("phone", ""),
        )
        probe.key = normalise(f"{values.get('last_name', '')} {values.get('first_name', '')}")
        probe.swapped = normalise(f"{values.get('first_name', '')} {values.get('last_name', '')}")
        probes[row] = probe
        for key in keys:
            by_key[key].add(row)
    rows_of = defaultdict(set)  # person id → the rows holding one of their keys
    keys = list(by_key)
    for start in range(0, len(keys), KEYS_PER_QUERY):
        found = IdentityKey.objects.filter(key__in=keys[start : start + KEYS_PER_QUERY])
        for key, person_id in found.values_list("key", "person_id"):
            rows_of[person_id] |= by_key[key]
    if not rows_of:
        return {}
    networks = Structure.networks.through.objects.filter(structure_id=structure.pk).values(
        "network_id"
    )
    in_network = Accompaniment.objects.filter(
        person=OuterRef("pk"), structure__networks__in=networks, ended_on__isnull=True
    ).exclude(structure_id=structure.pk)
    ids = sorted(rows_of)
    candidates = list(
        Person.objects.filter(anonymised_at__isnull=True, merged_into__isnull=True, pk__in=ids)
        .filter(Exists(in_network))
        .exclude(visible_persons_condition([structure.pk], among=ids))
        .order_by("pk")
    )
    accompanying = defaultdict(set)
    shared = [person.pk for person in candidates if person.shares_with_network]
    for person_id, name in (
        Accompaniment.objects.filter(
            person_id__in=shared, ended_on__isnull=True, structure__networks__in=networks
        )
        .exclude(structure_id=structure.pk)
        .values_list("person_id", "structure__name")
        .distinct()
    ):
        accompanying[person_id].add(name)
    result = defaultdict(NetworkMatches)
    for person in candidates:
        for row in sorted(rows_of[person.pk]):
            if not _reasons(probes[row], person):
                continue
            if person.shares_with_network:
                person.accompanying = sorted(accompanying[person.pk])
                result[row].shared.append(person)
            else:
                result[row].ask = True
    return dict(result)


# --- The advisor's home ------------------------------------------------------------------------


@dataclass
class Block:
    """One block of the home: a few rows and how many there are in all."""

    rows: list
    count: int


@dataclass
class AdvisorHome:
    structures: list
    sessions_this_week: int  # sessions starting within THIS_WEEK_DAYS (the "today" summary)
    my_caseload: Block
    other_caseload: Block
    incoming: Block
    sent: Block
    sessions: Block
    inactive: Block
    notifications: Block


def _block(queryset, size: int = HOME_LIST_SIZE) -> Block:
    """The first rows and the total, in two short queries: the rows' ids and their count from
    the block's own table, then those rows joined and annotated (`first_rows_and_count`: one
    statement joined every row of the block before the LIMIT, the whole caseload's referrals
    with their persons, issue 18)."""
    rows, count = first_rows_and_count(queryset, size)
    return Block(rows=rows, count=count)


def _caseload_blocks(user, open_rows, size: int = HOME_LIST_SIZE) -> tuple[Block, Block]:
    """The open accompaniments of the user's structures whose referent is the user, and the
    others, each ordered by the person's name.

    `open_rows` are the (accompaniment, person, referent) ids of every open accompaniment. The
    persons' order is read from the persons table through their ids (one array parameter,
    `__in_array`): joining the accompaniments to the persons to sort them made PostgreSQL read
    the whole persons table (issue 18). Only the rows shown are then read with their joins."""
    by_person = defaultdict(list)
    me = user.pk  # once: `request.user` is a lazy object, each attribute read goes through it
    for pk, person_id, referent_id in sorted(open_rows):
        by_person[person_id].append((pk, referent_id == me))
    ordered = Person.objects.filter(
        pk__in_array=sorted(by_person), merged_into__isnull=True
    ).order_by("last_name", "first_name", "pk")
    mine, others = [], []
    for person_id in ordered.values_list("pk", flat=True):
        for pk, is_mine in by_person[person_id]:
            (mine if is_mine else others).append(pk)
    shown = mine[:size] + others[:size]
    rows = {
        row.pk: row
        for row in Accompaniment.objects.filter(pk__in=shown).select_related(
            "person", "structure", "referent"
        )
    }
    return (
        Block(rows=[rows[pk] for pk in mine[:size] if pk in rows], count=len(mine)),
        Block(rows=[rows[pk] for pk in others[:size] if pk in rows], count=len(others)),
    )


def advisor_home(user) -> AdvisorHome:
    """Everything on the advisor's home, in a fixed number of queries."""
    staff = sorted(roles_of(user).staff_of)
    today = timezone.localdate()
    # `person_visible` (annotated by the selector): whether the user may open the person.
    referrals = referrals_visible_to(user, of_structures=True)
    incoming = referrals.filter(to_structure_id__in=staff, status__in=REFERRAL_UNANSWERED).order_by(
        "sent_at", "pk"
    )
    sent = referrals.filter(from_structure_id__in=staff).order_by("-status_changed_at", "-pk")
    sessions = (
        OfferSession.objects.filter(
            offer__structure_id__in=staff,
            starts_on__gte=today,
            starts_on__lte=today + timedelta(days=UPCOMING_SESSION_DAYS),
        )
        .select_related("offer", "offer__structure")
        .order_by("starts_on", "pk")
    )
    limit = today - timedelta(days=INACTIVE_AFTER_DAYS)
    # Start from the structures' open accompaniments (indexed by structure), not from the whole
    # persons table: the block grows with the caseload, not with the database (issue 18).
    open_rows = list(
        Accompaniment.objects.filter(structure_id__in=staff, ended_on__isnull=True).values_list(
            "pk", "person_id", "referent_id"
        )
    )
    followed_ids = {person_id for _pk, person_id, _referent in open_rows}
    # Oldest act first, persons without any act last (as ORDER BY last_activity_on would), said
    # with a leading expression that no index of the persons table serves: otherwise the
    # planner walks the last-activity index through every quiet person of the database and
    # keeps the caseload's (the block counts them all), 50,000 rows at regional scale.
    never_active = Case(
        When(last_activity_on__isnull=True, then=Value(1)),
        default=Value(0),
        output_field=IntegerField(),
    )
    inactive = (
        Person.objects.filter(
            pk__in_array=sorted(followed_ids), merged_into__isnull=True, anonymised_at__isnull=True
        )
        .filter(
            Q(last_activity_on__lt=limit)
            | Q(last_activity_on__isnull=True, created_at__date__lt=limit)
        )
        .order_by(never_active, "last_activity_on", "last_name", "pk")
    )
    notifications = Notification.objects.filter(recipient=user, read_at__isnull=True)
    sessions_this_week = sessions.filter(
        starts_on__lte=today + timedelta(days=THIS_WEEK_DAYS)
    ).count()
    my_caseload, other_caseload = _caseload_blocks(user, open_rows)
    return AdvisorHome(
        sessions_this_week=sessions_this_week,
        structures=staff_structures(user),
        my_caseload=my_caseload,
        other_caseload=other_caseload,
        incoming=_block(incoming),
        sent=_block(sent),
        sessions=_block(sessions),
        inactive=_block(inactive),
        notifications=_block(notifications),
    )


def projects_of_person(user, person) -> QuerySet[Project]:
    """The projects the user sees through this person (not through a co-carrier)."""
    # The person's few projects are read first: an EXISTS from the projects table made
    # PostgreSQL read and join every project of the database (166 ms at regional scale, and
    # growing with it) to keep the person's one or two (issue 18).
    ids = sorted(
        project_links_visible_to(user, of_person=person).values_list("project_id", flat=True)
    )
    return Project.objects.filter(pk__in=ids)


# --- The person page ---------------------------------------------------------------------------


@dataclass
class TimelineEvent:
    on: date
    kind: str
    text: str
    structure: Structure | None = None
    url: str = ""


@dataclass
class PersonPage:
    person: Person
    accompaniments: list
    consents: list
    projects: list
    applications: list
    referrals: list
    acts: list
    outcomes: list
    notes: list
    plan: Plan | None
    plan_steps: list
    plan_revisions: list
    current_stage: object = None
    shows_network: bool = False
    timeline: list = field(default_factory=list)


def _day(moment) -> date:
    if isinstance(moment, datetime):
        return timezone.localtime(moment).date()
    return moment


def _timeline(page: PersonPage) -> list[TimelineEvent]:
    from django.urls import reverse

    events = []
    for accompaniment in page.accompaniments:
        events.append(
            TimelineEvent(
                accompaniment.started_on,
                "accompaniment",
                _("Accompaniment started"),
                accompaniment.structure,
            )
        )
    for consent in page.consents:
        events.append(
            TimelineEvent(
                _day(consent.given_at),
                "consent",
                _("Consent given: %(scope)s") % {"scope": consent.get_scope_display()},
                consent.structure,
            )
        )
        if consent.withdrawn_at:
            events.append(
                TimelineEvent(
                    _day(consent.withdrawn_at),
                    "consent",
                    _("Consent withdrawn: %(scope)s") % {"scope": consent.get_scope_display()},
                    consent.structure,
                )
            )
    for referral in page.referrals:
        url = reverse("pathways:referral_detail", kwargs={"uuid": referral.uuid})
        events.append(
            TimelineEvent(
                _day(referral.sent_at),
                "referral",
                _("Referred to %(structure)s (%(status)s)")
                % {"structure": referral.to_structure, "status": referral.get_status_display()},
                referral.from_structure,
                url,
            )
        )
        if referral.first_meeting_on:
            events.append(
                TimelineEvent(
                    referral.first_meeting_on,
                    "referral",
                    _("First meeting at %(structure)s") % {"structure": referral.to_structure},
                    referral.to_structure,
                    url,
                )
            )
    for application in page.applications:
        events.append(
            TimelineEvent(
                application.submitted_on,
                "application",
                _("Application to %(offer)s (%(status)s)")
                % {"offer": application.offer.title, "status": application.get_status_display()},
                application.structure,
            )
        )
    for participation in page.acts:
        act = participation.act
        text = act.act_type.label
        if not participation.attended:
            text = _("%(act)s (absent)") % {"act": text}
        events.append(TimelineEvent(act.occurred_on, "act", text, act.structure))
    for outcome in page.outcomes:
        events.append(
            TimelineEvent(
                outcome.occurred_on,
                "outcome",
                _("Outcome: %(type)s") % {"type": outcome.outcome_type.label},
                outcome.structure,
            )
        )
    for note in page.notes:
        events.append(TimelineEvent(_day(note.created_at), "note", _("Note"), note.structure))
    events.sort(key=lambda event: event.on, reverse=True)
    return events


def person_page(user, person: Person) -> PersonPage:
    """Everything the person page shows to `user`, in a fixed number of queries.

    The caller has checked `can(user, "view_person", person)`. Every list comes from the
    record kind's `<record>_visible_to(user)` selector (see `visibility.py`), restricted to the
    person: the API and the exports start from the same selectors.
    """
    accompaniments = list(
        accompaniments_visible_to(user, of_person=person).select_related("structure", "referent")
    )
    consents = list(
        consents_visible_to(user, of_person=person).select_related("structure", "recorded_by")
    )
    projects = list(
        projects_of_person(user, person)
        .select_related("current_stage", "sector", "envisaged_legal_form", "created_by_structure")
        .order_by("-created_at", "-pk")
    )
    applications = list(
        applications_visible_to(user, of_person=person).select_related(
            "offer", "session", "structure"
        )
    )
    referrals = list(
        referrals_visible_to(user, of_person=person).select_related(
            "from_structure", "to_structure", "to_offer"
        )
    )
    # The acts (a long history has hundreds) read only what the page shows of them: whole, their
    # structures, offers and staff were half of the page's model instances (issue 18).
    acts = list(
        participations_visible_to(user, of_person=person)
        .select_related("act", "act__act_type", "act__structure")
        .only(
            "attended",
            "act",
            "act__occurred_on",
            "act__duration_minutes",
            "act__act_type",
            "act__act_type__label_fr",
            "act__act_type__label_en",
            "act__structure",
            "act__structure__name",
        )
        .order_by("-act__occurred_on", "-act__pk")
    )
    outcomes = list(
        outcomes_visible_to(user, of_person=person).select_related(
            "outcome_type", "structure", "project", "legal_form"
        )
    )
    notes = list(notes_visible_to(user, of_person=person).select_related("structure", "author"))
    plan = plans_visible_to(user, of_person=person).first()
    plan_steps, plan_revisions = [], []
    if plan is not None:
        plan_steps = list(
            plan_steps_visible_to(user, of_person=person)
            .filter(plan=plan)
            .select_related("offer", "offer__structure", "responsible_structure")
        )
        plan_revisions = list(
            plan_revisions_visible_to(user, of_person=person)
            .filter(plan=plan)
            .select_related("author", "structure")[:5]
        )
    current_stage = next(
        (project.current_stage for project in projects if project.current_stage_id), None
    )
    page = PersonPage(
        person=person,
        accompaniments=accompaniments,
        consents=consents,
        projects=projects,
        applications=applications,
        referrals=referrals,
        acts=acts,
        outcomes=outcomes,
        notes=notes,
        plan=plan,
        plan_steps=plan_steps,
        plan_revisions=plan_revisions,
        current_stage=current_stage,
        shows_network=person.shares_with_network,
    )
    page.timeline = _timeline(page)
    return page


def persons_for_api(user) -> QuerySet[Person]:
    return persons_visible_to(user, listed=True).select_related("commune", "situation")


def projects_for_api(user) -> QuerySet[Project]:
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
