"""Pathways API under /api/v1/ (namespace "api"): persons, projects, applications, referrals,
acts, outcomes. Objects are looked up by uuid."""

from django.contrib.auth.decorators import login_not_required
from rest_framework.routers import SimpleRouter

from .persons import api

router = SimpleRouter(use_regex_path=False)
router.register("persons", api.PersonViewSet, basename="person")
router.register("projects", api.ProjectViewSet, basename="project")
router.register("applications", api.ApplicationViewSet, basename="application")
router.register("referrals", api.ReferralViewSet, basename="referral")
router.register("acts", api.ActViewSet, basename="act")
router.register("outcomes", api.OutcomeViewSet, basename="outcome")

# DRF answers 401/403 itself (session or token): LoginRequiredMiddleware would redirect to the
# login page, and knows nothing of tokens.
urlpatterns = router.urls
for pattern in urlpatterns:
    login_not_required(pattern.callback)
