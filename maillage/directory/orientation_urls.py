"""URLs of the orientation part of the directory (see maillage/urls.py for the prefix)."""

app_name = "orientation"
urlpatterns = []
