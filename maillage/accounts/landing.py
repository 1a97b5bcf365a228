"""Where a user lands after logging in (issue 17, point 3): the place of their main role.

One function decides it, by URL names only, so that `accounts` imports none of the apps whose
pages it names (the import-linter layers): an advisor lands on the follow-up home, a structure
administrator on the structure's back office, a coordinator on the dashboard of the network
(its report; the list of reports when they coordinate several), a funder on their reports, a
platform administrator on the administration site; anyone else on their account. A user with
several roles lands where their daily work is, in that order. A safe `next` wins (the login
view checks it: same host only).
"""

from django.urls import reverse

from .models import NetworkRoleKind
from .rules import roles_of


def _reports_of(user, kind: str) -> str:
    """The report of the one network the user holds `kind` in, else the list of reports."""
    slugs = list(
        user.network_roles.filter(role=kind).values_list("network__slug", flat=True).distinct()[:2]
    )
    if len(slugs) == 1:
        return reverse("reporting:network", kwargs={"slug": slugs[0]})
    return reverse("reporting:index")


def landing_url(user) -> str:
    roles = roles_of(user)
    if roles.advisor_of:
        return reverse("pathways:home")
    if roles.admin_of:
        return reverse("backoffice:dashboard")
    if roles.coordinator_of:
        return _reports_of(user, NetworkRoleKind.COORDINATOR)
    if roles.funder_of:
        return _reports_of(user, NetworkRoleKind.FUNDER)
    if roles.is_platform_admin:
        return reverse("admin:index")
    return reverse("accounts:account")
