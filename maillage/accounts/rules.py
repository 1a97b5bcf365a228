"""Every authorisation decision of Maillage, in one place.

Views, the API, selectors and templates ask `can(user, action, obj)`; nothing else decides.
A user's roles are read once (at most three small queries) and cached on the user object, so
each later check costs no query.

Actions (the object each takes):
- access_backoffice            — none
- access_admin_site            — none
- change_network               — Network
- manage_network_roles         — Network
- change_structure             — Structure
- manage_structure_staff       — Structure
- view_personal_records        — Structure: read the contact requests sent to that structure
- access_pathways              — none: the advisor's home (staff of at least one structure)
- track_persons                — Structure: record persons, acts, applications, referrals for it
- view_person                  — Person: open their record (the structure accompanies them, or
                                 a referral with their data reached it)
- change_person                — Person: edit identity, consents, plan (accompanying structures)
- export_person_data           — Person: right of access (JSON, PDF)
- erase_person                 — Person: erasure by anonymisation (structure admins)
- answer_referral              — Referral: accept, decline, redirect, first meeting, close
- cancel_referral              — Referral: the sender cancels
- decide_application           — Application: review, select, not select, start, end
- view_note                    — PersonNote
- manage_api_tokens            — Structure
- manage_pathway_referentials  — Network: add act types, outcome types, reasons…
- import_records               — Structure: import spreadsheets of persons, acts… into it
- view_reports                 — none: the reports menu (structure admins, coordinators, funders)
- view_network_report          — Network: its aggregate report (coordinators; funders it funds)
- view_structure_report        — Structure: its aggregate report (its admins; the coordinators
                                 and funders of one of its networks)
- see_small_counts             — Structure: read counts from 1 to 4 unmasked in its own report
                                 (its admins only: coordinators and funders always read "<5")
- export_pseudonymised_persons — Network: the person-level CSV without names (coordinators)

Policy (DOMAIN §5): coordinators and funders never see a named person, and the platform admin
(technical administration) gets nothing here that is not written below.
"""

from dataclasses import dataclass, field

import rules

from .models import NetworkRoleKind, StructureRole, structure_model

_CACHE_ATTR = "_maillage_roles"


@dataclass(frozen=True)
class UserRoles:
    """What a user is, as plain sets of ids."""

    is_platform_admin: bool = False
    advisor_of: frozenset[int] = field(default_factory=frozenset)
    admin_of: frozenset[int] = field(default_factory=frozenset)
    coordinator_of: frozenset[int] = field(default_factory=frozenset)
    funder_of: frozenset[int] = field(default_factory=frozenset)
    # Structures that belong to a network the user coordinates, or to one the user funds.
    coordinated_structures: frozenset[int] = field(default_factory=frozenset)
    funded_structures: frozenset[int] = field(default_factory=frozenset)

    @property
    def staff_of(self) -> frozenset[int]:
        return self.advisor_of | self.admin_of

    @property
    def has_any_role(self) -> bool:
        return bool(
            self.is_platform_admin or self.staff_of or self.coordinator_of or self.funder_of
        )


NO_ROLES = UserRoles()


def roles_of(user) -> UserRoles:
    """The user's roles, loaded once per user object."""
    if user is None or not user.is_authenticated or not user.is_active:
        return NO_ROLES
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is not None:
        return cached
    memberships = list(user.structure_memberships.values_list("structure_id", "role"))
    network_roles = list(user.network_roles.values_list("network_id", "role"))
    coordinator_of = frozenset(
        n for n, role in network_roles if role == NetworkRoleKind.COORDINATOR
    )
    funder_of = frozenset(n for n, role in network_roles if role == NetworkRoleKind.FUNDER)
    members = (
        list(
            structure_model()
            .networks.through.objects.filter(network_id__in=coordinator_of | funder_of)
            .values_list("network_id", "structure_id")
        )
        if coordinator_of or funder_of
        else []
    )
    roles = UserRoles(
        is_platform_admin=user.is_superuser,
        advisor_of=frozenset(s for s, role in memberships if role == StructureRole.ADVISOR),
        admin_of=frozenset(s for s, role in memberships if role == StructureRole.STRUCTURE_ADMIN),
        coordinator_of=coordinator_of,
        funder_of=funder_of,
        coordinated_structures=frozenset(s for n, s in members if n in coordinator_of),
        funded_structures=frozenset(s for n, s in members if n in funder_of),
    )
    setattr(user, _CACHE_ATTR, roles)
    return roles


