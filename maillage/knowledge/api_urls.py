"""Read-only knowledge API under /api/v1/ (namespace "api")."""

from django.contrib.auth.decorators import login_not_required
from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter()
router.register("sheets", api.SheetViewSet, basename="sheet")

# Public sheets for anyone; members also read their network's (DRF's AllowAny, the selector).
urlpatterns = router.urls
for pattern in urlpatterns:
    login_not_required(pattern.callback)
