"""Every page of the product, as the browser tests scan them with axe.

`PAGES` lists the HTML pages; `NOT_PAGES` the other URLs, each with why it is not a page.
tests/core/test_page_registry.py fails when a URL is in neither, so a new page cannot skip the
accessibility scan (tests/browser/test_every_page.py).
"""

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Page:
    url_name: str
    # Who looks at it: None for an anonymous visitor, else a role of `world` below.
    as_role: str | None = None
    kwargs: Callable[[dict], dict] = field(default=lambda world: {})
    # A phrase the page must show (proves it is the real page, not a redirect to the login).
    shows: str = ""

    def __str__(self):
        return f"{self.url_name} as {self.as_role or 'anonymous'}"


PAGES = [
    Page("home", shows="Réseau test"),
    Page("accounts:login", shows="Se connecter"),
    Page("accounts:password_reset", shows="Mot de passe oublié"),
    Page("accounts:password_reset_done", shows="Consultez vos e-mails"),
    Page(
        "accounts:password_reset_confirm",
        kwargs=lambda world: {"uidb64": "MQ", "token": "lien-perime"},
        shows="n'est plus valable",
    ),
    Page("accounts:password_reset_complete", shows="Mot de passe modifié"),
    Page("accounts:account", as_role="advisor", shows="Mes rôles"),
    Page("accounts:password_change", as_role="advisor", shows="Changer mon mot de passe"),
    Page(
        "accounts:structure_team",
        as_role="structure_admin",
        kwargs=lambda world: {"slug": world["structure"].slug},
        shows="Équipe de",
    ),
    Page(
        "accounts:structure_member_remove",
        as_role="structure_admin",
        kwargs=lambda world: {
            "slug": world["structure"].slug,
            "pk": world["advisor_membership"].pk,
        },
        shows="Retirer",
    ),
    Page(
        "accounts:network_team",
        as_role="coordinator",
        kwargs=lambda world: {"slug": world["network"].slug},
        shows="Rôles dans",
    ),
    Page(
        "accounts:network_member_remove",
        as_role="coordinator",
        kwargs=lambda world: {"slug": world["network"].slug, "pk": world["funder_role"].pk},
        shows="Retirer le rôle",
    ),
]

NOT_PAGES = {
    "set_language": "POST only: switches the language and redirects",
    "healthz": "JSON for monitoring",
    "accounts:logout": "POST only: logs out and redirects",
    "accounts:structure_member_role": "POST only: changes a role and redirects",
    "accounts:structure_team_csv": "CSV download",
    "accounts:network_team_csv": "CSV download",
    "api:schema": "OpenAPI document",
    "api:me": "JSON API",
    "openapi-schema": "OpenAPI document",
    "api-docs": "Swagger UI of a third-party package (its own browser test checks it loads)",
}


def build_world():
    """One network, one structure, one person per role."""
    from tests.factories import (
        NetworkFactory,
        NetworkRoleFactory,
        StructureFactory,
        StructureMembershipFactory,
    )

    network = NetworkFactory(name="Réseau test")
    structure = StructureFactory(
        name="Intermade", networks=[network], website="https://example.org"
    )
    admin_membership = StructureMembershipFactory(structure=structure, admin=True)
    advisor_membership = StructureMembershipFactory(structure=structure)
    coordinator_role = NetworkRoleFactory(network=network)
    funder_role = NetworkRoleFactory(network=network, funder=True)
    return {
        "network": network,
        "structure": structure,
        "advisor_membership": advisor_membership,
        "funder_role": funder_role,
        "users": {
            "structure_admin": admin_membership.user,
            "advisor": advisor_membership.user,
            "coordinator": coordinator_role.user,
            "funder": funder_role.user,
        },
    }
