"""Every channel shows what the person page shows (issue 13 point 3, issue 14).

One small world, built once for the module: structure A accompanies three persons; B and D hold
records about some of them too; C is in the network and holds nothing. For every role and every
person, the records listed by the person page, by the API (with its `person` filter) and by the
right-of-access export are the same set, and the export counts, per structure, exactly the
records it does not give.
"""

import datetime
import json
from collections import Counter

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from maillage.accounts.rules import can, forget_roles, roles_of
from maillage.pathways.models import (
    Accompaniment,
    Act,
    ActParticipant,
    Application,
    Consent,
    ConsentMethod,
    ConsentScope,
    Outcome,
    OutcomeType,
    Person,
    PersonNote,
    Plan,
    PlanStep,
    Project,
    Referral,
    ReferralOrigin,
    ReferralStatus,
)
from maillage.pathways.visibility import notes_visible_to
from tests.factories import (
    NetworkFactory,
    NetworkRoleFactory,
    OfferFactory,
    StructureFactory,
    StructureMembershipFactory,
    UserFactory,
    act_type,
)
from tests.worlds import module_world

pytestmark = pytest.mark.django_db

ROLES = (
    "a_advisor",
    "a_admin",
    "b_advisor",
    "c_advisor",
    "d_advisor",
    "coordinator",
    "funder",
    "platform_admin",
)
API_KINDS = ("projects", "applications", "referrals", "acts", "outcomes")
ASKED = {"requested_by": "person_in_person"}


def _records(world, person, structure, tag):
    """One record of each kind about `person`, held by `structure`."""
    day = datetime.date(2026, 3, 2)
    Accompaniment.objects.get_or_create(
        person=person, structure=structure, defaults={"started_on": day}
    )
    project = Project.objects.create(title=f"Projet {tag}", created_by_structure=structure)
    project.persons.add(person)
    offer = world.offers[structure.pk]
    Application.objects.create(
        person=person,
        offer=offer,
        structure=structure,
        submitted_on=day,
        status_changed_at=timezone.now(),
    )
    act = Act.objects.create(
        act_type=act_type(),
        structure=structure,
        occurred_on=day,
        duration_minutes=30,
        notes=f"Note d'acte privée {tag}",
    )
    ActParticipant.objects.create(act=act, person=person)
    Outcome.objects.create(
        person=person,
        structure=structure,
        outcome_type=OutcomeType.objects.get(code="training"),
        occurred_on=day,
        details=f"Détails de sortie {tag}",
    )
    PersonNote.objects.create(person=person, structure=structure, body=f"Note privée {tag}")
    PersonNote.objects.create(
        person=person, structure=structure, body=f"Note partagée {tag}", is_shared=True
    )
    plan, _created = Plan.objects.get_or_create(person=person)
    PlanStep.objects.create(
        plan=plan,
        position=PlanStep.objects.filter(plan=plan).count() + 1,
        action=f"Étape {tag}",
        responsible_structure=structure,
    )


def _person(name, *, shares):
    person = Person.objects.create(
        first_name=name, last_name="Témoin", name_key=name.lower(), shares_with_network=shares
    )
    if shares:
        Consent.objects.create(
            person=person,
            scope=ConsentScope.NETWORK_SHARING,
            method=ConsentMethod.WRITTEN,
            given_at=timezone.now(),
        )
    return person


def _referral(person, from_structure, to_structure, *, shares):
    return Referral.objects.create(
        person=person,
        origin=ReferralOrigin.STRUCTURE,
        from_structure=from_structure,
        to_structure=to_structure,
        shares_person_data=shares,
        status=ReferralStatus.SENT,
        sent_at=timezone.now(),
        status_changed_at=timezone.now(),
    )


def build_world():
    class World:
        pass

    w = World()
    network = NetworkFactory(name="Réseau des canaux")
    w.a, w.b, w.c, w.d = (
        StructureFactory(name=name, networks=[network]) for name in ("A", "B", "C", "D")
    )
    w.offers = {s.pk: OfferFactory(structure=s) for s in (w.a, w.b, w.c, w.d)}
    w.users = {
        "a_advisor": StructureMembershipFactory(structure=w.a).user,
        "a_admin": StructureMembershipFactory(structure=w.a, admin=True).user,
        "b_advisor": StructureMembershipFactory(structure=w.b).user,
        "c_advisor": StructureMembershipFactory(structure=w.c).user,
        "d_advisor": StructureMembershipFactory(structure=w.d).user,
        "coordinator": NetworkRoleFactory(network=network).user,
        "funder": NetworkRoleFactory(network=network, funder=True).user,
        "platform_admin": UserFactory(platform_admin=True),
    }
    # Shares with the network: A and D hold records; referred by A to B with their data.
    w.sharing = _person("Partage", shares=True)
    _records(w, w.sharing, w.a, "A-partage")
    _records(w, w.sharing, w.d, "D-partage")
    _referral(w.sharing, w.a, w.b, shares=True)
    _referral(w.sharing, w.d, w.a, shares=True)
    # Does not share: A, B and D each hold records; A referred them to D.
    w.private = _person("Prive", shares=False)
    for structure, tag in ((w.a, "A-prive"), (w.b, "B-prive"), (w.d, "D-prive")):
        _records(w, w.private, structure, tag)
    _referral(w.private, w.a, w.d, shares=False)
    _referral(w.private, w.d, w.b, shares=False)
    # Does not share, referred by A to B without their data: B must not see them.
    w.referred = _person("Oriente", shares=False)
    _records(w, w.referred, w.a, "A-oriente")
    _referral(w.referred, w.a, w.b, shares=False)
    w.persons = (w.sharing, w.private, w.referred)
    return w


