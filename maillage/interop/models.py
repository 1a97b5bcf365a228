"""Open data: resources of the territory imported from data·inclusion files.

A network's coordinator imports files published in the data·inclusion format (structures and
services run by organisations outside the network: employment agencies, local missions, …), so
that the orientation can point to "other resources of the territory" when no offer of the network
fits. An import is a batch; each resource remembers the batch that last changed it.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from maillage.directory.models import Network


class ImportBatch(models.Model):
    """One import of data·inclusion files into a network, with what it changed."""

    network = models.ForeignKey(
        Network, on_delete=models.CASCADE, related_name="+", verbose_name=_("network")
    )
    file_names = models.CharField(_("files"), max_length=500, blank=True)
    created = models.PositiveIntegerField(_("created"), default=0)
    updated = models.PositiveIntegerField(_("updated"), default=0)
    unchanged = models.PositiveIntegerField(_("unchanged"), default=0)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("imported by"),
    )
    imported_at = models.DateTimeField(_("imported at"), auto_now_add=True)

    class Meta:
        verbose_name = _("import of outside resources")
        verbose_name_plural = _("imports of outside resources")
        ordering = ["-imported_at"]

    def __str__(self):
        return f"{self.network} ({self.imported_at:%Y-%m-%d %H:%M})"


class ResourceKind(models.TextChoices):
    STRUCTURE = "structure", _("Organisation")
    SERVICE = "service", _("Service")


class OutsideResource(models.Model):
    """A structure or a service from outside the network, as a data·inclusion file described it.

    `zone_key` and `thematiques_key` repeat the codes of `zone_codes` and `thematiques` between
    spaces (" 13 13055 "), so that "which resources cover this commune?" is one portable query
    (SQLite and PostgreSQL alike).
    """

    network = models.ForeignKey(
        Network,
        on_delete=models.CASCADE,
        related_name="outside_resources",
        verbose_name=_("network"),
    )
    source = models.CharField(_("source"), max_length=100)
    external_id = models.CharField(_("identifier at the source"), max_length=300)
    kind = models.CharField(_("kind"), max_length=20, choices=ResourceKind.choices)
    structure_external_id = models.CharField(
        _("identifier of its organisation"), max_length=300, blank=True
    )
    organisation_name = models.CharField(_("organisation"), max_length=300, blank=True)
    name = models.CharField(_("name"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    commune = models.CharField(_("commune"), max_length=200, blank=True)
    code_insee = models.CharField(_("INSEE code"), max_length=5, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=5, blank=True)
    address = models.CharField(_("address"), max_length=500, blank=True)
    zone_codes = models.JSONField(_("eligibility zone"), default=list, blank=True)
    zone_key = models.TextField(editable=False, default="")
    thematiques = models.JSONField(_("themes"), default=list, blank=True)
    thematiques_key = models.TextField(editable=False, default="")
    link = models.URLField(_("link"), max_length=500, blank=True)
    phone = models.CharField(_("phone"), max_length=100, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    raw = models.JSONField(_("item as imported"), default=dict)
    date_maj = models.DateField(_("updated at the source"), null=True, blank=True)
    batch = models.ForeignKey(
        ImportBatch,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="resources",
        verbose_name=_("import"),
    )
    imported_at = models.DateTimeField(_("imported at"))

    class Meta:
        verbose_name = _("outside resource")
        verbose_name_plural = _("outside resources")
        ordering = ["kind", "name"]
        constraints = [
            models.UniqueConstraint(
                "network",
                "source",
                "kind",
                "external_id",
                name="interop_outsideresource_unique_id",
            ),
        ]

    def __str__(self):
        return self.name
