from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """Project-wide plumbing: layout helpers, language, health check, demo loading."""

    name = "maillage.core"
    verbose_name = _("Core")

    def ready(self):
        from maillage.core import lookups  # noqa: F401 (registers `__in_array`)
