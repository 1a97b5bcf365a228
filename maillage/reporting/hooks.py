"""What the reports plug into the directory's hooks (registered by `ReportingConfig.ready`)."""

from maillage.core import hooks
from maillage.directory.hooks import STRUCTURE_PAGE_CONTEXT


@hooks.register(STRUCTURE_PAGE_CONTEXT)
def response_time(*, structure):
    """The structure's median time to answer a referral, as its report computes it."""
    from .public import structure_response_time

    return {"response_time": structure_response_time(structure)}
