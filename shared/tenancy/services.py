"""Rollout of schools: planning, schema creation from the template script, suspension."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tenants.utils import schema_context

from mbn.audit import audit_record
from mbn.tenancy import enqueue_public_on_commit, run_parallel
from mbn.tenancy.middleware import route_forget
from shared.accounts.models import Account
from shared.catalogue import registry
from shared.catalogue import selectors as catalogue_selectors
from shared.catalogue.models import Establishment
from shared.collectivites.models import Collectivite
from shared.tenancy import errors, schema_script
from shared.tenancy.models import Domain, RolloutWave, SchemaScript, School, SchoolStatus, SchoolStatusChange
from shared.tenancy.selectors import schema_catalog, schemas_behind

logger = logging.getLogger(__name__)

SYSTEM = "système"


def _status_set(*, school: School, to: str, actor: Account | None, reason: str = "") -> None:
    SchoolStatusChange.objects.create(
        school=school,
        from_status=school.status,
        to_status=to,
        actor=actor,
        actor_label=str(actor) if actor else SYSTEM,
        reason=reason,
    )
    school.status = to
    school.save(update_fields=["status", "updated_at"])
    hosts = list(school.domains.values_list("domain", flat=True))
    transaction.on_commit(lambda: route_forget(hosts))


# --- the template schema -------------------------------------------------------------------------------


def template_ensure() -> School:
    """The template school row and its migrated schema (first run only: a plain migrate of one schema)."""
    template = School.objects.filter(is_template=True).first()
    if template is None:
        template = School.objects.create(
            schema_name=settings.MBN_TEMPLATE_SCHEMA,
            name="Modèle d'établissement",
            slug="modele",
            is_template=True,
            status=SchoolStatus.ARCHIVED,
        )
    template.create_schema(check_if_exists=True, verbosity=0)
    return template


def _template_fingerprint(template_schema: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            f'SELECT app, name FROM "{template_schema}".django_migrations ORDER BY app, name'  # noqa: S608
        )
        applied = ",".join(f"{app}.{name}" for app, name in cursor.fetchall())
    return hashlib.sha256(applied.encode()).hexdigest()


@transaction.atomic
def template_script_refresh() -> SchemaScript:
    """Render the template schema's script once per set of applied migrations (once per release)."""
    template_schema = settings.MBN_TEMPLATE_SCHEMA
    fingerprint = _template_fingerprint(template_schema)
    script = SchemaScript.objects.filter(fingerprint=fingerprint).first()
    if script is None:
        catalog = schema_catalog(schema_name=template_schema)
        script = SchemaScript.objects.create(
            fingerprint=fingerprint,
            ddl=schema_script.dump_schema(template_schema),
            table_count=catalog.get("r", 0),
        )
        logger.info(
            "template.script_rendered", extra={"fingerprint": fingerprint, "tables": script.table_count}
        )
    return script


# --- planning -------------------------------------------------------------------------------------------


def _establishment_for(uai: str) -> Establishment:
    try:
        normalized = registry.uai_validate(registry.uai_normalize(uai))
    except registry.InvalidUai as exc:
        raise errors.InvalidUai(exc.message) from exc
    establishment = catalogue_selectors.establishment_by_uai(normalized)
    if establishment is None:
        raise errors.UnknownEstablishment()
    return establishment


def _school_plan(*, establishment: Establishment, wave: RolloutWave | None, actor: Account | None) -> School:
    """The School row and its host name for an establishment, status planned (existing rows are kept)."""
    school = School.objects.filter(establishment=establishment).first()
    if school is not None:
        if wave is not None and school.wave_id is None:
            school.wave = wave
            school.save(update_fields=["wave", "updated_at"])
        return school
    slug = establishment.uai.lower()
    host = f"{slug}.{settings.MBN_BASE_DOMAIN}"
    if School.objects.filter(slug=slug).exists():
        raise errors.SlugTaken()
    if Domain.objects.filter(domain=host).exists():
        raise errors.DomainTaken()
    school = School(
        establishment=establishment,
        schema_name=f"etab_{slug}",
        name=establishment.name,
        slug=slug,
        wave=wave,
        status=SchoolStatus.PLANNED,
    )
    try:
        with transaction.atomic():
            school.save()
            Domain.objects.create(domain=host, tenant=school, is_primary=True)
    except IntegrityError as exc:
        raise errors.SlugTaken() from exc
    audit_record(actor=actor, action="school.planned", target=school, data={"uai": establishment.uai})
    transaction.on_commit(lambda: route_forget([host]))
    return school


