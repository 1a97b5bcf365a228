"""Reads about accounts."""

from .models import NetworkRole, StructureMembership


def structure_memberships_of(user):
    return (
        StructureMembership.objects.filter(user=user)
        .select_related("structure")
        .order_by("structure__name")
    )


def network_roles_of(user):
    return NetworkRole.objects.filter(user=user).select_related("network").order_by("network__name")
