"""Read API of the network's life under /api/v1/ (namespace "api")."""

from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter()
router.register("groups", api.GroupViewSet, basename="group")
router.register("meetings", api.MeetingViewSet, basename="meeting")

urlpatterns = router.urls