@transaction.atomic
def school_plan(
    *, uais: Iterable[str], wave_code: str | None = None, actor: Account | None = None
) -> list[School]:
    """Plan the schools of these UAIs (all or none): rows and host names, no schema yet."""
    wave = None
    if wave_code:
        wave = RolloutWave.objects.filter(code=wave_code).first()
        if wave is None:
            raise errors.UnknownWave()
    return [_school_plan(establishment=_establishment_for(uai), wave=wave, actor=actor) for uai in uais]


@transaction.atomic
def wave_create(
    *,
    actor: Account,
    collectivite: Collectivite,
    code: str,
    name: str,
    target_on: date,
    establishments: list[Establishment],
) -> RolloutWave:
    """A rollout wave of a collectivité's establishments; their schools are planned, not created yet."""
    if any(establishment.owner_id != collectivite.pk for establishment in establishments):
        raise errors.OutsideCollectivite()
    try:
        with transaction.atomic():
            wave = RolloutWave.objects.create(
                collectivite=collectivite, code=code, name=name, target_on=target_on
            )
    except IntegrityError as exc:
        raise errors.WaveCodeTaken() from exc
    for establishment in establishments:
        _school_plan(establishment=establishment, wave=wave, actor=actor)
    audit_record(actor=actor, action="wave.created", target=wave, data={"schools": len(establishments)})
    return wave


@transaction.atomic
def wave_provision_start(*, actor: Account, wave: RolloutWave) -> int:
    """Queue the schema creation of every school of the wave that is not open yet."""
    from shared.tenancy.tasks import school_schema_create_task

    pending = list(
        wave.schools.filter(status__in=[SchoolStatus.PLANNED, SchoolStatus.PROVISIONING]).values_list(
            "pk", flat=True
        )
    )
    wave.schools.filter(pk__in=pending).update(provisioning_error="")
    for school_id in pending:
        enqueue_public_on_commit(school_schema_create_task, school_id=school_id)
    audit_record(actor=actor, action="wave.provisioning_started", target=wave, data={"schools": len(pending)})
    return len(pending)


# --- schema creation -----------------------------------------------------------------------------------


def school_schema_create(*, school_id: int, script: SchemaScript | None = None) -> School:
    """Create the school's schema from the template script, seed it, check it, open the school.

    Resumable: an open school is left as it is; a crash mid-way rolls the schema back with its transaction,
    so a school whose schema is missing or incomplete is never active.
    """
    with transaction.atomic():
        school = School.objects.select_for_update().get(pk=school_id)
        if school.schema_ready_at is not None:
            return school
        if school.status != SchoolStatus.PROVISIONING:
            _status_set(school=school, to=SchoolStatus.PROVISIONING, actor=None)
    script = script or template_script_refresh()
    try:
        with transaction.atomic():
            school = School.objects.select_for_update().get(pk=school_id)
            _schema_build(school=school, script=script)
            school.schema_ready_at = timezone.now()
            school.provisioning_error = ""
            school.save(update_fields=["schema_ready_at", "provisioning_error", "updated_at"])
            _status_set(school=school, to=SchoolStatus.ACTIVE, actor=None, reason="création terminée")
            audit_record(actor=None, action="school.provisioned", target=school)
    except Exception as exc:
        logger.exception("school.provisioning_failed", extra={"school_id": school_id})
        School.objects.filter(pk=school_id).update(
            status=SchoolStatus.PLANNED, provisioning_error=f"{type(exc).__name__}: {exc}"[:2000]
        )
        raise
    logger.info("school.provisioned", extra={"school_id": school_id, "schema": school.schema_name})
    return school


