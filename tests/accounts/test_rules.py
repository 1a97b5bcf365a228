"""The permission matrix: every role and every action, with the expected allow/deny.

A new action in `maillage.accounts.rules` must get its rows here
(test_every_action_is_in_the_matrix fails until it does).
"""

import pytest
from django.contrib.auth.models import AnonymousUser

from maillage.accounts import rules
from maillage.accounts.rules import actions, can, forget_roles, roles_of
from maillage.assessments.models import Appraisal
from maillage.knowledge.models import Sheet
from maillage.pathways.models import ConsentScope
from maillage.territory.models import ActorSystem, Framework
from tests.factories import (
    ApplicationFactory,
    NetworkFactory,
    NetworkRoleFactory,
    OfferFactory,
    PersonFactory,
    PersonNoteFactory,
    ReferralFactory,
    StructureFactory,
    StructureMembershipFactory,
    UserFactory,
)
from tests.worlds import module_world

ROLES = [
    "anonymous",
    "no_role",
    "advisor",
    "structure_admin",
    "inactive_structure_admin",
    "coordinator",
    "funder",
    "platform_admin",
]

# The world: network N1 holds structures S1 (the user's own) and S3; network N2 holds S2.
# Each row: (action, target) -> roles allowed. Every role not listed is denied.
MATRIX = {
    ("access_backoffice", None): {
        "advisor",
        "structure_admin",
        "coordinator",
        "funder",
        "platform_admin",
    },
    ("access_admin_site", None): {"platform_admin"},
    ("change_network", "N1"): {"coordinator", "platform_admin"},
    ("change_network", "N2"): {"platform_admin"},
    ("manage_network_roles", "N1"): {"coordinator", "platform_admin"},
    ("manage_network_roles", "N2"): {"platform_admin"},
    ("change_structure", "S1"): {"structure_admin", "coordinator", "platform_admin"},
    ("change_structure", "S3"): {"coordinator", "platform_admin"},
    ("change_structure", "S2"): {"platform_admin"},
    ("manage_structure_staff", "S1"): {"structure_admin", "platform_admin"},
    ("manage_structure_staff", "S3"): {"platform_admin"},
    ("manage_structure_staff", "S2"): {"platform_admin"},
    # Named persons: only the staff of the structure; never coordinators, funders or admins.
    ("view_personal_records", "S1"): {"advisor", "structure_admin"},
    ("view_personal_records", "S3"): set(),
    ("view_personal_records", "S2"): set(),
    # Pathways. P1 is accompanied by S1; P2 by S3 only; P3 by S3, shares with the network and
    # was referred to S1 (R2); P4 by S3, referred to S1 without consent (anonymous).
    ("access_pathways", None): {"advisor", "structure_admin"},
    ("track_persons", "S1"): {"advisor", "structure_admin"},
    ("track_persons", "S3"): set(),
    ("view_person", "P1"): {"advisor", "structure_admin"},
    ("view_person", "P2"): set(),
    ("view_person", "P3"): {"advisor", "structure_admin"},
    ("view_person", "P4"): set(),
    ("change_person", "P1"): {"advisor", "structure_admin"},
    ("change_person", "P3"): set(),
    ("export_person_data", "P1"): {"advisor", "structure_admin"},
    ("export_person_data", "P3"): set(),
    ("erase_person", "P1"): {"structure_admin"},
    ("erase_person", "P3"): set(),
    ("answer_referral", "R2"): {"advisor", "structure_admin"},
    ("answer_referral", "R1"): set(),
    ("cancel_referral", "R1"): {"advisor", "structure_admin"},
    ("cancel_referral", "R2"): set(),
    ("decide_application", "A1"): {"advisor", "structure_admin"},
    ("decide_application", "A3"): set(),
    ("view_note", "NOTE1"): {"advisor", "structure_admin"},
    ("view_note", "NOTE3_shared"): {"advisor", "structure_admin"},
    ("view_note", "NOTE3_private"): set(),
    ("manage_api_tokens", "S1"): {"structure_admin"},
    ("manage_api_tokens", "S3"): set(),
    ("manage_pathway_referentials", "N1"): {"coordinator", "platform_admin"},
    ("manage_pathway_referentials", "N2"): {"platform_admin"},
    ("import_records", "S1"): {"advisor", "structure_admin"},
    ("import_records", "S3"): set(),
    # Reports: aggregates for the structure's admins, the network's coordinators and funders.
    ("view_reports", None): {"structure_admin", "coordinator", "funder"},
    ("view_network_report", "N1"): {"coordinator", "funder"},
    ("view_network_report", "N2"): set(),
    ("view_structure_report", "S1"): {"structure_admin", "coordinator", "funder"},
    ("view_structure_report", "S3"): {"coordinator", "funder"},
    ("view_structure_report", "S2"): set(),
    ("see_small_counts", "S1"): {"structure_admin"},
    ("see_small_counts", "S3"): set(),
    ("export_pseudonymised_persons", "N1"): {"coordinator"},
    ("export_pseudonymised_persons", "N2"): set(),
    # Knowledge base (issue 21). SH1 is a sheet written for S1, SH3 one for S3 (both in N1).
    ("write_sheets", "N1"): {"advisor", "structure_admin", "coordinator"},
    ("write_sheets", "N2"): set(),
    ("manage_knowledge", "N1"): {"coordinator", "platform_admin"},
    ("manage_knowledge", "N2"): {"platform_admin"},
    ("view_sheet_drafts", "SH1"): {"advisor", "structure_admin", "coordinator"},
    ("view_sheet_drafts", "SH3"): {"advisor", "structure_admin", "coordinator"},
    ("edit_sheet", "SH1"): {"advisor", "structure_admin"},
    ("edit_sheet", "SH3"): set(),
    # Reviewers work in another structure than the author's; coordinators do not review.
    ("review_sheet", "SH1"): set(),
    ("review_sheet", "SH3"): {"advisor", "structure_admin"},
    # Assessments (issue 19). ASSESS1: S1's assessment of P1's project; ASSESS3: S3's;
    # ASSESS_NET1: network N1's own. COM1: S1's committee, chaired by the structure admin, the
    # advisor and the admin sitting; COM3: S3's.
    ("access_assessments", None): {"advisor", "structure_admin", "coordinator"},
    ("record_assessment", "S1"): {"advisor", "structure_admin"},
    ("record_assessment", "S3"): set(),
    ("record_network_assessment", "N1"): {"coordinator"},
    ("record_network_assessment", "N2"): set(),
    ("change_assessment", "ASSESS1"): {"advisor", "structure_admin"},
    ("change_assessment", "ASSESS3"): set(),
    ("change_assessment", "ASSESS_NET1"): {"coordinator"},
    ("sit_on_committee", "COM1"): {"advisor", "structure_admin"},
    ("sit_on_committee", "COM3"): set(),
    ("chair_committee", "COM1"): {"structure_admin"},
    ("chair_committee", "COM3"): set(),
    # Collab (issue 22). G1: a group of N1 facilitated by the structure admin, the advisor a
    # member; G2: a group of N2; M1: a meeting ahead of G1; B1: N1's budget; B2: G1's budget.
    ("collab_manage_network_life", "N1"): {"coordinator"},
    ("collab_manage_network_life", "N2"): set(),
    ("collab_view_group_internals", "G1"): {"advisor", "structure_admin", "coordinator"},
    ("collab_view_group_internals", "G2"): set(),
    ("collab_join_group", "G1"): {"coordinator", "funder"},
    ("collab_join_group", "G2"): set(),
    ("collab_facilitate_group", "G1"): {"structure_admin", "coordinator"},
    ("collab_facilitate_group", "G2"): set(),
    ("collab_propose_agenda_item", "M1"): {"advisor", "structure_admin"},
    ("collab_write_minutes", "M1"): {"structure_admin", "coordinator"},
    ("collab_amend_minutes", "M1"): {"advisor", "structure_admin"},
    ("collab_manage_budget", "B1"): {"coordinator"},
    ("collab_manage_budget", "B2"): {"structure_admin", "coordinator"},
    ("collab_pool_for_structure", "S1"): {"advisor", "structure_admin"},
    ("collab_pool_for_structure", "S3"): set(),
}

