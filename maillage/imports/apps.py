from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImportsConfig(AppConfig):
    name = "maillage.imports"
    verbose_name = _("Spreadsheet imports")

    def ready(self):
        from . import signals  # noqa: F401 (connects the receivers)
