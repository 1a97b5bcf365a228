"""Assessments API under /api/v1/: instruments, assessments."""

from django.contrib.auth.decorators import login_not_required
from rest_framework.routers import SimpleRouter

from .api import AssessmentViewSet, InstrumentViewSet

router = SimpleRouter(use_regex_path=False)
router.register("instruments", InstrumentViewSet, basename="instrument")
router.register("assessments", AssessmentViewSet, basename="assessment")

# DRF answers 401/403 itself (see pathways.api_urls).
urlpatterns = router.urls
for pattern in urlpatterns:
    login_not_required(pattern.callback)
