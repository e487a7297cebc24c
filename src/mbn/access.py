"""Deny by default: every page needs a logged-in account unless its view is marked `login_not_required`."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.http import HttpRequest, HttpResponseBase


class DenyByDefaultMiddleware(LoginRequiredMiddleware):
    """Pages redirect anonymous visitors to the login form; the JSON API answers 401 through its own auth."""

    def process_view(
        self, request: HttpRequest, view_func: Any, view_args: Any, view_kwargs: Any
    ) -> HttpResponseBase | None:
        if request.path.startswith("/api/"):
            return None  # every API operation declares its auth (tests/test_architecture.py checks it)
        return super().process_view(request, view_func, view_args, view_kwargs)
