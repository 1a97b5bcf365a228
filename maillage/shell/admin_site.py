from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from maillage.accounts.rules import can


class MaillageAdminSite(admin.AdminSite):
    """The technical administration site, for platform admins only (see accounts.rules)."""

    site_header = _("Maillage — technical administration")
    site_title = _("Maillage administration")
    index_title = _("Technical administration")

    def has_permission(self, request):
        return can(request.user, "access_admin_site")