def forget_roles(user) -> None:
    """Drop the cached roles, after they changed."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


# --- Predicates --------------------------------------------------------------------------------


@rules.predicate
def is_platform_admin(user):
    return roles_of(user).is_platform_admin


@rules.predicate
def has_any_role(user):
    return roles_of(user).has_any_role


@rules.predicate
def is_coordinator_of_network(user, network):
    return network is not None and network.pk in roles_of(user).coordinator_of


@rules.predicate
def is_admin_of_structure(user, structure):
    return structure is not None and structure.pk in roles_of(user).admin_of


@rules.predicate
def is_staff_of_structure(user, structure):
    return structure is not None and structure.pk in roles_of(user).staff_of


@rules.predicate
def coordinates_structure(user, structure):
    return structure is not None and structure.pk in roles_of(user).coordinated_structures


@rules.predicate
def funds_network(user, network):
    return network is not None and network.pk in roles_of(user).funder_of


@rules.predicate
def funds_structure(user, structure):
    return structure is not None and structure.pk in roles_of(user).funded_structures


@rules.predicate
def reads_reports(user):
    roles = roles_of(user)
    return bool(roles.admin_of or roles.coordinator_of or roles.funder_of)


@rules.predicate
def is_staff_of_a_structure(user):
    return bool(roles_of(user).staff_of)


# --- Rules -------------------------------------------------------------------------------------

permissions = rules.RuleSet()
permissions.add_rule("access_backoffice", has_any_role)
permissions.add_rule("access_admin_site", is_platform_admin)
permissions.add_rule("change_network", is_platform_admin | is_coordinator_of_network)
permissions.add_rule("manage_network_roles", is_platform_admin | is_coordinator_of_network)
permissions.add_rule(
    "change_structure", is_platform_admin | is_admin_of_structure | coordinates_structure
)
permissions.add_rule("manage_structure_staff", is_platform_admin | is_admin_of_structure)
permissions.add_rule("view_personal_records", is_staff_of_structure)
# Pathways (DOMAIN §5): named persons are for the staff of the structures that follow them.
permissions.add_rule("access_pathways", is_staff_of_a_structure)
permissions.add_rule("track_persons", is_staff_of_structure)
permissions.add_rule("manage_api_tokens", is_admin_of_structure)
permissions.add_rule("manage_pathway_referentials", is_platform_admin | is_coordinator_of_network)
# Imports (issue 6): the staff of the structure the rows are imported into.
permissions.add_rule("import_records", is_staff_of_structure)
# Reports (issue 7): aggregates only; the person-level export is pseudonymised.
permissions.add_rule("view_reports", reads_reports)
permissions.add_rule("view_network_report", is_coordinator_of_network | funds_network)
permissions.add_rule(
    "view_structure_report", is_admin_of_structure | coordinates_structure | funds_structure
)
permissions.add_rule("see_small_counts", is_admin_of_structure)
permissions.add_rule("export_pseudonymised_persons", is_coordinator_of_network)


def actions() -> tuple[str, ...]:
    """Every action known, including those the domain apps register (their `rules.py`)."""
    return tuple(sorted(permissions))


def can(user, action: str, obj=None) -> bool:
    """Whether `user` may do `action` (on `obj`). An unknown action is a programming error."""
    if action not in permissions:
        raise KeyError(f"Unknown action {action!r}; known: {', '.join(actions())}")
    return permissions.test_rule(action, user, obj)


def restrict_roles_to_structure(user, structure_id: int) -> UserRoles:
    """Narrow the user's cached roles to one structure, for this request (API tokens).

    What remains is the user's advisor or admin role in that structure; network roles and the
    platform admin flag are dropped, so a token never carries more than its structure's rights.
    """
    roles = roles_of(user)
    only = frozenset({structure_id})
    restricted = UserRoles(advisor_of=roles.advisor_of & only, admin_of=roles.admin_of & only)
    setattr(user, _CACHE_ATTR, restricted)
    return restricted


# --- Knowledge base (maillage.knowledge, issue 21) ---------------------------------------------
# Actions:
# - write_sheets       — Network: start a sheet (staff of a member structure, coordinators)
# - manage_knowledge   — Network: families, types of link, import (coordinators, platform admin)
# - view_sheet_drafts  — Sheet: read every version, internal sheets included (network members)
# - edit_sheet         — Sheet: write a new version, propose it (staff of its author structure)
# - review_sheet       — Sheet: comment and validate (staff of another structure of the network)

_KNOWLEDGE_ATTR = "_maillage_knowledge_networks"


def member_networks(user) -> frozenset[int]:
    """The networks whose members the user is: those of the structures they work in (one query,
    cached with the roles) and those they coordinate."""
    roles = roles_of(user)
    cached = getattr(user, _KNOWLEDGE_ATTR, None) if roles is not NO_ROLES else None
    if cached is not None and cached[0] is roles:
        return cached[1]
    networks = roles.coordinator_of
    if roles.staff_of:
        networks = networks | frozenset(
            structure_model()
            .networks.through.objects.filter(structure_id__in=roles.staff_of)
            .values_list("network_id", flat=True)
        )
    if roles is not NO_ROLES:
        setattr(user, _KNOWLEDGE_ATTR, (roles, networks))
    return networks


@rules.predicate
def is_member_of_network(user, network):
    return network is not None and network.pk in member_networks(user)


@rules.predicate
def is_member_of_sheet_network(user, sheet):
    return sheet is not None and sheet.network_id in member_networks(user)


@rules.predicate
def is_staff_of_sheet_structure(user, sheet):
    return sheet is not None and sheet.structure_id in roles_of(user).staff_of


@rules.predicate
def works_in_the_network_of_sheet(user, sheet):
    roles = roles_of(user)
    return sheet is not None and bool(roles.staff_of) and sheet.network_id in member_networks(user)


permissions.add_rule("write_sheets", is_member_of_network)
permissions.add_rule("manage_knowledge", is_platform_admin | is_coordinator_of_network)
permissions.add_rule("view_sheet_drafts", is_member_of_sheet_network)
permissions.add_rule("edit_sheet", is_staff_of_sheet_structure)
# Reviewers come from another structure than the author's (a colleague does not validate).
permissions.add_rule("review_sheet", works_in_the_network_of_sheet & ~is_staff_of_sheet_structure)


# --- Territory (issue 20): actor systems of a structure or a network ---------------------------
# A system is strategic, not public: who opposes whom is said among the network's members. The
# owning structure's staff (or the coordinators, for a network's system) fill and validate it;
# the coordinators of the structure's networks read a structure's system; the members of the
# network (`member_networks`, above) read the network's.


@rules.predicate
def edits_actor_system(user, system):
    roles = roles_of(user)
    if system is None:
        return False
    if system.structure_id is not None:
        return system.structure_id in roles.staff_of
    return system.network_id in roles.coordinator_of


@rules.predicate
def reads_actor_system(user, system):
    roles = roles_of(user)
    if system is None:
        return False
    if system.structure_id is not None:
        return system.structure_id in roles.coordinated_structures
    return system.network_id in member_networks(user)


@rules.predicate
def may_open_actor_system(user, owner):
    """`owner`: a Structure (its staff) or a Network (its coordinators)."""
    if owner is None:
        return False
    roles = roles_of(user)
    if owner._meta.model_name == "structure":
        return owner.pk in roles.staff_of
    return owner.pk in roles.coordinator_of


# Actions: open_actor_system — Structure or Network; view_actor_system, change_actor_system —
# ActorSystem (change: add actors, fill the grids, start and validate snapshots).
permissions.add_rule("open_actor_system", may_open_actor_system)
permissions.add_rule("view_actor_system", edits_actor_system | reads_actor_system)
permissions.add_rule("change_actor_system", edits_actor_system)


@rules.predicate
def is_framework_partner(user, framework):
    """Staff of a partner structure of a framework built by a group of structures."""
    roles = roles_of(user)
    if framework is None or framework.pk is None or not roles.staff_of:
        return False
    return framework.partners.filter(pk__in=roles.staff_of).exists()


# Social-utility frameworks (issue 20) follow the same owner rule (any object with structure_id
# and network_id): view_framework, change_framework — Framework.
permissions.add_rule(
    "view_framework", edits_actor_system | reads_actor_system | is_framework_partner
)
permissions.add_rule("change_framework", edits_actor_system | is_framework_partner)


@rules.predicate
def works_on_a_territory(user):
    roles = roles_of(user)
    return bool(roles.staff_of or roles.coordinator_of)


# access_territory — none: the territory menu (structures' staff and network coordinators).
permissions.add_rule("access_territory", works_on_a_territory)


@rules.predicate
def is_framework_template(user, framework):
    return framework is not None and framework.is_template


# use_framework_template — Framework: start one's own framework from a published template (any
# structure's staff, any network's coordinators). publish_framework — Framework: share it as a
# template, or stop (its owner's staff or coordinators). change_framework also lets the staff of
# a partner structure (a framework built by a group of structures) change it.
permissions.add_rule("use_framework_template", works_on_a_territory & is_framework_template)
permissions.add_rule("publish_framework", edits_actor_system)


# --- Assessments (issue 19) ----------------------------------------------------------------------
# access_assessments        — none: the assessments pages (staff of a structure, coordinators)
# record_assessment         — Structure: assess in its name (its staff)
# record_network_assessment — Network: the network's own assessments (its coordinators)
# change_assessment         — Assessment: answer, submit (the maker's staff; the network's
#                             coordinators for the network's own)
# sit_on_committee          — Committee: score the applications (its members, staff of a structure)
# chair_committee           — Committee: open the discussion, agree values, decide (its chair)
# Who reads an assessment is `assessments.selectors.assessments_visible_to` (the subject's rules).


@rules.predicate
def coordinates_a_network(user):
    return bool(roles_of(user).coordinator_of)


@rules.predicate
def makes_assessment(user, assessment):
    if assessment is None:
        return False
    roles = roles_of(user)
    if assessment.structure_id is not None:
        return assessment.structure_id in roles.staff_of
    return assessment.network_id is not None and assessment.network_id in roles.coordinator_of


@rules.predicate
def sits_on_committee(user, committee):
    # Members are staff of a structure: the membership query is only asked of them.
    if committee is None or not roles_of(user).staff_of:
        return False
    return committee.members.filter(pk=user.pk).exists()


@rules.predicate
def chairs_committee(user, committee):
    return bool(committee is not None and roles_of(user).staff_of and committee.chair_id == user.pk)


permissions.add_rule("access_assessments", is_staff_of_a_structure | coordinates_a_network)
permissions.add_rule("record_assessment", is_staff_of_structure)
permissions.add_rule("record_network_assessment", is_coordinator_of_network)
permissions.add_rule("change_assessment", makes_assessment)
permissions.add_rule("sit_on_committee", sits_on_committee)
permissions.add_rule("chair_committee", chairs_committee)


# Collective appraisal sessions (seed 004, sheet II-3):
# open_appraisal        — Structure: hold a session in its name (its staff); the network's own
#                         sessions are opened by its coordinators (record_network_assessment)
# facilitate_appraisal  — Appraisal: record arguments, flag priorities, close (its facilitator)
# Who reads a session is `assessments.selectors.appraisals_visible_to` (the subject's rules, and
# the people in the room).


@rules.predicate
def facilitates_appraisal(user, appraisal):
    return bool(
        appraisal is not None and user.is_authenticated and appraisal.facilitator_id == user.pk
    )


permissions.add_rule("open_appraisal", is_staff_of_structure)
permissions.add_rule("facilitate_appraisal", facilitates_appraisal)


# --- Collab (issue 22: working groups, meetings, events, budgets) ------------------------------
# Objects: Network (collab_manage_network_life), WorkingGroup (collab_view_group_internals,
# collab_join_group, collab_facilitate_group), Meeting (collab_propose_agenda_item,
# collab_write_minutes, collab_amend_minutes), Budget (collab_manage_budget).
# A user's groups are read once (one query) and cached on the user, like the roles.

_COLLAB_CACHE_ATTR = "_maillage_collab_groups"


def collab_groups_of(user) -> dict[int, tuple[str, str]]:
    """{group id: (role, status)} of the user's group memberships, loaded once per user object."""
    if user is None or not user.is_authenticated or not user.is_active:
        return {}
    cached = getattr(user, _COLLAB_CACHE_ATTR, None)
    if cached is None:
        from django.apps import apps

        member_model = apps.get_model("collab", "GroupMember")
        cached = {
            group: (role, status)
            for group, role, status in member_model.objects.filter(user=user).values_list(
                "group_id", "role", "status"
            )
        }
        setattr(user, _COLLAB_CACHE_ATTR, cached)
    return cached


