app_name = "assessments"

urlpatterns = []
