from django.urls import path

from . import views

app_name = "pathways"

urlpatterns = [
    path("orientations/<uuid:uuid>/", views.referral_detail, name="referral_detail"),
]
