"""The second factor is mandatory for heads, school admins and collectivity staff, on every host."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

# Where an account still has to go to log in again or out.
EXEMPT_PREFIXES = ("/cas/", "/connexion/", "/deconnexion/", "/compte/", "/static/")


class SecondFactorMiddleware:
    """An account that needs a second factor but whose session was opened without one is refused (403).

    Sessions opened through CAS carry the factor (our CAS server demands it); anything else, e.g. a
    session opened before the account became a head, must log in again.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and getattr(user, "requires_second_factor", False)
            and not user.is_verified()  # type: ignore[union-attr, attr-defined]  # added by django-otp's middleware
            and not request.path.startswith(EXEMPT_PREFIXES)
        ):
            message = "La double authentification est obligatoire pour ce compte : reconnectez-vous."
            if request.path.startswith("/api/"):
                return JsonResponse({"code": "second_factor_required", "message": message}, status=403)
            return render(request, "accounts/second_factor_required.html", {"message": message}, status=403)
        return self.get_response(request)
