"""Reads of the audit log of the current schema (the caller has already checked who may read it)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import date

from django.db.models import Q, QuerySet

from mbn.audit.models import AuditEvent


def audit_event_list(
    *,
    action: str = "",
    since: date | None = None,
    until: date | None = None,
    target_type: str = "",
    target_ids: Iterable[str] | None = None,
) -> QuerySet[AuditEvent]:
    events = AuditEvent.objects.all()
    if action:
        events = events.filter(action__startswith=action)
    if since:
        events = events.filter(at__date__gte=since)
    if until:
        events = events.filter(at__date__lte=until)
    if target_type:
        events = events.filter(target_type=target_type)
    if target_ids is not None:
        events = events.filter(Q(target_id__in=list(target_ids)))
    return events.order_by("-at", "-id")


CSV_COLUMNS = ("at", "actor_label", "action", "target_type", "target_id", "target_label", "ip")
CSV_HEADER = ("Date", "Auteur", "Action", "Type d'objet", "Identifiant", "Objet", "Adresse IP")


def audit_events_csv(events: QuerySet[AuditEvent]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(CSV_HEADER)
    for event in events.iterator(chunk_size=1000):
        writer.writerow([getattr(event, column) or "" for column in CSV_COLUMNS])
    return buffer.getvalue()
