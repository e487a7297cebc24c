"""Who may call what, on the school side: deny by default, roles listed per endpoint."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest

from tenants.directory.models import Person, Role

__all__ = ["Role", "roles", "school_member"]


def school_member(request: HttpRequest) -> Person | None:
    """ninja auth: any active member of this school (request.person set by SchoolMemberMiddleware)."""
    return getattr(request, "person", None)


def roles(*allowed: str) -> Callable[[HttpRequest], Person | None]:
    """ninja auth: a member holding at least one of these roles."""

    def check(request: HttpRequest) -> Person | None:
        person = school_member(request)
        return person if person is not None and person.has_role(*allowed) else None

    return check
