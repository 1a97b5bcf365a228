"""Demo accounts: one per role, all with the same public password."""

from dataclasses import dataclass

from . import services
from .models import NetworkRoleKind, StructureRole, structure_model

DEMO_PASSWORD = "demo-maillage"  # noqa: S105 - published on purpose, demo data only


@dataclass(frozen=True)
class DemoAccount:
    email: str
    full_name: str
    role_label: str
    structure_slug: str = ""
    structure_role: str = ""
    network_role: str = ""
    is_platform_admin: bool = False


DEMO_ACCOUNTS = (
    DemoAccount(
        "coordination@demo.maillage.test",
        "Camille Coordination",
        "coordinator",
        network_role=NetworkRoleKind.COORDINATOR,
    ),
    DemoAccount(
        "admin.intermade@demo.maillage.test",
        "Dominique Intermade",
        "structure admin (Intermade)",
        structure_slug="intermade",
        structure_role=StructureRole.STRUCTURE_ADMIN,
    ),
    DemoAccount(
        "conseil.intermade@demo.maillage.test",
        "Sacha Conseil",
        "advisor (Intermade)",
        structure_slug="intermade",
        structure_role=StructureRole.ADVISOR,
    ),
    DemoAccount(
        "conseil.apeas@demo.maillage.test",
        "Alix Conseil",
        "advisor (APEAS)",
        structure_slug="apeas",
        structure_role=StructureRole.ADVISOR,
    ),
    DemoAccount(
        "financeur@demo.maillage.test",
        "Claude Financeur",
        "funder",
        network_role=NetworkRoleKind.FUNDER,
    ),
    DemoAccount(
        "admin@demo.maillage.test",
        "Morgan Plateforme",
        "platform admin",
        is_platform_admin=True,
    ),
)


def load_demo(demo) -> None:
    """Demo step of the accounts app: one account per role (after the directory's step)."""
    load_demo_accounts(demo.network)
    demo.logins.extend((account.email, account.role_label) for account in DEMO_ACCOUNTS)
    demo.password = DEMO_PASSWORD


def load_demo_accounts(network) -> None:
    for account in DEMO_ACCOUNTS:
        user = services.create_or_update_user(
            email=account.email,
            full_name=account.full_name,
            password=DEMO_PASSWORD,
            is_platform_admin=account.is_platform_admin,
        )
        if account.structure_slug:
            services.set_structure_role(
                user=user,
                structure=structure_model().objects.get(slug=account.structure_slug),
                role=account.structure_role,
            )
        if account.network_role:
            services.grant_network_role(user=user, network=network, role=account.network_role)
