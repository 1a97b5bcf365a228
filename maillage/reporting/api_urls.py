"""The reports' JSON API, under /api/v1/reports/ (namespace "api")."""

from django.contrib.auth.decorators import login_not_required
from django.urls import path

from . import api

# DRF answers 403 itself: LoginRequiredMiddleware would redirect to the login page.
urlpatterns = [
    path(
        "indicators",
        login_not_required(api.IndicatorsView.as_view()),
        name="report-indicators",
    ),
]
