from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from maillage.accounts import api as accounts_api
from maillage.core import views as core_views

api_v1 = [
    # The API answers 401/403 itself (DRF permissions), rather than redirecting to the login page.
    path("schema/", login_not_required(SpectacularAPIView.as_view()), name="schema"),
    path("me/", login_not_required(accounts_api.me), name="me"),
]

urlpatterns = [
    path("", core_views.home, name="home"),
    path("langue/", core_views.set_language, name="set_language"),
    path("healthz", core_views.healthz, name="healthz"),
    path("compte/", include("maillage.accounts.urls")),
    path("api/v1/", include((api_v1, "api"), namespace="api")),
    path("admin/", admin.site.urls),
]

handler500 = "maillage.core.views.server_error"
