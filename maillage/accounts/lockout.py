"""Failed logins: django-axes' database handler, plus a limit per client address.

Axes locks one e-mail from one address after `AXES_FAILURE_LIMIT` failures. Password spraying
tries few passwords on many e-mails, which that limit never sees: this handler also refuses an
address once `LOGIN_FAILURES_PER_ADDRESS` failures (whatever the e-mails) were recorded from it
within the cool-off time. The limit is higher than the one per e-mail, as colleagues behind one
office address mistype their passwords too.
"""

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.models import AccessAttempt
from axes.signals import user_locked_out
from django.conf import settings
from django.db.models import Sum


class AxesHandler(AxesDatabaseHandler):
    def address_failures(self, request) -> int:
        """The failures recorded from the request's client address within the cool-off time."""
        return (
            AccessAttempt.objects.filter(
                ip_address=request.axes_ip_address,
                attempt_time__gte=get_cool_off_threshold(request),
            ).aggregate(total=Sum("failures_since_start"))["total"]
            or 0
        )

    def is_address_locked(self, request) -> bool:
        return self.address_failures(request) >= settings.LOGIN_FAILURES_PER_ADDRESS

    def is_locked(self, request, credentials=None) -> bool:
        return super().is_locked(request, credentials) or self.is_address_locked(request)

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs):
        super().user_login_failed(sender, credentials, request, **kwargs)
        if request is None or request.axes_locked_out or self.is_whitelisted(request, credentials):
            return
        if self.is_address_locked(request):
            request.axes_locked_out = True
            request.axes_credentials = credentials
            user_locked_out.send(
                "axes", request=request, username=None, ip_address=request.axes_ip_address
            )
