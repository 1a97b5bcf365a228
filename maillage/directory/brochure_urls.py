"""URLs of the brochure part of the directory (see maillage/urls.py for the prefix)."""

app_name = "brochure"
urlpatterns = []
