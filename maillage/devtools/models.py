"""What the data generator keeps in the database: how far a bulk generation got."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class GenerationProgress(models.Model):
    """One bulk generation of one network (scale, seed, reference day, size).

    The bulk writer commits a batch of rows and this row's `batches_done` in the same transaction,
    so an interrupted run is resumed where it stopped: the journeys are planned again from the same
    seed (the plan is deterministic), with the same starting ids (`start_ids`), and the batches
    already committed are skipped instead of written. A finished generation is not written twice.
    """

    network_slug = models.SlugField(_("network"), max_length=80)
    scale = models.CharField(_("scale"), max_length=20)
    seed = models.BigIntegerField(_("seed"))
    today = models.DateField(_("reference day"))
    persons = models.PositiveIntegerField(_("persons"))
    start_ids = models.JSONField(_("first id of each table"), default=dict)
    batches_done = models.PositiveIntegerField(_("batches committed"), default=0)
    counts = models.JSONField(_("rows written"), default=dict)
    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("data generation")
        verbose_name_plural = _("data generations")
        constraints = [
            models.UniqueConstraint(
                fields=["network_slug", "scale", "seed", "today", "persons"],
                name="devtools_generation_once",
            )
        ]

    def __str__(self):
        return f"{self.scale} {self.network_slug} (seed {self.seed}, {self.today})"
