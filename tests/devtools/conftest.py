"""The pathways network fixture, for the tests of the services the generator dates in the past."""

from tests.pathways.conftest import net  # noqa: F401
