"""Building blocks shared by the apps (no tables of their own)."""

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class Referential(models.Model):
    """A coded list entry (format, audience, act type…) that lives as data, not code.

    Entries come from a JSON file of the owning app (see `maillage.core.referentials`) and may be
    extended or relabelled afterwards; the code is stable and is what exports and imports use.
    """

    code = models.SlugField(_("code"), max_length=80, unique=True)
    label_fr = models.CharField(_("label (French)"), max_length=200)
    label_en = models.CharField(_("label (English)"), max_length=200)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        abstract = True
        ordering = ["position", "code"]

    def __str__(self):
        return self.label

    @property
    def label(self) -> str:
        """The label in the language of the current request."""
        return self.label_en if (get_language() or "fr").startswith("en") else self.label_fr
