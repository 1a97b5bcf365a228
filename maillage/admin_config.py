from django.contrib.admin.apps import AdminConfig


class MaillageAdminConfig(AdminConfig):
    """Django's admin, on a site restricted to platform admins."""

    default_site = "maillage.shell.admin_site.MaillageAdminSite"
