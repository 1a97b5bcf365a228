"""Reads about accounts, already limited to what the user may see."""

from .models import NetworkRole, StructureMembership, network_model, structure_model
from .rules import roles_of


def structure_memberships_of(user):
    return (
        StructureMembership.objects.filter(user=user)
        .select_related("structure")
        .order_by("structure__name")
    )


def network_roles_of(user):
    return NetworkRole.objects.filter(user=user).select_related("network").order_by("network__name")


def structures_whose_staff_user_manages(user):
    """Structures on which `can(user, "manage_structure_staff", structure)` holds."""
    roles = roles_of(user)
    if roles.is_platform_admin:
        return structure_model().objects.order_by("name")
    return structure_model().objects.filter(pk__in=roles.admin_of).order_by("name")


def networks_user_may_change(user):
    """Networks on which `can(user, "change_network", network)` holds: the platform admin's
    and coordinators' networks (their stages, outside resources, …)."""
    roles = roles_of(user)
    if roles.is_platform_admin:
        return network_model().objects.order_by("name")
    return network_model().objects.filter(pk__in=roles.coordinator_of).order_by("name")


def networks_whose_roles_user_manages(user):
    """Networks on which `can(user, "manage_network_roles", network)` holds (the same rule as
    change_network today; kept apart so that each action has its own selector)."""
    return networks_user_may_change(user)


def staff_of_structure(structure):
    return (
        StructureMembership.objects.filter(structure=structure)
        .select_related("user", "created_by")
        .order_by("user__full_name", "user__email")
    )


def members_of_network(network):
    return (
        NetworkRole.objects.filter(network=network)
        .select_related("user", "created_by")
        .order_by("role", "user__full_name", "user__email")
    )
