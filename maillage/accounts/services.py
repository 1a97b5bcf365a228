"""Writes on accounts and roles. Views, commands and the demo call these, never the ORM."""

from django.db import transaction

from .models import NetworkRole, NetworkRoleKind, StructureMembership, StructureRole, User
from .rules import forget_roles


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
    is_platform_admin: bool = False,
) -> User:
    """Create the user with this e-mail, or bring an existing one to these values."""
    email = User.objects.normalize_email(email).strip().lower()
    user = User.objects.filter(email__iexact=email).first() or User(email=email)
    user.full_name = full_name or user.full_name
    if language:
        user.language = language
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
def update_account_preferences(*, user: User, full_name: str, language: str) -> User:
    user.full_name = full_name
    user.language = language
    user.full_clean()
    user.save(update_fields=["full_name", "language"])
    return user
