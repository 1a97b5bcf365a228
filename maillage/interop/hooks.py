"""What open data plugs into the directory's hooks (registered by `InteropConfig.ready`)."""

from maillage.core import hooks
from maillage.directory.hooks import OUTSIDE_RESOURCES


@hooks.register(OUTSIDE_RESOURCES)
def outside_resources(*, network, territory, thematiques):
    """Resources of the territory outside the network, imported from data·inclusion files."""
    from .selectors import outside_resources_for

    return outside_resources_for(network=network, territory=territory, thematiques=thematiques)
