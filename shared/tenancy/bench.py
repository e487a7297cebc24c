"""Service-level helpers for `mbn bench …`: benchmark schools, the bare DDL baseline, clean-up.

The benchmark's schools belong to one rollout wave (`BENCH_WAVE_CODE`) so that they can be told apart from
the schools of the demo or of a real rollout: `bench_schools_drop` only ever removes schools of that wave.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db import connection, transaction

from mbn.tenancy import public_schema_enter
from shared.catalogue.models import Establishment
from shared.collectivites.models import Collectivite
from shared.tenancy import schema_script
from shared.tenancy.models import RolloutWave, SchemaScript, School
from shared.tenancy.selectors import existing_schemas
from shared.tenancy.services import school_plan

BENCH_WAVE_CODE = "bench"
BASELINE_SCHEMA = "bench_baseline"


@dataclass(frozen=True)
class BenchPlan:
    school_ids: list[int]
    already_done: int


def _bench_wave() -> RolloutWave:
    wave = RolloutWave.objects.filter(code=BENCH_WAVE_CODE).first()
    if wave is None:
        owner = Collectivite.objects.order_by("code").first()
        if owner is None:
            raise RuntimeError("region not loaded: no collectivité")
        wave = RolloutWave.objects.create(
            collectivite=owner, code=BENCH_WAVE_CODE, name="Banc d'essai (mbn bench)", target_on=date.today()
        )
    return wave


@transaction.atomic
def bench_schools_plan(*, count: int) -> BenchPlan:
    """`count` benchmark schools: those of earlier runs first, then establishments that have no school yet.

    Schools that exist outside the benchmark wave (demo, real rollout) are never touched.
    """
    wave = _bench_wave()
    mine = list(
        School.objects.filter(wave=wave, is_template=False)
        .order_by("establishment__uai")
        .values_list("establishment__uai", flat=True)[:count]
    )
    free = list(
        Establishment.objects.filter(school__isnull=True)
        .order_by("uai")
        .values_list("uai", flat=True)[: max(0, count - len(mine))]
    )
    schools = school_plan(uais=[*mine, *free], wave_code=BENCH_WAVE_CODE)
    done = sum(1 for school in schools if school.schema_ready_at is not None)
    return BenchPlan(school_ids=[school.pk for school in schools], already_done=done)


def bench_baseline_ms(*, script: SchemaScript) -> float:
    """Milliseconds to create one schema by replaying the template's script alone, in one transaction.

    The same statements as a real school's creation, without the bookkeeping (status, catalog check, seed):
    the floor that `school_schemas_create` is compared with. The schema is dropped afterwards.
    """
    sql = schema_script.for_schema(script.ddl, settings.MBN_TEMPLATE_SCHEMA, BASELINE_SCHEMA)
    with connection.cursor() as cursor:
        cursor.execute(f'DROP SCHEMA IF EXISTS "{BASELINE_SCHEMA}" CASCADE')
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql)
    elapsed = (time.perf_counter() - started) * 1000
    with connection.cursor() as cursor:
        cursor.execute(f'DROP SCHEMA IF EXISTS "{BASELINE_SCHEMA}" CASCADE')
    public_schema_enter()
    return elapsed


def bench_schools_drop(*, on_done: Callable[[str, str | None], None] | None = None) -> int:
    """Drop the benchmark wave's schools: each schema in its own transaction (lock budget), then the rows."""
    wave = RolloutWave.objects.filter(code=BENCH_WAVE_CODE).first()
    if wave is None:
        return 0
    schools = list(School.objects.filter(wave=wave, is_template=False).values_list("pk", "schema_name"))
    present = existing_schemas(prefix="etab_")
    for _pk, schema_name in schools:
        if schema_name in present:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(f'DROP SCHEMA IF EXISTS "{schema_name}" CASCADE')
        if on_done is not None:
            on_done(schema_name, None)
    with transaction.atomic():
        School.objects.filter(pk__in=[pk for pk, _ in schools]).delete()
        wave.delete()
    public_schema_enter()
    return len(schools)


def schemas_behind_count() -> tuple[int, int]:
    """(schools with a schema, how many of them are behind the template), in one query."""
    from shared.tenancy.selectors import schemas_behind, schools_with_schema

    names = list(schools_with_schema().values_list("schema_name", flat=True))
    return len(names), len(schemas_behind(reference=settings.MBN_TEMPLATE_SCHEMA, schema_names=names))


def school_hosts(*, limit: int | None = None) -> list[str]:
    """Host names of schools that are open (active, schema ready), in schema order."""
    from shared.tenancy.models import Domain, SchoolStatus

    domains = (
        Domain.objects.filter(
            is_primary=True,
            tenant__is_template=False,
            tenant__schema_ready_at__isnull=False,
            tenant__status=SchoolStatus.ACTIVE,
        )
        .order_by("tenant__schema_name")
        .values_list("domain", flat=True)
    )
    return list(domains[:limit] if limit else domains)
