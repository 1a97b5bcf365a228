"""Coordinators extend the pathways referentials for their network."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from ..common import require


def _free_code(model, network, label: str) -> str:
    base = f"{network.slug}-{slugify(label)}"[:70] or network.slug
    code, number = base, 2
    while model.objects.filter(code=code).exists():
        code, number = f"{base}-{number}", number + 1
    return code


@transaction.atomic
def add_referential_entry(*, model, network, user, label_fr: str, label_en: str = "", **extra):
    """A new entry for `network` only, with a code made from its network and label."""
    require(user, "manage_pathway_referentials", network)
    label_fr, label_en = label_fr.strip(), (label_en.strip() or label_fr.strip())
    if not label_fr:
        raise ValidationError({"label_fr": _("Give the entry a French label.")})
    if model.objects.filter(network=network, label_fr__iexact=label_fr).exists() or (
        model.objects.filter(network__isnull=True, label_fr__iexact=label_fr).exists()
    ):
        raise ValidationError({"label_fr": _("An entry with this label already exists.")})
    last = model.objects.order_by("-position").values_list("position", flat=True).first() or 0
    entry = model(
        network=network,
        code=_free_code(model, network, label_fr),
        label_fr=label_fr,
        label_en=label_en,
        position=last + 1,
        **extra,
    )
    entry.full_clean()
    entry.save()
    return entry


@transaction.atomic
def set_referential_entry_active(*, entry, user, active: bool):
    """Switch a network's own entry on or off (shared entries are the platform admin's)."""
    if entry.network is None:
        raise ValidationError(_("Shared entries are changed by the platform administrator."))
    require(user, "manage_pathway_referentials", entry.network)
    entry.is_active = active
    entry.save(update_fields=["is_active"])
    return entry
