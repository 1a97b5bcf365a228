"""What the pathways plug into the directory's hooks (registered by `PathwaysConfig.ready`)."""

from maillage.core import hooks
from maillage.directory.hooks import CONTACT_REQUEST_SAVED


@hooks.register(CONTACT_REQUEST_SAVED)
def refer_contact_request(*, contact_request):
    """A public contact request reaches the structure's advisors as a referral."""
    from .referrals.services import refer_from_contact_request

    refer_from_contact_request(contact_request=contact_request)


# The structure's public page shows its median response time as its report computes it: the
# reports register that hook (`maillage/reporting/hooks.py`), so both show one figure.