# Territory (issue 20): actor systems and social-utility frameworks of S1, S3, N1 and N2.
MATRIX.update(
    {
        ("access_territory", None): {"advisor", "structure_admin", "coordinator"},
        ("open_actor_system", "S1"): {"advisor", "structure_admin"},
        ("open_actor_system", "S3"): set(),
        ("open_actor_system", "N1"): {"coordinator"},
        ("open_actor_system", "N2"): set(),
        ("view_actor_system", "AS_S1"): {"advisor", "structure_admin", "coordinator"},
        ("view_actor_system", "AS_S3"): {"coordinator"},
        ("view_actor_system", "AS_N1"): {"advisor", "structure_admin", "coordinator"},
        ("view_actor_system", "AS_N2"): set(),
        ("change_actor_system", "AS_S1"): {"advisor", "structure_admin"},
        ("change_actor_system", "AS_S3"): set(),
        ("change_actor_system", "AS_N1"): {"coordinator"},
        ("change_actor_system", "AS_N2"): set(),
        ("view_framework", "F_S1"): {"advisor", "structure_admin", "coordinator"},
        ("view_framework", "F_N1"): {"advisor", "structure_admin", "coordinator"},
        ("view_framework", "F_N2"): set(),
        ("change_framework", "F_S1"): {"advisor", "structure_admin"},
        ("change_framework", "F_N1"): {"coordinator"},
        ("change_framework", "F_N2"): set(),
        ("publish_framework", "F_S1"): {"advisor", "structure_admin"},
        ("publish_framework", "F_N1"): {"coordinator"},
        ("publish_framework", "F_N2"): set(),
        # A template of another network is open to anyone working on a territory.
        ("use_framework_template", "F_TPL_N2"): {"advisor", "structure_admin", "coordinator"},
        ("use_framework_template", "F_N1"): set(),
        # Collective appraisal sessions (issue 19): opened by a structure's staff, run by their
        # facilitator alone.
        ("open_appraisal", "S1"): {"advisor", "structure_admin"},
        ("open_appraisal", "S3"): set(),
        ("facilitate_appraisal", "APP1"): {"advisor"},
    }
)


