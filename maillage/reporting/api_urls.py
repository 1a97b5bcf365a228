"""The reports' JSON API, under /api/v1/reports/."""

urlpatterns = []
