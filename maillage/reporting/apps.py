from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportingConfig(AppConfig):
    name = "maillage.reporting"
    verbose_name = _("Reports")

    def ready(self):
        from . import hooks  # noqa: F401 - registers the public page's response time
