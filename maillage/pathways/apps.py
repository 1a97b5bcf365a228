from pathlib import Path

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

REFERENTIALS_DIR = Path(__file__).with_name("referentials")


class PathwaysConfig(AppConfig):
    name = "maillage.pathways"
    verbose_name = _("Pathways")
    # Referential rows, created when missing after each migrate (see maillage.core.referentials).
    REFERENTIALS = {
        "pathways.ActType": REFERENTIALS_DIR / "act_types.json",
        "pathways.OutcomeType": REFERENTIALS_DIR / "outcome_types.json",
        "pathways.DeclineReason": REFERENTIALS_DIR / "decline_reasons.json",
        "pathways.NoNextStepReason": REFERENTIALS_DIR / "no_next_step_reasons.json",
        "pathways.EndReason": REFERENTIALS_DIR / "end_reasons.json",
        "pathways.Situation": REFERENTIALS_DIR / "situations.json",
        "pathways.Sector": REFERENTIALS_DIR / "sectors.json",
    }

    def ready(self):
        from maillage.core.referentials import sync_referentials

        post_migrate.connect(sync_referentials, sender=self, dispatch_uid="pathways_referentials")
        # The pathways' actions join the one rule set, and the hooks the directory offers.
        from maillage.accounts.signals import staff_member_added

        from . import hooks, rules  # noqa: F401
        from .notifications import notify

        # A structure's administrators hear of every member added to it (issue 13, point 4).
        staff_member_added.connect(
            notify.staff_member_added, dispatch_uid="pathways_staff_member_added"
        )
