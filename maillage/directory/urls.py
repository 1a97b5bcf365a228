"""The public site of the directory (no login)."""

app_name = "directory"
urlpatterns = []
