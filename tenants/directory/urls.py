from django.urls import path

from tenants.directory import views

app_name = "directory"

urlpatterns = [
    path("moi/", views.my_profile, name="profile"),
    path("moi/donnees/", views.my_data, name="my_data"),
    path("annuaire/", views.people_search, name="people"),
    path("administration/journal/", views.audit_log, name="audit"),
    path("administration/journal.csv", views.audit_log_export, name="audit_export"),
]
