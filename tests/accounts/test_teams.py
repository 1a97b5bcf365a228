import re

import pytest
from django.core import mail
from django.urls import reverse

from maillage.accounts import selectors
from maillage.accounts.models import NetworkRole, StructureMembership, StructureRole, User
from maillage.accounts.rules import can
from maillage.directory.models import Network, Structure
from tests.accounts.test_rules import build_world
from tests.factories import (
    NetworkRoleFactory,
    StructureFactory,
    StructureMembershipFactory,
    UserFactory,
)
from tests.utils import page_text

pytestmark = pytest.mark.django_db


def team_url(structure):
    return reverse("accounts:structure_team", kwargs={"slug": structure.slug})


@pytest.mark.parametrize(
    "role", ["no_role", "advisor", "structure_admin", "coordinator", "funder", "platform_admin"]
)
def test_selectors_list_exactly_what_the_rules_allow(role):
    users, _targets = build_world()
    user = users[role]
    assert set(selectors.structures_whose_staff_user_manages(user)) == {
        s for s in Structure.objects.all() if can(user, "manage_structure_staff", s)
    }
    assert set(selectors.networks_whose_roles_user_manages(user)) == {
        n for n in Network.objects.all() if can(user, "manage_network_roles", n)
    }


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("advisor", 404),
        ("structure_admin", 200),
        ("coordinator", 404),
        ("funder", 404),
        ("platform_admin", 200),
    ],
)
def test_only_the_structure_admins_reach_the_team_page(login, role, status):
    users, targets = build_world()
    client = login(users[role])
    assert client.get(team_url(targets["S1"])).status_code == status
    assert client.get(team_url(targets["S2"])).status_code == (
        200 if role == "platform_admin" else 404
    )


def test_adding_a_new_person_creates_and_invites_the_account(
    login, django_capture_on_commit_callbacks
):
    admin = StructureMembershipFactory(admin=True, structure__name="Intermade").user
    structure = admin.structure_memberships.get().structure
    client = login(admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            team_url(structure),
            {"email": "Nouvelle@Exemple.test", "full_name": "Nina Nouvelle", "role": "advisor"},
            follow=True,
        )
    assert "Nina Nouvelle a été ajouté·e à l'équipe." in page_text(response)
    user = User.objects.get(email="nouvelle@exemple.test")
    membership = StructureMembership.objects.get(user=user)
    assert (membership.structure, membership.role, membership.created_by) == (
        structure,
        StructureRole.ADVISOR,
        admin,
    )
    assert not user.has_usable_password()
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["nouvelle@exemple.test"]
    assert "Intermade" in mail.outbox[0].body
    link = re.search(r"https?://[^/]+(/compte/mot-de-passe/nouveau/\S+)", mail.outbox[0].body)
    client.logout()
    page = client.get(link.group(1), follow=True)
    new_password = "Mon-premier-mot-de-passe-1"
    client.post(
        page.redirect_chain[-1][0],
        {"new_password1": new_password, "new_password2": new_password},
    )
    user.refresh_from_db()
    assert user.check_password(new_password)


def test_adding_an_existing_account_sends_no_invitation(login, django_capture_on_commit_callbacks):
    admin = StructureMembershipFactory(admin=True).user
    structure = admin.structure_memberships.get().structure
    existing = UserFactory(email="deja@exemple.test")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        login(admin).post(
            team_url(structure), {"email": "deja@exemple.test", "full_name": "", "role": "advisor"}
        )
    assert len(callbacks) == 1
    assert StructureMembership.objects.filter(user=existing, structure=structure).exists()
    assert mail.outbox == []


def test_adding_someone_already_in_the_team_says_so_and_changes_nothing(login):
    membership = StructureMembershipFactory(admin=True)
    structure = membership.structure
    advisor = StructureMembershipFactory(structure=structure).user
    response = login(membership.user).post(
        team_url(structure), {"email": advisor.email, "full_name": "", "role": "structure_admin"}
    )
    assert response.status_code == 200
    assert "est déjà dans l'équipe" in page_text(response)
    assert StructureMembership.objects.get(user=advisor).role == StructureRole.ADVISOR