world = module_world(build_world, name="world")


# --- What each channel lists -------------------------------------------------------------------


def page_sets(client, person) -> dict | None:
    response = client.get(reverse("pathways:person_detail", args=[person.uuid]))
    if response.status_code != 200:
        assert response.status_code == 404  # a hidden person is a 404, as one who does not exist
        return None
    page = response.context["page"]
    return {
        "accompaniments": {a.structure.name for a in page.accompaniments},
        "consents": {c.get_scope_display() for c in page.consents},
        "projects": {str(p.uuid) for p in page.projects},
        "applications": {str(a.uuid) for a in page.applications},
        "referrals": {str(r.uuid) for r in page.referrals},
        "acts": {str(p.act.uuid) for p in page.acts},
        "outcomes": {str(o.uuid) for o in page.outcomes},
        "notes": {n.body for n in page.notes},
        "plan_steps": {s.action for s in page.plan_steps},
    }


def api_sets(user, person) -> dict | None:
    client = APIClient()
    client.force_login(user)
    sets = {}
    for kind in API_KINDS:
        response = client.get(f"/api/v1/{kind}/", {"person": str(person.uuid), "page_size": 100})
        if response.status_code == 403:
            return None
        assert response.status_code == 200, response.content
        sets[kind] = {row["uuid"]: row for row in response.json()["results"]}
    return sets


def export_data(client, person) -> dict | None:
    response = client.post(reverse("pathways:person_export_json", args=[person.uuid]), ASKED)
    if response.status_code != 200:
        # 404 for a hidden person; 403 for one seen but not accompanied (no right to export).
        assert response.status_code in (403, 404)
        return None
    return json.loads(response.content)


def export_sets(data) -> dict:
    return {
        "accompaniments": {a["structure"] for a in data["accompaniments"]},
        "consents": {c["scope"] for c in data["consents"]},
        "projects": {p["identifier"] for p in data["projects"]},
        "applications": {a["identifier"] for a in data["applications"]},
        "referrals": {r["identifier"] for r in data["referrals"]},
        "acts": {a["identifier"] for a in data["acts"]},
        "outcomes": {o["identifier"] for o in data["outcomes"]},
        "notes": {n["body"] for n in data["notes"]},
        "plan_steps": {s["action"] for s in (data["plan"] or {"steps": []})["steps"]},
    }


HELD_KINDS = {
    "accompaniments": "accompagnements",
    "projects": "projets",
    "applications": "candidatures",
    "referrals": "orientations",
    "acts": "actes professionnels",
    "outcomes": "sorties",
    "notes": "notes",
    "plan_steps": "étapes du plan d'accompagnement",
}


def reference(person, staff: set[int]) -> tuple[dict, Counter]:
    """The person page's rule, written out plainly: what `staff` sees of the person, and what
    they do not see, counted per holding structure and kind."""
    shares = person.shares_with_network
    visible = {kind: set() for kind in HELD_KINDS}
    visible["consents"] = {c.get_scope_display() for c in Consent.objects.filter(person=person)}
    hidden = Counter()

    def sort(kind, key, holders, seen):
        if seen:
            visible[kind].add(key)
        else:
            for holder in holders:
                hidden[(holder.name, HELD_KINDS[kind])] += 1

    def mine(*holders):
        return any(holder.pk in staff for holder in holders)

    for a in Accompaniment.objects.filter(person=person).select_related("structure"):
        sort("accompaniments", a.structure.name, [a.structure], mine(a.structure) or shares)
    for p in Project.objects.filter(persons=person).select_related("created_by_structure"):
        holder = p.created_by_structure
        sort("projects", str(p.uuid), [holder], mine(holder) or shares)
    for a in Application.objects.filter(person=person).select_related("structure"):
        sort("applications", str(a.uuid), [a.structure], mine(a.structure) or shares)
    for r in Referral.objects.filter(person=person).select_related(
        "from_structure", "to_structure"
    ):
        holders = [r.from_structure, r.to_structure]
        sort("referrals", str(r.uuid), holders, mine(*holders) or shares)
    for p in ActParticipant.objects.filter(person=person).select_related("act__structure"):
        holder = p.act.structure
        sort("acts", str(p.act.uuid), [holder], mine(holder) or shares)
    for o in Outcome.objects.filter(person=person).select_related("structure"):
        sort("outcomes", str(o.uuid), [o.structure], mine(o.structure) or shares)
    for n in PersonNote.objects.filter(person=person).select_related("structure"):
        sort("notes", n.body, [n.structure], mine(n.structure) or (shares and n.is_shared))
    for step in PlanStep.objects.filter(plan__person=person).select_related(
        "responsible_structure"
    ):
        holder = step.responsible_structure
        sort("plan_steps", step.action, [holder], mine(holder) or shares)
    return visible, hidden


