from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import QuerySet

from mbn.audit import audit_record
from mbn.audit.models import AuditEvent
from mbn.audit.selectors import audit_event_list, audit_events_csv


@transaction.atomic
def audit_export(*, actor: Any, action_filter: str = "", events: QuerySet[AuditEvent] | None = None) -> str:
    """The audit log (of the current schema, or the rows given) as CSV; the export itself is audited."""
    body = audit_events_csv(events if events is not None else audit_event_list(action=action_filter))
    audit_record(actor=actor, action="audit.exported", data={"filter": action_filter})
    return body
