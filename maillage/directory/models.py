"""The directory: networks of structures. The directory issue completes these models."""

from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from .validators import validate_siret


class LegalForm(models.TextChoices):
    ASSOCIATION = "association", _("Association (loi 1901)")
    SCOP = "scop", _("Cooperative (SCOP)")
    SCIC = "scic", _("Cooperative of collective interest (SCIC)")
    CAE = "cae", _("Activity and employment cooperative (CAE)")
    COMPANY = "company", _("Commercial company (SARL, SAS…)")
    SOLE_TRADER = "sole_trader", _("Sole trader")
    PUBLIC = "public", _("Public body")
    OTHER = "other", _("Other")


class Network(models.Model):
    """A cooperation of support structures on a territory."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    description = models.TextField(_("description"), blank=True)
    website = models.URLField(_("website"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("network")
        verbose_name_plural = _("networks")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Structure(models.Model):
    """An organisation that supports project holders (association, cooperative, …)."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    legal_form = models.CharField(
        _("legal form"), max_length=20, choices=LegalForm.choices, default=LegalForm.ASSOCIATION
    )
    siret = models.CharField(
        _("SIRET"),
        max_length=14,
        blank=True,
        validators=[validate_siret],
        help_text=_("14 digits, from the Sirene register."),
    )
    address = models.CharField(_("address"), max_length=255, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=5, blank=True)
    city = models.CharField(_("city"), max_length=120, blank=True)
    website = models.URLField(_("website"), blank=True)
    summary = models.TextField(_("summary"), blank=True)
    networks = models.ManyToManyField(
        Network, related_name="structures", blank=True, verbose_name=_("networks")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("structure")
        verbose_name_plural = _("structures")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                "siret",
                condition=~models.Q(siret=""),
                name="directory_structure_siret_unique",
                violation_error_message=_("Another structure already has this SIRET number."),
            ),
            models.CheckConstraint(
                condition=models.Q(siret="") | models.Q(siret__regex=r"^[0-9]{14}$"),
                name="directory_structure_siret_digits",
                violation_error_message=_("A SIRET number has exactly 14 digits."),
            ),
        ]
        indexes = [models.Index(Lower("name"), name="directory_structure_lname")]

    def __str__(self):
        return self.name
