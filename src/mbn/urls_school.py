"""URLs of a school host."""

from django.urls import include, path

from mbn.api.school import school_api
from shared.accounts.cas import client as cas_client
from tenants.directory import context_switch
from tenants.ent import views as ent_views

urlpatterns = [
    path("", ent_views.home, name="home"),
    path("connexion/", cas_client.login_redirect, name="login"),
    path("connexion/retour", cas_client.login_return, name="login_return"),
    path("deconnexion/", cas_client.logout, name="logout"),
    path("contexte/", context_switch.my_context, name="my_context"),
    path("contexte/enfant", context_switch.child_choose, name="child_choose"),
    path("", include("tenants.directory.urls")),
    path("api/v1/", school_api.urls),
    path("", include("tenants.timetable.urls")),
]
