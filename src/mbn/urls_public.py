"""URLs of the public hosts: collectivity admin, the CAS server and account pages."""

from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.generic import RedirectView

from shared.accounts.cas import client as cas_client

urlpatterns = [
    path("", login_not_required(RedirectView.as_view(url="/collectivite/", permanent=False))),
    path("connexion/", cas_client.login_redirect, name="login"),
    path("connexion/retour", cas_client.login_return, name="login_return"),
    path("deconnexion/", cas_client.logout, name="logout"),
    path("cas/", include("shared.accounts.cas.urls")),
    path("compte/", include("shared.accounts.urls")),
    path("collectivite/annuaire/", include("shared.directory_feed.urls")),
    path("collectivite/", include("shared.tenancy.urls")),
]
