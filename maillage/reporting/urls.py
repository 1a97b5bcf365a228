"""Report pages for the network, its structures and its funders."""

app_name = "reporting"

urlpatterns = []
