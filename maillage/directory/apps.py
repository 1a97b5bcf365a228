from pathlib import Path

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

REFERENTIALS_DIR = Path(__file__).with_name("referentials")


class DirectoryConfig(AppConfig):
    name = "maillage.directory"
    verbose_name = _("Directory")
    # Referential rows, created when missing after each migrate (see maillage.core.referentials).
    REFERENTIALS = {
        "directory.LegalForm": REFERENTIALS_DIR / "legal_forms.json",
        "directory.OfferFormat": REFERENTIALS_DIR / "offer_formats.json",
        "directory.Audience": REFERENTIALS_DIR / "audiences.json",
        "directory.AccessMode": REFERENTIALS_DIR / "access_modes.json",
        "directory.ReceptionMode": REFERENTIALS_DIR / "reception_modes.json",
    }

    def ready(self):
        from maillage.core.referentials import sync_referentials

        post_migrate.connect(sync_referentials, sender=self, dispatch_uid="directory_referentials")
