"""Account pages of the public host, under /compte/."""

from __future__ import annotations

from django.urls import path

from shared.accounts import views

app_name = "accounts"

urlpatterns = [
    path("etablissements/", views.my_schools, name="my_schools"),
    path("mot-de-passe/oublie/", views.PasswordResetView.as_view(), name="password_reset"),
    path("mot-de-passe/envoye/", views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "mot-de-passe/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "activation/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(activation=True),
        name="activation",
    ),
    path("mot-de-passe/termine/", views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
]
