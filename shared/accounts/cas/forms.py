"""The credentials form of /cas/login: Django's `authenticate()`, so django-axes counts failures."""

from __future__ import annotations

from typing import Any

from cas_server.forms import UserCredential
from django import forms
from django.contrib.auth import authenticate
from django.http import HttpRequest


class CredentialForm(UserCredential):  # type: ignore[misc]  # untyped library base class
    """Username and password; `request` is set by the login view before validation."""

    request: HttpRequest | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].label = "Identifiant"
        self.fields["password"].label = "Mot de passe"
        self.fields["warn"].label = "Me prévenir avant de me connecter à un autre service"

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = forms.Form.clean(self) or {}
        username, password = cleaned.get("username"), cleaned.get("password")
        if username and password:
            account = authenticate(self.request, username=username, password=password)
            if account is None:
                raise forms.ValidationError(
                    "Identifiant ou mot de passe incorrect.", code="invalid_credentials"
                )
            cleaned["username"] = account.get_username()
        return cleaned
