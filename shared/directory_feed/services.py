"""Writes of the AAF feed's public side: run lifecycle and report, record states, structures.

The importer itself lives on the school side (tenants/directory/aaf_import.py); it calls these to
keep what is shared across schools. The admin upload only stores the archive and enqueues the
school-side task named by ``settings.MBN_AAF_IMPORT_TASK``.
"""

from __future__ import annotations

import datetime
import logging
import uuid
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from mbn.audit import audit_record
from mbn.bulk import bulk_insert_rows
from mbn.tenancy import enqueue_public_on_commit
from shared.accounts.models import Account
from shared.directory_feed import errors
from shared.directory_feed.models import AafImportRun, AafRecordState, AafStructure, ImportStatus
from shared.directory_feed.selectors import uais_importable_by

logger = logging.getLogger(__name__)


# --- runs --------------------------------------------------------------------------------------------


def import_run_create(
    *,
    source_name: str,
    created_by: Account | None = None,
    stored_path: str = "",
    allowed_uais: list[str] | None = None,
) -> AafImportRun:
    """A pending run; the command line creates it itself, the admin page through the upload service."""
    return AafImportRun.objects.create(
        source_name=source_name[:255],
        created_by=created_by,
        stored_path=stored_path,
        allowed_uais=allowed_uais,
    )


@transaction.atomic
def import_run_request(*, actor: Account, upload: IO[bytes], file_name: str) -> AafImportRun:
    """Store an uploaded archive and queue its import, limited to the UAIs the actor administers."""
    allowed = uais_importable_by(viewer=actor)
    if not allowed:
        raise errors.NoEstablishmentAdministered()
    if not zipfile.is_zipfile(upload):
        raise errors.NotAnArchive()
    upload.seek(0)
    directory = Path(settings.MBN_AAF_UPLOAD_DIR)
    directory.mkdir(parents=True, exist_ok=True)
    stored = directory / f"{uuid.uuid4().hex}.zip"
    with stored.open("wb") as target:
        while chunk := upload.read(1 << 20):
            target.write(chunk)
    run = import_run_create(
        source_name=Path(file_name).name, created_by=actor, stored_path=str(stored), allowed_uais=allowed
    )
    audit_record(actor=actor, action="aaf_import.requested", target=run)
    # The task is a school-side one, found by its dotted path (shared/ never imports tenants/).
    enqueue_public_on_commit(import_string(settings.MBN_AAF_IMPORT_TASK), run_id=run.pk)
    return run


def import_run_start(
    *, run_id: int, files: list[str], academies: list[str], is_delta: bool, total: int
) -> None:
    AafImportRun.objects.filter(pk=run_id).update(
        status=ImportStatus.RUNNING,
        files=files,
        academies=academies,
        is_delta=is_delta,
        progress_total=total,
        progress_done=0,
        started_at=timezone.now(),
    )


def import_run_progress(*, run_id: int, done: int, total: int, phase: str) -> None:
    """Progress for the admin page (written outside the files' transactions, so it shows while running)."""
    AafImportRun.objects.filter(pk=run_id).update(progress_done=done, progress_total=total, phase=phase)


@transaction.atomic
def import_run_finish(
    *,
    run_id: int,
    status: str,
    counts: dict[str, Any],
    report: dict[str, Any],
    rejection: dict[str, Any] | None,
) -> AafImportRun:
    """Store the report; a rejected run keeps the reason (file, line, record, code) for the admin."""
    run = AafImportRun.objects.select_for_update().get(pk=run_id)
    run.status = status
    run.counts = counts
    run.report = report
    run.rejection = rejection
    run.finished_at = timezone.now()
    run.phase = ""
    if status == ImportStatus.DONE:
        run.progress_done = run.progress_total
    run.save()
    audit_record(
        actor=run.created_by,
        action=f"aaf_import.{status}",
        target=run,
        data={"counts": counts, "code": (rejection or {}).get("code", "")},
    )
    if run.stored_path:
        path = run.stored_path
        transaction.on_commit(lambda: Path(path).unlink(missing_ok=True))
    return run


# --- structures and record states ---------------------------------------------------------------------


def structure_upsert(
    *,
    academie: str,
    jointure: str,
    uai: str,
    school_id: int | None,
    class_codes: list[str],
    group_codes: list[str],
    checksum: str,
) -> None:
    AafStructure.objects.update_or_create(
        academie=academie,
        jointure=jointure,
        defaults={
            "uai": uai,
            "school_id": school_id,
            "class_codes": class_codes,
            "group_codes": group_codes,
            "checksum": checksum,
        },
    )


@dataclass(frozen=True, slots=True)
class RecordStateRow:
    academie: str
    kind: str
    jointure: str
    checksum: str
    account_id: int | None
    school_ids: list[int]


def record_states_save(*, rows: Iterable[RecordStateRow]) -> None:
    """Insert or update the states of applied records (one statement per batch); clears any mark."""
    now = timezone.now()
    bulk_insert_rows(
        AafRecordState,
        ("academie", "kind", "jointure", "checksum", "account_id", "school_ids", "marked_at", "updated_at"),
        (
            (row.academie, row.kind, row.jointure, row.checksum, row.account_id, row.school_ids, None, now)
            for row in rows
        ),
        unique_fields=("academie", "kind", "jointure"),
        update_fields=("checksum", "account", "school_ids", "marked_at", "updated_at"),
    )


def record_states_mark(*, state_ids: list[int], at: datetime.datetime) -> None:
    AafRecordState.objects.filter(pk__in=state_ids, marked_at__isnull=True).update(marked_at=at, checksum="")


def record_states_delete(*, state_ids: list[int]) -> None:
    AafRecordState.objects.filter(pk__in=state_ids).delete()
