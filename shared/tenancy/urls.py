from django.urls import path

from shared.tenancy import views

app_name = "tenancy"

urlpatterns = [
    path("", views.school_list, name="school_list"),
    path("etablissements/<int:school_id>/suspendre", views.school_suspend, name="school_suspend"),
    path("etablissements/<int:school_id>/reactiver", views.school_reactivate, name="school_reactivate"),
    path("vagues/", views.wave_list, name="wave_list"),
    path("journal/", views.audit_log, name="audit"),
    path("vagues/<int:wave_id>/", views.wave_detail, name="wave_detail"),
    path("vagues/<int:wave_id>/creer", views.wave_provision, name="wave_provision"),
]