def forget_collab_groups(user) -> None:
    if hasattr(user, _COLLAB_CACHE_ATTR):
        delattr(user, _COLLAB_CACHE_ATTR)


def collab_network_ids(user) -> frozenset[int]:
    """The networks the user belongs to: coordinated, funded, or through a structure's staff."""
    roles = roles_of(user)
    if not roles.has_any_role:
        return frozenset()
    cached = getattr(user, "_maillage_collab_networks", None)
    if cached is None:
        through = structure_model().networks.through
        cached = roles.coordinator_of | roles.funder_of
        if roles.staff_of:
            cached |= frozenset(
                through.objects.filter(structure_id__in=roles.staff_of).values_list(
                    "network_id", flat=True
                )
            )
        user._maillage_collab_networks = cached
    return cached


@rules.predicate
def coordinates_network_of(user, obj):
    network_id = getattr(obj, "network_id", None) if obj is not None else None
    if obj is not None and network_id is None and hasattr(obj, "group"):
        network_id = obj.group.network_id
    return network_id is not None and network_id in roles_of(user).coordinator_of


@rules.predicate
def belongs_to_network_of(user, group):
    return group is not None and group.network_id in collab_network_ids(user)


@rules.predicate
def is_active_member_of_group(user, group):
    membership = collab_groups_of(user).get(getattr(group, "pk", None))
    return membership is not None and membership[1] == "active"


