"""URLs of the backoffice part of the directory (see maillage/urls.py for the prefix)."""

app_name = "backoffice"
urlpatterns = []
