from __future__ import annotations

from typing import Any

from django.db import transaction

from mbn.audit import audit_record
from mbn.audit.selectors import audit_event_list, audit_events_csv


@transaction.atomic
def audit_export(*, actor: Any, action_filter: str = "") -> str:
    """The audit log of the current schema as CSV; the export itself is audited (who copied what, when)."""
    body = audit_events_csv(audit_event_list(action=action_filter))
    audit_record(actor=actor, action="audit.exported", data={"filter": action_filter})
    return body
