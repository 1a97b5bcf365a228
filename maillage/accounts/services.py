"""Writes on accounts and roles. Views, commands and the demo call these, never the ORM."""

from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext

from maillage.core.french import fill

from .models import NetworkRole, NetworkRoleKind, StructureMembership, StructureRole, User
from .rules import forget_roles
from .signals import staff_member_added


def normalised_login_identifier(request, credentials=None) -> str:
    """The e-mail a login attempt is about, as django-axes counts it: trimmed, lower case.

    Counting `Alice@x.fr` and `alice@x.fr` apart would let an attacker double the limit.
    """
    source = credentials if credentials is not None else getattr(request, "POST", {})
    return (source.get("username") or "").strip().lower()


@transaction.atomic
def create_or_update_user(
    *,
    email: str,
    full_name: str = "",
    password: str | None = None,
    language: str | None = None,
    is_platform_admin: bool | None = None,
) -> User:
    """Create the user with this e-mail, or bring an existing one to these values.

    Arguments left to None keep what the user has (or the defaults, for a new user).
    """
    email = User.objects.normalize_email(email).strip().lower()
    user = User.objects.filter(email__iexact=email).first() or User(email=email)
    user.full_name = full_name or user.full_name
    if language:
        user.language = language
    if is_platform_admin is not None:
        user.is_superuser = user.is_staff = is_platform_admin
    if password is not None:
        user.set_password(password)
    elif user._state.adding:
        user.set_unusable_password()
    user.full_clean()
    user.save()
    return user


@transaction.atomic
def set_structure_role(*, user: User, structure, role: StructureRole) -> StructureMembership:
    """Give the user this role in the structure (replacing any other role they had there)."""
    membership, _created = StructureMembership.objects.update_or_create(
        user=user, structure=structure, defaults={"role": role}
    )
    forget_roles(user)
    return membership


@transaction.atomic
def grant_network_role(*, user: User, network, role: NetworkRoleKind) -> NetworkRole:
    network_role, _created = NetworkRole.objects.get_or_create(
        user=user, network=network, role=role
    )
    forget_roles(user)
    return network_role


@transaction.atomic
def set_user_language(*, user: User, language: str) -> User:
    user.language = language
    user.full_clean()
    user.save(update_fields=["language"])
    return user


@transaction.atomic
def update_account_preferences(*, user: User, full_name: str, language: str) -> User:
    user.full_name = full_name
    user.language = language
    user.full_clean()
    user.save(update_fields=["full_name", "language"])
    return user


# --- Teams: a structure's staff, a network's coordinators and funders ---------------------------


def _invite_if_new(*, user: User, created: bool, base_url: str, context: dict) -> None:
    """A new account gets an e-mail with a link to choose its password."""
    if created:
        send_invitation(user=user, base_url=base_url, context=context)


def send_invitation(*, user: User, base_url: str, context: dict) -> None:
    with translation.override(user.language):
        body = render_to_string(
            "accounts/emails/invitation.txt",
            {
                **context,
                "user": user,
                "link": base_url.rstrip("/")
                + reverse(
                    "accounts:password_reset_confirm",
                    kwargs={
                        "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
                        "token": default_token_generator.make_token(user),
                    },
                ),
            },
        )
        subject = gettext("Your Maillage account")
    send_mail(subject, body, None, [user.email])


def _get_or_create_invited_user(*, email: str, full_name: str) -> tuple[User, bool]:
    email = User.objects.normalize_email(email).strip().lower()
    user = User.objects.filter(email__iexact=email).first()
    if user is not None:
        return user, False
    return create_or_update_user(email=email, full_name=full_name), True


@transaction.atomic
def add_staff_member(
    *,
    structure,
    email: str,
    full_name: str,
    role: StructureRole,
    added_by: User,
    base_url: str,
) -> StructureMembership:
    """Add a person to a structure's team, creating and inviting their account if needed.

    The structure's administrators are told (`staff_member_added`).
    """
    user, created = _get_or_create_invited_user(email=email, full_name=full_name)
    if StructureMembership.objects.filter(user=user, structure=structure).exists():
        raise ValidationError(
            fill(
                gettext("%(email)s is already in the team of %(structure)s."),
                email=user.email,
                structure=structure.name,
            ),
            code="already_member",
        )
    membership = StructureMembership(user=user, structure=structure, role=role, created_by=added_by)
    membership.full_clean()
    membership.save()
    forget_roles(user)
    staff_member_added.send(sender=StructureMembership, membership=membership, added_by=added_by)
    transaction.on_commit(
        lambda: _invite_if_new(
            user=user, created=created, base_url=base_url, context={"place": structure.name}
        )
    )
    return membership


def _ensure_structure_keeps_an_admin(membership: StructureMembership) -> None:
    others = StructureMembership.objects.filter(
        structure_id=membership.structure_id, role=StructureRole.STRUCTURE_ADMIN
    ).exclude(pk=membership.pk)
    if membership.role == StructureRole.STRUCTURE_ADMIN and not others.exists():
        raise ValidationError(
            gettext(
                "%(structure)s would have no administrator left: name another administrator first."
            )
            % {"structure": membership.structure.name},
            code="last_structure_admin",
        )


@transaction.atomic
def change_staff_role(*, membership: StructureMembership, role: StructureRole) -> None:
    membership = StructureMembership.objects.select_for_update().get(pk=membership.pk)
    if role != membership.role:
        _ensure_structure_keeps_an_admin(membership)
    membership.role = role
    membership.full_clean()
    membership.save(update_fields=["role"])
    forget_roles(membership.user)


@transaction.atomic
def remove_staff_member(*, membership: StructureMembership) -> None:
    membership = StructureMembership.objects.select_for_update().get(pk=membership.pk)
    _ensure_structure_keeps_an_admin(membership)
    membership.delete()
    forget_roles(membership.user)


@transaction.atomic
def add_network_member(
    *,
    network,
    email: str,
    full_name: str,
    role: NetworkRoleKind,
    added_by: User,
    base_url: str,
) -> NetworkRole:
    """Give a person a role in a network (coordinator or funder), inviting them if new."""
    user, created = _get_or_create_invited_user(email=email, full_name=full_name)
    if NetworkRole.objects.filter(user=user, network=network, role=role).exists():
        raise ValidationError(
            gettext("%(email)s already has this role in %(network)s.")
            % {"email": user.email, "network": network.name},
            code="already_in_role",
        )
    network_role = NetworkRole(user=user, network=network, role=role, created_by=added_by)
    network_role.full_clean()
    network_role.save()
    forget_roles(user)
    transaction.on_commit(
        lambda: _invite_if_new(
            user=user, created=created, base_url=base_url, context={"place": network.name}
        )
    )
    return network_role


@transaction.atomic
def remove_network_member(*, network_role: NetworkRole) -> None:
    network_role = NetworkRole.objects.select_for_update().get(pk=network_role.pk)
    if (
        network_role.role == NetworkRoleKind.COORDINATOR
        and not NetworkRole.objects.filter(
            network_id=network_role.network_id, role=NetworkRoleKind.COORDINATOR
        )
        .exclude(pk=network_role.pk)
        .exists()
    ):
        raise ValidationError(
            gettext("%(network)s would have no coordinator left: name another coordinator first.")
            % {"network": network_role.network.name},
            code="last_coordinator",
        )
    network_role.delete()
    forget_roles(network_role.user)
