app_name = "infrastructure"

urlpatterns: list = []
