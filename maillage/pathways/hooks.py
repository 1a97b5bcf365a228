"""What the pathways plug into the directory's hooks (registered by `PathwaysConfig.ready`)."""

from maillage.core import hooks
from maillage.directory.hooks import CONTACT_REQUEST_SAVED, STRUCTURE_PAGE_CONTEXT


@hooks.register(CONTACT_REQUEST_SAVED)
def refer_contact_request(*, contact_request):
    """A public contact request reaches the structure's advisors as a referral."""
    from .referrals.services import refer_from_contact_request

    refer_from_contact_request(contact_request=contact_request)


@hooks.register(STRUCTURE_PAGE_CONTEXT)
def response_time(*, structure):
    """The structure's median response time to referrals, shown on its public page."""
    from .stats import structure_response_time

    return {"response_time": structure_response_time(structure)}
