from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KnowledgeConfig(AppConfig):
    name = "maillage.knowledge"
    verbose_name = _("Knowledge base")

    def ready(self):
        from . import (
            hooks,  # noqa: F401 - registers the sheets about a structure on its page
            signals,  # noqa: F401 - an attachment's file goes with it
        )
