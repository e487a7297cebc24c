"""Reads of the AAF feed's public side: runs for the admin pages, record states for the importer."""

from __future__ import annotations

from collections.abc import Collection, Iterator

from django.db.models import QuerySet

from shared.accounts.models import Account, CollectivityRoleKind, SchoolAccess
from shared.catalogue.models import Establishment
from shared.directory_feed.models import AafImportRun, AafRecordState, AafStructure
from shared.tenancy.models import School


def uais_importable_by(*, viewer: Account) -> list[str]:
    """UAIs of the establishments the viewer administers (admin role, not read-only)."""
    return list(
        Establishment.objects.filter(
            owner__roles__account=viewer, owner__roles__role=CollectivityRoleKind.ADMIN
        )
        .order_by("uai")
        .values_list("uai", flat=True)
    )


def import_run_list_for(*, viewer: Account) -> QuerySet[AafImportRun]:
    """The viewer's own runs: an admin never sees another collectivité's reports."""
    return AafImportRun.objects.filter(created_by=viewer).order_by("-created_at")


def import_run_get_for(*, viewer: Account, run_id: int) -> AafImportRun:
    return import_run_list_for(viewer=viewer).get(pk=run_id)


def import_run_get(*, run_id: int) -> AafImportRun:
    return AafImportRun.objects.get(pk=run_id)


def platform_schools_by_uai() -> dict[str, tuple[int, str]]:
    """UAI → (school id, schema name) of every school whose space is created."""
    rows = School.objects.filter(schema_ready_at__isnull=False, is_template=False).values_list(
        "establishment__uai", "pk", "schema_name"
    )
    return {uai: (pk, schema) for uai, pk, schema in rows if uai}


def structures_of(*, academie: str) -> dict[str, AafStructure]:
    return {s.jointure: s for s in AafStructure.objects.filter(academie=academie)}


def academie_of_uai(*, uai: str) -> str | None:
    return AafStructure.objects.filter(uai=uai).values_list("academie", flat=True).first()


def record_states(*, academie: str, kind: str, jointures: Collection[str]) -> dict[str, AafRecordState]:
    return {
        state.jointure: state
        for state in AafRecordState.objects.filter(academie=academie, kind=kind, jointure__in=list(jointures))
    }


def record_state_jointures(*, academie: str, kind: str) -> Iterator[str]:
    """Every jointure of a kind already known for this académie (for a delta's references)."""
    return (
        AafRecordState.objects.filter(academie=academie, kind=kind)
        .values_list("jointure", flat=True)
        .iterator(chunk_size=20_000)
    )


def record_states_not_seen(
    *, academie: str, kind: str, seen: Collection[str]
) -> Iterator[tuple[int, int | None, list[int]]]:
    """(state id, account id, school ids) of unmarked records of a kind absent from a full run."""
    rows = (
        AafRecordState.objects.filter(academie=academie, kind=kind, marked_at__isnull=True)
        .values_list("pk", "jointure", "account_id", "school_ids")
        .iterator(chunk_size=20_000)
    )
    return (
        (pk, account_id, school_ids) for pk, jointure, account_id, school_ids in rows if jointure not in seen
    )


def record_states_marked_before(*, before: object) -> list[tuple[int, int | None, list[int]]]:
    """(state id, account id, school ids) of records marked before this instant: due for removal."""
    return list(
        AafRecordState.objects.filter(marked_at__lt=before).values_list("pk", "account_id", "school_ids")
    )


def school_ids_of_accounts(*, account_ids: Collection[int]) -> dict[int, list[int]]:
    """Schools each account is indexed in (how the import reaches a parent's schools)."""
    schools: dict[int, list[int]] = {}
    rows = SchoolAccess.objects.filter(account_id__in=list(account_ids)).values_list(
        "account_id", "school_id"
    )
    for account_id, school_id in rows:
        schools.setdefault(account_id, []).append(school_id)
    return schools


def account_ids_by_directory_keys(*, keys: Collection[str]) -> dict[str, int]:
    """Directory key (``<ACADEMIE>-<jointure>``) → account id, for the keys that have an account."""
    rows = Account.objects.filter(aaf_jointure__in=list(keys)).values_list("aaf_jointure", "pk")
    return {key: pk for key, pk in rows if key is not None}
