from django.urls import path

from shared.directory_feed import views

app_name = "directory_feed"

urlpatterns = [
    path("", views.import_list, name="import_list"),
    path("<int:run_id>/", views.import_detail, name="import_detail"),
]
