"""Append-only audit log, one table per schema (public and each school)."""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

# Where the current request comes from; set by AuditContextMiddleware, read by audit_record.
client_ip_var: ContextVar[str | None] = ContextVar("audit_client_ip", default=None)


def audit_record(
    *, actor: Any, action: str, target: Any = None, data: dict[str, Any] | None = None, ip: str = ""
) -> Any:
    """Write one audit row in the current schema, inside the caller's transaction."""
    from mbn.audit.models import AuditEvent

    return AuditEvent.objects.create(
        actor_id=getattr(actor, "pk", None),
        actor_label=str(actor) if actor is not None else "système",
        action=action,
        target_type=type(target).__name__ if target is not None else "",
        target_id=str(getattr(target, "pk", "")) if target is not None else "",
        target_label=str(target)[:200] if target is not None else "",
        data=data or {},
        ip=ip or client_ip_var.get(),
    )


class AuditContextMiddleware:
    """Remembers the client address for the audit rows written while serving the request."""

    def __init__(self, get_response: Callable[[Any], Any]) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        # Behind the ingress the client is the first X-Forwarded-For hop; REMOTE_ADDR otherwise.
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")[0].strip()
        token = client_ip_var.set(forwarded or request.META.get("REMOTE_ADDR") or None)
        try:
            return self.get_response(request)
        finally:
            client_ip_var.reset(token)
