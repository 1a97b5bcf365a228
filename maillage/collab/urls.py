app_name = "collab"

urlpatterns = []