def build_world():
    n1, n2 = NetworkFactory(), NetworkFactory()
    s1 = StructureFactory(networks=[n1])
    s2 = StructureFactory(networks=[n2])
    s3 = StructureFactory(networks=[n1])
    users = {
        "anonymous": AnonymousUser(),
        "no_role": UserFactory(),
        "advisor": StructureMembershipFactory(structure=s1).user,
        "structure_admin": StructureMembershipFactory(structure=s1, admin=True).user,
        "inactive_structure_admin": StructureMembershipFactory(
            structure=s1, admin=True, user__is_active=False
        ).user,
        "coordinator": NetworkRoleFactory(network=n1).user,
        "funder": NetworkRoleFactory(network=n1, funder=True).user,
        "platform_admin": UserFactory(platform_admin=True),
    }
    p1 = PersonFactory(accompanied_by=[s1])
    p2 = PersonFactory(accompanied_by=[s3])
    p3 = PersonFactory(accompanied_by=[s3], consents=[ConsentScope.NETWORK_SHARING])
    p4 = PersonFactory(accompanied_by=[s3])
    r1 = ReferralFactory(person=p1, from_structure=s1, to_structure=s3)
    r2 = ReferralFactory(person=p3, from_structure=s3, to_structure=s1)
    ReferralFactory(person=p4, from_structure=s3, to_structure=s1)
    targets = {
        None: None,
        "N1": n1,
        "N2": n2,
        "S1": s1,
        "S2": s2,
        "S3": s3,
        "P1": p1,
        "P2": p2,
        "P3": p3,
        "P4": p4,
        "R1": r1,
        "R2": r2,
        "A1": ApplicationFactory(person=p1, offer=OfferFactory(structure=s1)),
        "A3": ApplicationFactory(person=p2, offer=OfferFactory(structure=s3)),
        "NOTE1": PersonNoteFactory(person=p1, structure=s1),
        "NOTE3_shared": PersonNoteFactory(person=p3, structure=s3, is_shared=True),
        "NOTE3_private": PersonNoteFactory(person=p3, structure=s3),
        "SH1": Sheet(network=n1, structure=s1, code="SH1"),
        "SH3": Sheet(network=n1, structure=s3, code="SH3"),
    }
    targets.update(
        {
            "AS_S1": ActorSystem(structure=s1),
            "AS_S3": ActorSystem(structure=s3),
            "AS_N1": ActorSystem(network=n1),
            "AS_N2": ActorSystem(network=n2),
            "F_S1": Framework(structure=s1),
            "F_N1": Framework(network=n1),
            "F_N2": Framework(network=n2),
            "F_TPL_N2": Framework(network=n2, is_template=True),
            "APP1": Appraisal(facilitator=users["advisor"]),
        }
    )
    targets.update(_assessment_targets(users, targets))
    targets.update(_collab_targets(users, n1, n2))
    return users, targets


