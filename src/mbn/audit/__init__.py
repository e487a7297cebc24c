"""Append-only audit log, one table per schema (public and each school)."""

from __future__ import annotations

from typing import Any


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
        ip=ip or None,
    )
