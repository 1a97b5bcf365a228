"""Read-only directory API under /api/v1/ (namespace "api")."""

from django.contrib.auth.decorators import login_not_required
from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter()
router.register("structures", api.StructureViewSet, basename="structure")
router.register("offers", api.OfferViewSet, basename="offer")
router.register("stages", api.StageViewSet, basename="stage")
router.register("sessions", api.SessionViewSet, basename="session")

# Public data: LoginRequiredMiddleware lets these through; DRF's AllowAny does the rest.
urlpatterns = router.urls
for pattern in urlpatterns:
    login_not_required(pattern.callback)
