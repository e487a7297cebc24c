"""Who may call what, on the school side: deny by default, roles listed per endpoint."""

from __future__ import annotations

from django.http import HttpRequest

from tenants.directory.models import Person, Role

__all__ = ["Role", "roles", "school_member"]


def school_member(request: HttpRequest) -> Person | None:
    """ninja auth: any active member of this school (request.person set by SchoolMemberMiddleware)."""
    return getattr(request, "person", None)


class RoleCheck:
    """ninja auth: a member holding one of the allowed roles (readable for the permission table)."""

    def __init__(self, allowed: tuple[str, ...]) -> None:
        self.allowed_roles = frozenset(allowed)

    def __call__(self, request: HttpRequest) -> Person | None:
        person = school_member(request)
        return person if person is not None and person.has_role(*self.allowed_roles) else None

    def __repr__(self) -> str:
        return f"roles({', '.join(sorted(self.allowed_roles))})"


def roles(*allowed: str) -> RoleCheck:
    """ninja auth for an endpoint: the roles that may call it."""
    return RoleCheck(allowed)
