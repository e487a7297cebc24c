"""URLs of the public hosts: collectivity admin and login."""

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.generic import RedirectView

urlpatterns = [
    path("", login_not_required(RedirectView.as_view(url="/collectivite/", permanent=False))),
    path("connexion/", auth_views.LoginView.as_view(template_name="accounts/login.html"), name="login"),
    path("deconnexion/", auth_views.LogoutView.as_view(next_page="/connexion/"), name="logout"),
    path("collectivite/", include("shared.tenancy.urls")),
]
