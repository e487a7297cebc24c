from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from tenants.directory.selectors import person_for_account


class SchoolMemberMiddleware:
    """On a school host, `request.person` is the logged-in account's membership here (or None)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.person = None  # type: ignore[attr-defined]
        if getattr(request, "tenant", None) is not None:
            request.person = person_for_account(account=request.user)  # type: ignore[attr-defined, arg-type]
        return self.get_response(request)
