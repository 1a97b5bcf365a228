"""Open data under /open-data/: data·inclusion exports and the HSDS 3 API."""

app_name = "interop"
urlpatterns = []
