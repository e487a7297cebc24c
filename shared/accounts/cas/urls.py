"""`/cas/…` on the public host. Names stay in django-cas-server's `cas_server` namespace (it reverses them).

CAS 1.0 `/validate`, SAML 1.1 `/samlValidate`, `/auth` and federation are left out on purpose
(interop-sso.md §2: do not offer CAS 1 to new services).
"""

from __future__ import annotations

from cas_server import views as cas_views
from django.contrib.auth.decorators import login_not_required
from django.urls import path
from django.views.decorators.debug import sensitive_post_parameters

from shared.accounts.cas import views

app_name = "cas_server"

urlpatterns = [
    path(
        "login",
        login_not_required(sensitive_post_parameters("password")(views.CasLoginView.as_view())),
        name="login",
    ),
    path("logout", login_not_required(views.CasLogoutView.as_view()), name="logout"),
    path("double-authentification", views.second_factor, name="second_factor"),
    path(
        "serviceValidate",
        login_not_required(cas_views.ValidateService.as_view(allow_proxy_ticket=False)),
        name="serviceValidate",
    ),
    path(
        "proxyValidate",
        login_not_required(cas_views.ValidateService.as_view(allow_proxy_ticket=True)),
        name="proxyValidate",
    ),
    path("proxy", login_not_required(cas_views.Proxy.as_view()), name="proxy"),
    path(
        "p3/serviceValidate",
        login_not_required(cas_views.ValidateService.as_view(allow_proxy_ticket=False)),
        name="p3_serviceValidate",
    ),
    path(
        "p3/proxyValidate",
        login_not_required(cas_views.ValidateService.as_view(allow_proxy_ticket=True)),
        name="p3_proxyValidate",
    ),
]