# --- The agreement -----------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_page_api_and_export_list_the_same_records(world, client, role):
    user = world.users[role]
    forget_roles(user)
    client.force_login(user)
    staff = set(roles_of(user).staff_of)
    staff_uuids = {str(s.uuid) for s in (world.a, world.b, world.c, world.d) if s.pk in staff}
    for person in world.persons:
        name = person.first_name
        page = page_sets(client, person)
        api = api_sets(user, person)
        data = export_data(client, person)
        if page is None:
            assert data is None, (role, name)
            if api is not None:
                # A hidden person: only the referrals the user's structures sent or received,
                # and the person is not named on them.
                assert not any(api[kind] for kind in API_KINDS if kind != "referrals"), name
                for row in api["referrals"].values():
                    assert row["person"] is None
                    assert {row["from_structure"], row["to_structure"]} & staff_uuids
            continue
        visible, hidden = reference(person, staff)
        assert page == visible, (role, name)
        assert api is not None, role
        for kind in API_KINDS:
            assert set(api[kind]) == page[kind], (role, name, kind)
        for row in api["acts"].values():
            if row["structure"] not in staff_uuids:
                assert row["notes"] == "", (role, name)
        if data is None:
            continue
        assert export_sets(data) == page, (role, name)
        counted = Counter()
        for held in data["held_elsewhere"]:
            for row in held["records"]:
                counted[(held["structure"], row["kind"])] += row["count"]
        assert counted == hidden, (role, name)
        for act in data["acts"]:
            if act["structure"] not in {
                s.name for s in (world.a, world.b, world.d) if s.pk in staff
            }:
                assert act["notes"] == "", (role, name)


def test_the_world_is_not_trivial(world):
    """Each role of interest sees some records and not others: the agreement means something."""
    a_staff = {world.a.pk}
    visible, hidden = reference(world.private, a_staff)
    assert len(visible["acts"]) == 1 and hidden[("B", "actes professionnels")] == 1
    visible, hidden = reference(world.sharing, {world.b.pk})
    assert len(visible["acts"]) == 2
    assert hidden == Counter({("A", "notes"): 1, ("D", "notes"): 1})


@pytest.mark.parametrize("role", ROLES)
def test_the_notes_selector_is_the_view_note_rule(world, role):
    """`notes_visible_to` (every channel) and `can(user, "view_note")` (one note) agree."""
    user = world.users[role]
    forget_roles(user)
    listed = set(notes_visible_to(user).values_list("pk", flat=True))
    for note in PersonNote.objects.filter(person__in=world.persons).select_related("person"):
        expected = can(user, "view_person", note.person) and can(user, "view_note", note)
        assert (note.pk in listed) == expected, (role, note.body)


@pytest.mark.parametrize("role", ROLES)
def test_the_listed_persons_are_the_view_person_rule(world, role):
    """The persons list and the API read the rule with the caseload's ids given as arrays
    (`listed`, issue 18): the same persons as the rule as a subquery and as `view_person`,
    including a person who wrote to C from the public site and a merged record."""
    from maillage.pathways.visibility import persons_visible_to

    written = _person("Ecrit", shares=False)
    Referral.objects.create(
        person=written,
        origin=ReferralOrigin.PUBLIC_FORM,
        to_structure=world.c,
        shares_person_data=True,
        status=ReferralStatus.SENT,
        sent_at=timezone.now(),
        status_changed_at=timezone.now(),
    )
    merged = _person("Fusionne", shares=True)
    Accompaniment.objects.create(person=merged, structure=world.c, started_on=timezone.localdate())
    Person.objects.filter(pk=merged.pk).update(merged_into=written)
    user = world.users[role]
    forget_roles(user)
    persons = Person.objects.filter(pk__in=[p.pk for p in (*world.persons, written, merged)])
    expected = {p.pk for p in persons if can(user, "view_person", p)}
    assert set(persons_visible_to(user, listed=True).values_list("pk", flat=True)) == expected
    assert set(persons_visible_to(user).values_list("pk", flat=True)) == expected
    if role == "c_advisor":
        assert expected == {written.pk}