def _assessment_targets(users, targets):
    from maillage.assessments.models import SubjectKind
    from tests.assessments.factories import make_assessment, make_committee, tiny_version

    version = tiny_version()
    s1, s3 = targets["S1"], targets["S3"]
    return {
        "ASSESS1": make_assessment(version=version, structure=s1),
        "ASSESS3": make_assessment(version=version, structure=s3),
        "ASSESS_NET1": make_assessment(
            version=version,
            structure=None,
            project=None,
            subject_kind=SubjectKind.NETWORK,
            network=targets["N1"],
        ),
        "COM1": make_committee(
            structure=s1,
            chair=users["structure_admin"],
            members=[users["advisor"], users["structure_admin"]],
            version=version,
        ),
        "COM3": make_committee(
            structure=s3, chair=StructureMembershipFactory(structure=s3).user, members=[]
        ),
    }


def _collab_targets(users, n1, n2):
    import datetime

    from django.utils import timezone

    from maillage.collab.models import Budget, GroupMember, Meeting, MemberRole, WorkingGroup

    g1 = WorkingGroup.objects.create(network=n1, name="G1")
    g2 = WorkingGroup.objects.create(network=n2, name="G2")
    GroupMember.objects.create(group=g1, user=users["structure_admin"], role=MemberRole.FACILITATOR)
    GroupMember.objects.create(group=g1, user=users["advisor"])
    starts_at = timezone.now() + datetime.timedelta(days=7)
    return {
        "G1": g1,
        "G2": g2,
        "M1": Meeting.objects.create(group=g1, starts_at=starts_at, place="Ici"),
        "B1": Budget.objects.create(network=n1, year=2027, title="B1"),
        "B2": Budget.objects.create(network=n1, group=g1, year=2027, title="B2"),
    }


# Built once for the module (the matrix only reads it): each test runs in a savepoint of it.
world = module_world(build_world, name="world")


@pytest.mark.django_db
@pytest.mark.parametrize(("action", "target"), list(MATRIX))
@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(world, role, action, target):
    users, targets = world
    assert can(users[role], action, targets[target]) is (role in MATRIX[(action, target)])


def test_every_action_is_in_the_matrix():
    assert {action for action, _target in MATRIX} == set(actions())


@pytest.mark.django_db
def test_unknown_action_is_a_programming_error():
    with pytest.raises(KeyError, match="Unknown action"):
        can(UserFactory(), "delete_everything")


@pytest.mark.django_db
def test_checks_cost_no_query_once_roles_are_loaded(django_assert_num_queries):
    users, targets = build_world()
    coordinator = users["coordinator"]
    forget_roles(coordinator)
    with django_assert_num_queries(3):
        roles_of(coordinator)
    with django_assert_num_queries(1):  # the collab block's group memberships, read once
        rules.collab_groups_of(coordinator)
    with django_assert_num_queries(0):
        for action, target in MATRIX:
            can(coordinator, action, targets[target])


@pytest.mark.django_db
def test_roles_are_read_again_after_a_change():
    from maillage.accounts import services
    from maillage.accounts.models import StructureRole

    user = UserFactory()
    structure = StructureFactory()
    assert not can(user, "change_structure", structure)
    services.set_structure_role(user=user, structure=structure, role=StructureRole.STRUCTURE_ADMIN)
    assert can(user, "change_structure", structure)
