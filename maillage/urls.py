from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from maillage.accounts import api as accounts_api
from maillage.core import views as core_views
from maillage.shell import views as shell_views

api_v1 = [
    # The API answers 401/403 itself (DRF permissions), rather than redirecting to the login page.
    path("schema/", login_not_required(SpectacularAPIView.as_view()), name="schema"),
    path("me/", login_not_required(accounts_api.me), name="me"),
    path("", include("maillage.directory.api_urls")),
    # Pathways (personal data): staff of a structure only, by session or structure token.
    path("", include("maillage.pathways.api_urls")),
    # Aggregate reports (no named person): coordinators, funders, structure admins.
    path("reports/", include("maillage.reporting.api_urls")),
    path("", include("maillage.knowledge.api_urls")),
    # Assessments (issue 19): instruments, assessments under the subject's rules.
    path("", include("maillage.assessments.api_urls")),
    path("", include("maillage.collab.api_urls")),
]

urlpatterns = [
    path("", shell_views.home, name="home"),
    path("langue/", shell_views.set_language, name="set_language"),
    path("healthz", core_views.healthz, name="healthz"),
    path("compte/", include("maillage.accounts.urls")),
    # Back office of the directory: structures, offers, sessions, stages, contact requests.
    path("espace/", include("maillage.directory.backoffice_urls")),
    # Public site: network home, pathway map, stages, structures, offers, search, brochure.
    path("", include("maillage.directory.urls")),
    path("", include("maillage.directory.orientation_urls")),
    path("", include("maillage.directory.brochure_urls")),
    path("open-data/", include("maillage.interop.urls")),
    # Pathway tracking for advisors: persons, referrals, applications, acts, outcomes.
    path("suivi/imports/", include("maillage.imports.urls")),
    path("suivi/", include("maillage.pathways.urls")),
    # Reports for the network and its funders: aggregates only, small counts masked.
    path("rapports/", include("maillage.reporting.urls")),
    # The network's collective side: assessment grids, knowledge sheets, working groups and events.
    path("evaluations/", include("maillage.assessments.urls")),
    path("fiches/", include("maillage.knowledge.urls")),
    path("vie-du-reseau/", include("maillage.collab.urls")),
    # Actor systems of a structure or a network: who plays with whom on the territory.
    path("territoire/", include("maillage.territory.urls")),
    path("api/v1/", include((api_v1, "api"), namespace="api")),
    path(
        "api/schema/",
        login_not_required(SpectacularAPIView.as_view()),
        name="openapi-schema",
    ),
    path(
        "api/docs/",
        login_not_required(
            # Our template drops the package's inline <style>, which the CSP would refuse.
            SpectacularSwaggerSplitView.as_view(
                url_name="openapi-schema", template_name="api/swagger_ui.html"
            )
        ),
        name="api-docs",
    ),
    path("admin/", admin.site.urls),
]

# Pages in the layout, and JSON under /api/ (even for a URL no API view answers).
handler400 = "maillage.core.views.bad_request"
handler403 = "maillage.core.views.permission_denied"
handler404 = "maillage.core.views.page_not_found"
handler500 = "maillage.core.views.server_error"
