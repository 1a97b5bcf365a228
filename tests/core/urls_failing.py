"""A URLconf with a view that fails, to see the 500 page."""

from django.contrib.auth.decorators import login_not_required
from django.urls import path

from maillage.urls import handler500  # noqa: F401 - the handler under test
from maillage.urls import urlpatterns as base_urlpatterns


@login_not_required
def boom(request):
    raise RuntimeError("secret internal detail")


urlpatterns = [*base_urlpatterns, path("boom/", boom)]
