from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CollabConfig(AppConfig):
    name = "maillage.collab"
    verbose_name = _("Network life")
