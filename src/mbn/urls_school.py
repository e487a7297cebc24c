"""URLs of a school host."""

from django.contrib.auth import views as auth_views
from django.urls import include, path

from mbn.api.school import school_api
from tenants.ent import views as ent_views

urlpatterns = [
    path("", ent_views.home, name="home"),
    path("connexion/", auth_views.LoginView.as_view(template_name="accounts/login.html"), name="login"),
    path("deconnexion/", auth_views.LogoutView.as_view(next_page="/"), name="logout"),
    path("", include("tenants.directory.urls")),
    path("api/v1/", school_api.urls),
]
