"""Read-only directory API under /api/v1/ (namespace "api")."""

urlpatterns = []