def _schema_build(*, school: School, script: SchemaScript) -> None:
    template_schema = settings.MBN_TEMPLATE_SCHEMA
    with connection.cursor() as cursor:
        cursor.execute(f'DROP SCHEMA IF EXISTS "{school.schema_name}" CASCADE')
        cursor.execute(schema_script.for_schema(script.ddl, template_schema, school.schema_name))
    expected = schema_catalog(schema_name=template_schema)
    built = schema_catalog(schema_name=school.schema_name)
    if built != expected:
        logger.error("school.schema_mismatch", extra={"expected": expected, "built": built})
        raise errors.SchemaCheckFailed()
    with schema_context(school.schema_name):
        _school_seed(school=school)


def _school_seed(*, school: School) -> None:
    """Per-school first content; reference data common to all schools comes with the template.

    The seeders are school-side services named in settings (the public side never imports school apps).
    """
    for path in settings.MBN_SCHOOL_SEEDERS:
        import_string(path)(school_name=school.name)


# --- status --------------------------------------------------------------------------------------------


@transaction.atomic
def school_suspend(*, actor: Account, school: School, reason: str) -> School:
    """Close an open school to everyone; its data is kept."""
    school = School.objects.select_for_update().get(pk=school.pk)
    if school.status != SchoolStatus.ACTIVE:
        raise errors.InvalidStatusChange()
    _status_set(school=school, to=SchoolStatus.SUSPENDED, actor=actor, reason=reason)
    audit_record(actor=actor, action="school.suspended", target=school, data={"reason": reason})
    return school


@transaction.atomic
def school_reactivate(*, actor: Account | None, school: School) -> School:
    """Reopen a suspended school."""
    school = School.objects.select_for_update().get(pk=school.pk)
    if school.status != SchoolStatus.SUSPENDED or school.schema_ready_at is None:
        raise errors.InvalidStatusChange()
    _status_set(school=school, to=SchoolStatus.ACTIVE, actor=actor)
    audit_record(actor=actor, action="school.reactivated", target=school)
    return school


# --- many schools at once (CLI, Helm job) ---------------------------------------------------------------


def _schema_create_by_id(school_id: int) -> None:
    school_schema_create(school_id=school_id)


def school_schemas_create(
    *, school_ids: list[int], workers: int, on_done: Callable[[int, str | None], None]
) -> dict[int, str]:
    """Create the schemas of many schools in parallel; a failing school is reported and the others go on."""
    template_script_refresh()  # rendered once here, not raced by the workers
    pending = list(
        School.objects.filter(pk__in=school_ids, schema_ready_at__isnull=True).values_list("pk", flat=True)
    )
    for school_id in set(school_ids) - set(pending):
        on_done(school_id, None)
    return run_parallel(_schema_create_by_id, pending, workers=workers, on_done=on_done)


def _migrate_schema(schema_name: str) -> None:
    call_command("migrate_schemas", schema_name=schema_name, interactive=False, verbosity=0)


@dataclass(frozen=True)
class MigrateReport:
    schemas: int
    migrated: list[str]
    failures: dict[str, str]


def schemas_migrate(*, workers: int, on_done: Callable[[str, str | None], None]) -> MigrateReport:
    """Public schema, then the template, then only the schools whose migrations differ from the template's."""
    call_command("migrate_schemas", shared=True, interactive=False, verbosity=0)
    template = template_ensure()
    _migrate_schema(template.schema_name)
    schema_names = list(
        School.objects.filter(schema_ready_at__isnull=False, is_template=False).values_list(
            "schema_name", flat=True
        )
    )
    behind = schemas_behind(reference=template.schema_name, schema_names=schema_names)
    failures = run_parallel(_migrate_schema, behind, workers=workers, on_done=on_done)
    template_script_refresh()
    return MigrateReport(schemas=len(schema_names), migrated=behind, failures=failures)
