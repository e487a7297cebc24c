from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django.db.models import Count, Q, QuerySet

from mbn.audit.models import AuditEvent
from mbn.audit.selectors import audit_event_list
from shared.accounts.models import Account
from shared.tenancy.models import RolloutWave, School, SchoolStatus
from shared.tenancy.schemas import SchoolOut


def collectivite_ids_for(*, viewer: Account) -> list[int]:
    return list(viewer.collectivity_roles.values_list("collectivite_id", flat=True))


def school_list_for(
    *, viewer: Account, departement: str = "", kind: str = "", status: str = "", search: str = ""
) -> QuerySet[School]:
    """Schools of the establishments the viewer's collectivités own."""
    schools = School.objects.filter(
        is_template=False, establishment__owner_id__in=collectivite_ids_for(viewer=viewer)
    )
    if departement:
        schools = schools.filter(establishment__departement_code=departement)
    if kind:
        schools = schools.filter(establishment__kind=kind)
    if status:
        schools = schools.filter(status=status)
    if search:
        schools = schools.filter(Q(name__icontains=search) | Q(establishment__uai__iexact=search))
    return schools.select_related("establishment", "wave").order_by("establishment__departement_code", "name")


def school_get_for(*, viewer: Account, school_id: int) -> School:
    return school_list_for(viewer=viewer).get(pk=school_id)


def wave_list_for(*, viewer: Account) -> QuerySet[RolloutWave]:
    return (
        RolloutWave.objects.filter(collectivite_id__in=collectivite_ids_for(viewer=viewer))
        .select_related("collectivite")
        .annotate(
            school_count=Count("schools"),
            active_count=Count("schools", filter=Q(schools__status=SchoolStatus.ACTIVE)),
            failed_count=Count("schools", filter=~Q(schools__provisioning_error="")),
        )
    )


def wave_get_for(*, viewer: Account, wave_id: int) -> RolloutWave:
    return wave_list_for(viewer=viewer).get(pk=wave_id)


@dataclass(frozen=True)
class WaveProgress:
    total: int
    active: int
    provisioning: int
    planned: int
    failed: int

    @property
    def percent(self) -> int:
        return round(100 * self.active / self.total) if self.total else 100

    @property
    def is_done(self) -> bool:
        return self.active + self.failed >= self.total


def wave_progress(*, wave: RolloutWave) -> WaveProgress:
    counts = wave.schools.aggregate(
        total=Count("id"),
        active=Count("id", filter=Q(status=SchoolStatus.ACTIVE)),
        provisioning=Count("id", filter=Q(status=SchoolStatus.PROVISIONING)),
        planned=Count("id", filter=Q(status=SchoolStatus.PLANNED, provisioning_error="")),
        failed=Count("id", filter=~Q(provisioning_error="") & ~Q(status=SchoolStatus.ACTIVE)),
    )
    return WaveProgress(**counts)


def wave_schools(*, wave: RolloutWave) -> QuerySet[School]:
    return wave.schools.select_related("establishment").order_by("name")


def school_url(*, school: School) -> str:
    return f"http://{school.slug}.{settings.MBN_BASE_DOMAIN}"


def template_school() -> School | None:
    return School.objects.filter(is_template=True).first()


def schools_with_schema() -> QuerySet[School]:
    return School.objects.filter(schema_ready_at__isnull=False, is_template=False).order_by("schema_name")


def schemas_behind(*, reference: str, schema_names: list[str]) -> list[str]:
    """Schemas whose applied migrations differ from the reference schema's, found in one query."""
    if not schema_names:
        return []
    quote = connection.ops.quote_name
    parts = [
        "SELECT %s AS schema_name, md5(string_agg(app || '.' || name, ',' ORDER BY app, name)) AS state "  # noqa: S608
        f"FROM {quote(name)}.django_migrations"
        for name in [reference, *schema_names]
    ]
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), [reference, *schema_names])
        states = dict(cursor.fetchall())
    return [name for name in schema_names if states.get(name) != states.get(reference)]


def schema_catalog(*, schema_name: str) -> dict[str, int]:
    """Relations of a schema counted by kind (tables, indexes, sequences…): two schemas built alike match."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relkind, count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = %s GROUP BY c.relkind",
            [schema_name],
        )
        return {str(kind): int(count) for kind, count in cursor.fetchall()}


def existing_schemas(*, prefix: str) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT nspname FROM pg_namespace WHERE nspname LIKE %s", [prefix + "%"])
        return {row[0] for row in cursor.fetchall()}


def school_identity(*, school: School) -> SchoolOut:
    establishment = school.establishment
    assert establishment is not None  # a school served on a host always has one (DB constraint)
    return SchoolOut(
        uai=establishment.uai,
        name=school.name,
        kind=establishment.kind,
        kind_label=establishment.get_kind_display(),
        sector=establishment.get_sector_display(),
        commune=establishment.commune,
        departement_code=establishment.departement_code,
        academie=establishment.academie,
        url=school_url(school=school),
    )


def wave_uais(*, wave_code: str) -> list[str]:
    from shared.tenancy.errors import UnknownWave

    wave = RolloutWave.objects.filter(code=wave_code).first()
    if wave is None:
        raise UnknownWave()
    return list(wave.schools.values_list("establishment__uai", flat=True))


def schools_by_ids(school_ids: list[int]) -> QuerySet[School]:
    return School.objects.filter(pk__in=school_ids).order_by("name")


def audit_events_for(*, viewer: Account, action: str = "") -> QuerySet[AuditEvent]:
    """Public-schema audit rows about the viewer's schools and waves (rollout, provisioning, suspension)."""
    school_ids = [str(pk) for pk in school_list_for(viewer=viewer).values_list("pk", flat=True)]
    wave_ids = [str(pk) for pk in wave_list_for(viewer=viewer).values_list("pk", flat=True)]
    return audit_event_list(action=action).filter(
        Q(target_type="School", target_id__in=school_ids)
        | Q(target_type="RolloutWave", target_id__in=wave_ids)
    )