def test_role_change_and_the_last_administrator_is_kept(login):
    membership = StructureMembershipFactory(admin=True)
    structure = membership.structure
    advisor_membership = StructureMembershipFactory(structure=structure)
    client = login(membership.user)
    role_url = reverse(
        "accounts:structure_member_role", kwargs={"slug": structure.slug, "pk": membership.pk}
    )
    refused = client.post(role_url, {"role": "advisor"}, follow=True)
    assert "n'aurait plus d'administrateur·rice" in page_text(refused)
    membership.refresh_from_db()
    assert membership.role == StructureRole.STRUCTURE_ADMIN

    promote_url = reverse(
        "accounts:structure_member_role",
        kwargs={"slug": structure.slug, "pk": advisor_membership.pk},
    )
    client.post(promote_url, {"role": "structure_admin"})
    assert client.post(role_url, {"role": "advisor"}).status_code == 302
    membership.refresh_from_db()
    assert membership.role == StructureRole.ADVISOR


def test_removal_asks_for_confirmation_then_keeps_the_account(login):
    membership = StructureMembershipFactory(admin=True)
    structure = membership.structure
    advisor = StructureMembershipFactory(structure=structure)
    client = login(membership.user)
    url = reverse(
        "accounts:structure_member_remove", kwargs={"slug": structure.slug, "pk": advisor.pk}
    )
    assert "Retirer" in page_text(client.get(url))
    assert StructureMembership.objects.filter(pk=advisor.pk).exists()
    client.post(url)
    assert not StructureMembership.objects.filter(pk=advisor.pk).exists()
    assert User.objects.filter(pk=advisor.user_id).exists()
    own = reverse(
        "accounts:structure_member_remove", kwargs={"slug": structure.slug, "pk": membership.pk}
    )
    response = client.post(own, follow=True)
    assert "n'aurait plus d'administrateur·rice" in page_text(response)


def test_a_member_of_another_structure_cannot_be_touched(login):
    membership = StructureMembershipFactory(admin=True)
    stranger = StructureMembershipFactory()
    url = reverse(
        "accounts:structure_member_remove",
        kwargs={"slug": membership.structure.slug, "pk": stranger.pk},
    )
    assert login(membership.user).post(url).status_code == 404
    assert StructureMembership.objects.filter(pk=stranger.pk).exists()


def test_team_page_costs_a_bounded_number_of_queries(login, django_assert_max_num_queries):
    membership = StructureMembershipFactory(admin=True)
    for _ in range(25):
        StructureMembershipFactory(structure=membership.structure, created_by=membership.user)
    client = login(membership.user)
    with django_assert_max_num_queries(12):
        response = client.get(team_url(membership.structure))
    assert page_text(response).count("<tr>") == 27


def test_team_export_is_a_safe_csv(login):
    membership = StructureMembershipFactory(admin=True, user__full_name="=HYPERLINK(1)")
    response = login(membership.user).get(
        reverse("accounts:structure_team_csv", kwargs={"slug": membership.structure.slug})
    )
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeffNom;Adresse e-mail;Rôle;Ajouté le")
    assert "'=HYPERLINK(1);" in text
    assert membership.user.email in text


def test_coordinator_gives_a_funder_role_and_keeps_a_coordinator(
    login, django_capture_on_commit_callbacks
):
    coordination = NetworkRoleFactory()
    network = coordination.network
    client = login(coordination.user)
    url = reverse("accounts:network_team", kwargs={"slug": network.slug})
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"email": "region@exemple.test", "full_name": "Région", "role": "funder"})
    funder_role = NetworkRole.objects.get(user__email="region@exemple.test")
    assert funder_role.role == "funder" and funder_role.created_by == coordination.user
    assert len(mail.outbox) == 1
    remove_own = reverse(
        "accounts:network_member_remove", kwargs={"slug": network.slug, "pk": coordination.pk}
    )
    response = client.post(remove_own, follow=True)
    assert "n'aurait plus de coordinateur·rice" in page_text(response)
    assert NetworkRole.objects.filter(pk=coordination.pk).exists()
    csv_text = client.get(
        reverse("accounts:network_team_csv", kwargs={"slug": network.slug})
    ).content.decode()
    assert "region@exemple.test" in csv_text


def test_a_funder_cannot_manage_the_network_roles(login):
    funder = NetworkRoleFactory(funder=True)
    url = reverse("accounts:network_team", kwargs={"slug": funder.network.slug})
    assert login(funder.user).get(url).status_code == 404


