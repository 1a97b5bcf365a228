"""Pathways API under /api/v1/ (namespace "api"): persons, projects, applications, referrals,
acts, outcomes. Objects are looked up by uuid."""

from django.contrib.auth.decorators import login_not_required
from rest_framework.routers import SimpleRouter

from .acts.api import ActViewSet, OutcomeViewSet
from .applications.api import ApplicationViewSet
from .persons.api import PersonViewSet, ProjectViewSet
from .referrals.api import ReferralViewSet

router = SimpleRouter(use_regex_path=False)
router.register("persons", PersonViewSet, basename="person")
router.register("projects", ProjectViewSet, basename="project")
router.register("applications", ApplicationViewSet, basename="application")
router.register("referrals", ReferralViewSet, basename="referral")
router.register("acts", ActViewSet, basename="act")
router.register("outcomes", OutcomeViewSet, basename="outcome")

# DRF answers 401/403 itself (session or token): LoginRequiredMiddleware would redirect to the
# login page, and knows nothing of tokens.
urlpatterns = router.urls
for pattern in urlpatterns:
    login_not_required(pattern.callback)
