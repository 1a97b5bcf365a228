from django.conf import settings

from maillage import __version__
from maillage.accounts.rules import can


def site(request):
    user = getattr(request, "user", None)
    return {
        "site_name": "Maillage",
        "maillage_version": __version__,
        "available_languages": settings.LANGUAGES,
        "can_access_admin_site": bool(user) and can(user, "access_admin_site"),
    }