def test_account_page_links_to_the_teams_i_manage(login):
    membership = StructureMembershipFactory(admin=True, structure__name="Intermade")
    StructureFactory(name="Autre")
    html = page_text(login(membership.user).get(reverse("accounts:account")))
    assert "Équipe d'Intermade" in html
    assert "Équipe d'Autre" not in html


def test_an_unknown_role_is_refused_with_a_message(login):
    membership = StructureMembershipFactory(admin=True)
    url = reverse(
        "accounts:structure_member_role",
        kwargs={"slug": membership.structure.slug, "pk": membership.pk},
    )
    response = login(membership.user).post(url, {"role": "superhero"}, follow=True)
    assert "Choisissez l'un des rôles proposés" in page_text(response)
    membership.refresh_from_db()
    assert membership.role == StructureRole.STRUCTURE_ADMIN


# --- Nobody joins a team unnoticed (issue 13, point 4) ------------------------------------------


def _notifications_of(user):
    from maillage.pathways.models import Notification

    return list(Notification.objects.filter(recipient=user).values_list("kind", "text", "path"))


def test_adding_a_member_on_the_team_page_tells_the_other_administrators(login):
    membership = StructureMembershipFactory(admin=True, structure__name="Intermade")
    structure = membership.structure
    other_admin = StructureMembershipFactory(structure=structure, admin=True).user
    advisor = StructureMembershipFactory(structure=structure).user
    login(membership.user).post(
        team_url(structure),
        {"email": "nina@exemple.test", "full_name": "Nina Nouvelle", "role": "advisor"},
    )
    [(kind, text, path)] = _notifications_of(other_admin)
    assert kind == "team_member_added"
    assert "Nina Nouvelle" in text and "Intermade" in text
    assert path == team_url(structure)
    # Advisors are not told; the administrator who added them knows already.
    assert _notifications_of(advisor) == []
    assert _notifications_of(membership.user) == []


def test_a_platform_admin_adding_themselves_through_the_admin_site_is_announced(
    login, django_capture_on_commit_callbacks
):
    structure_admin = StructureMembershipFactory(admin=True, structure__name="Intermade").user
    structure = structure_admin.structure_memberships.get().structure
    platform_admin = UserFactory(platform_admin=True, full_name="Paula Plateforme")
    client = login(platform_admin)
    change_url = reverse("admin:accounts_user_change", args=[platform_admin.pk])
    page = client.get(change_url)
    assert page.status_code == 200
    data = {
        "email": platform_admin.email,
        "full_name": platform_admin.full_name,
        "language": platform_admin.language,
        "is_active": "on",
        "is_staff": "on",
        "is_superuser": "on",
        "last_login_0": "",
        "last_login_1": "",
        "date_joined_0": "2025-01-01",
        "date_joined_1": "10:00:00",
        "structure_memberships-TOTAL_FORMS": "1",
        "structure_memberships-INITIAL_FORMS": "0",
        "structure_memberships-MIN_NUM_FORMS": "0",
        "structure_memberships-MAX_NUM_FORMS": "1000",
        "structure_memberships-0-structure": str(structure.pk),
        "structure_memberships-0-role": StructureRole.ADVISOR,
        "structure_memberships-0-user": str(platform_admin.pk),
        "network_roles-TOTAL_FORMS": "0",
        "network_roles-INITIAL_FORMS": "0",
        "network_roles-MIN_NUM_FORMS": "0",
        "network_roles-MAX_NUM_FORMS": "1000",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(change_url, data)
    assert response.status_code == 302, page_text(response)[:2000]
    membership = StructureMembership.objects.get(user=platform_admin, structure=structure)
    assert membership.created_by == platform_admin
    [(kind, text, _path)] = _notifications_of(structure_admin)
    assert kind == "team_member_added"
    assert "Paula Plateforme" in text and "administrateur" in text.lower()
    # The notification is e-mailed like the others.
    assert [message.to for message in mail.outbox] == [[structure_admin.email]]


def test_the_admin_site_exposes_no_personal_record():
    """The platform admin reads persons only as a structure's staff, through the logged pages:
    no admin page lists persons, their records, contact requests or import runs."""
    from django.contrib import admin

    registered = {model._meta.label for model in admin.site._registry}
    assert not {label for label in registered if label.split(".")[0] in ("pathways", "imports")}
    assert "directory.ContactRequest" not in registered
