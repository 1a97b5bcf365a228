from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InteropConfig(AppConfig):
    name = "maillage.interop"
    verbose_name = _("Open data and interoperability")

    def ready(self):
        from . import hooks  # noqa: F401  (plugs open data into the directory's orientation)