@rules.predicate
def has_no_membership_of_group(user, group):
    return group is not None and group.pk not in collab_groups_of(user)


@rules.predicate
def facilitates_group(user, group):
    membership = collab_groups_of(user).get(getattr(group, "pk", None))
    return membership == ("facilitator", "active")


@rules.predicate
def is_active_member_of_meeting_group(user, meeting):
    return meeting is not None and is_active_member_of_group.test(user, meeting.group)


@rules.predicate
def facilitates_meeting_group(user, meeting):
    return meeting is not None and facilitates_group.test(user, meeting.group)


@rules.predicate
def meeting_not_started(user, meeting):
    from django.utils import timezone

    return meeting is not None and meeting.starts_at > timezone.now()


@rules.predicate
def facilitates_budget_group(user, budget):
    return (
        budget is not None
        and budget.group_id is not None
        and budget.group_id
        in {
            group
            for group, state in collab_groups_of(user).items()
            if state == ("facilitator", "active")
        }
    )


permissions.add_rule("collab_manage_network_life", is_coordinator_of_network)
permissions.add_rule(
    "collab_view_group_internals", is_active_member_of_group | coordinates_network_of
)
permissions.add_rule("collab_join_group", belongs_to_network_of & has_no_membership_of_group)
permissions.add_rule("collab_facilitate_group", facilitates_group | coordinates_network_of)
permissions.add_rule(
    "collab_propose_agenda_item", is_active_member_of_meeting_group & meeting_not_started
)
permissions.add_rule("collab_write_minutes", facilitates_meeting_group | coordinates_network_of)
# Attendees amend the minutes: any active member of the group (the attendance is recorded by the
# facilitator while writing them, so "attendee" is checked by the service, not here).
permissions.add_rule("collab_amend_minutes", is_active_member_of_meeting_group)
permissions.add_rule("collab_manage_budget", coordinates_network_of | facilitates_budget_group)
# Pooling: the staff of a structure post its offers and needs and arrange them.
permissions.add_rule("collab_pool_for_structure", is_staff_of_structure)
