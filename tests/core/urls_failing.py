"""A URLconf with views that fail, to see the error pages (and the API's JSON errors)."""

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.urls import path
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import AllowAny

from maillage.urls import handler400, handler403, handler404, handler500  # noqa: F401 - under test
from maillage.urls import urlpatterns as base_urlpatterns


@login_not_required
def boom(request):
    raise RuntimeError("secret internal detail")


@login_not_required
def forbidden(request):
    raise PermissionDenied("secret rule name")


@api_view(["GET", "POST"])
@permission_classes([AllowAny])
def api_boom(request):
    raise RuntimeError("secret internal detail")


urlpatterns = [
    path("api/v1/boom/", login_not_required(api_boom)),
    path("api/v1/plain-boom/", boom),
    path("api/v1/forbidden/", forbidden),
    *base_urlpatterns,
    path("boom/", boom),
]
