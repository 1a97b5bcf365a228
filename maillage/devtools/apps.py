from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DevtoolsConfig(AppConfig):
    """Tools that are not the product: the data generator, the demo's people, the benchmarks."""

    name = "maillage.devtools"
    verbose_name = _("Developer tools")
