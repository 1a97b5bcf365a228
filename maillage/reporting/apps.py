from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportingConfig(AppConfig):
    name = "maillage.reporting"
    verbose_name = _("Reports")

    def ready(self):
        from django.db.models.signals import post_migrate

        from . import hooks  # noqa: F401 - registers the public page's response time
        from .cache import install_triggers

        # After every migrate (all tables exist by then): a table added to a source app gets
        # its trigger without anyone remembering it.
        post_migrate.connect(
            install_triggers, sender=self, dispatch_uid="reporting_change_triggers"
        )
