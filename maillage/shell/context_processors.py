from django.conf import settings
from django.utils.functional import SimpleLazyObject

from maillage import __version__
from maillage.accounts.rules import can
from maillage.directory.selectors import default_network


def site(request):
    user = getattr(request, "user", None)
    return {
        "site_name": "Maillage",
        "maillage_version": __version__,
        "available_languages": settings.LANGUAGES,
        "can_access_admin_site": bool(user) and can(user, "access_admin_site"),
        "can_access_backoffice": bool(user) and can(user, "access_backoffice"),
        "can_access_pathways": bool(user) and can(user, "access_pathways"),
        "can_view_reports": bool(user) and can(user, "view_reports"),
        "can_access_territory": bool(user) and can(user, "access_territory"),
        "can_access_assessments": bool(user) and can(user, "access_assessments"),
        # Evaluated only by templates that use it (one query).
        "default_network": SimpleLazyObject(default_network),
    }
