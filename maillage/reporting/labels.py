"""Translated labels of the categories of a report (a few small queries, once per report)."""

from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _

from maillage.core.french import fill
from maillage.directory.models import Offer, Structure, Territory
from maillage.pathways.models import (
    ActType,
    ApplicationStatus,
    Gender,
    OutcomeFamily,
    Situation,
)

from .periods import AGE_BANDS
from .scope import NONE, NOT_GIVEN, Scope


def report_title(network) -> str:
    """ "Rapport du Réseau …", "Rapport de la Coopérative …", "Rapport d'Intermade": one
    complete translated sentence per article the network's name takes (`Network.name_article`)."""
    name = network.name
    article = network.name_article
    if article == "le":
        return pgettext("name after le", "Report of the %(name)s") % {"name": name}
    if article == "la":
        return pgettext("name after la", "Report of the %(name)s") % {"name": name}
    if article == "l'":
        return pgettext("name after l'", "Report of the %(name)s") % {"name": name}
    if article == "les":
        return pgettext("name after les", "Report of the %(name)s") % {"name": name}
    return fill(gettext("Report of %(name)s"), name=name)


FIXED_LABELS = {
    "accompaniment": {
        "new": _("New in the period"),
        "ongoing": _("Accompanied before the period"),
    },
    "gender": dict(Gender.choices),
    "age_band": dict(AGE_BANDS),
    "priority_neighbourhood": {
        "yes": _("Lives in a priority neighbourhood"),
        "no": _("Not in a priority neighbourhood, or not known"),
    },
    "application_status": dict(ApplicationStatus.choices),
    "next_step": {
        "referral": _("Referred to another structure"),
        "no_next_step": _("No next step, reason given"),
    },
    "referral_answer": {
        "waiting": _("Waiting for an answer"),
        "accepted": _("Accepted"),
        "declined": _("Declined"),
        "redirected": _("Redirected"),
        "expired": _("Expired without an answer"),
        "cancelled": _("Cancelled by the sender"),
    },
    "outcome_family": dict(OutcomeFamily.choices),
}
PUBLIC_SITE = _("Public site")
NO_OFFER = _("No offer")


class Labels:
    """Labels of the keys met in a report's breakdowns and flows."""

    def __init__(self, scope: Scope, periods):
        self.scope = scope
        keys = {}
        for period in periods:
            for item in period.raw.indicators.values():
                for dimension, rows in item.breakdowns.items():
                    keys.setdefault(dimension, set()).update(k for k, _v in rows)
            for source, target, _cell in period.flows:
                keys.setdefault("structure", set()).update((source, target))
        for crossing in keys.get("crossing", ()):
            keys.setdefault("structure", set()).update(
                int(part) for part in str(crossing).split(">")
            )
        wanted = {d: {k for k in ks if k not in (NONE, "public")} for d, ks in keys.items()}
        self.structures = dict(scope.structure_names)
        missing = wanted.get("structure", set()) - set(self.structures)
        if missing:
            self.structures.update(
                Structure.objects.filter(pk__in=missing).values_list("pk", "name")
            )
        self.offers = {}
        if wanted.get("offer"):
            self.offers = {
                pk: f"{title} — {structure}"
                for pk, title, structure in Offer.objects.filter(
                    pk__in=wanted["offer"]
                ).values_list("pk", "title", "structure__name")
            }
        self.act_types = (
            {t.pk: t.label for t in ActType.objects.filter(pk__in=wanted["act_type"])}
            if wanted.get("act_type")
            else {}
        )
        self.situations = (
            {s.pk: s.label for s in Situation.objects.filter(pk__in=wanted["situation"])}
            if wanted.get("situation")
            else {}
        )
        # Translated once per report: a report has thousands of labels.
        self.fixed = {
            d: {k: str(v) for k, v in labels.items()} for d, labels in FIXED_LABELS.items()
        }
        self.no_offer, self.not_given, self.public_site = (
            str(NO_OFFER),
            str(NOT_GIVEN),
            str(PUBLIC_SITE),
        )
        self.territories = (
            {t.pk: str(t) for t in Territory.objects.filter(pk__in=wanted["territory"])}
            if wanted.get("territory")
            else {}
        )

    def label(self, dimension: str, key) -> str:
        if key == NONE:
            return self.no_offer if dimension == "offer" else self.not_given
        if key == "public":
            return self.public_site
        if dimension == "crossing":
            source, target = (int(part) for part in str(key).split(">"))
            return f"{self.structures.get(source, source)} → {self.structures.get(target, target)}"
        fixed = self.fixed.get(dimension)
        if fixed is not None:
            return fixed.get(key, key)
        table = {
            "structure": self.structures,
            "offer": self.offers,
            "act_type": self.act_types,
            "situation": self.situations,
            "territory": self.territories,
            "stage": self.scope.stage_names,
        }.get(dimension, {})
        return str(table.get(key, key))

    def sort_key(self, dimension: str):
        """Open lists (offers, types, situations, territories) read best in label order."""
        if dimension in ("offer", "act_type", "situation", "territory"):
            return lambda row: (row[0] == NONE, self.label(dimension, row[0]).lower())
        return None
