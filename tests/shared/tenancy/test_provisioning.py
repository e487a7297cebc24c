from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django_tenants.utils import schema_context

from mbn.audit.models import AuditEvent
from mbn.errors import DomainError
from shared.tenancy import errors, services
from shared.tenancy.models import Domain, SchemaScript, School, SchoolStatus
from shared.tenancy.selectors import existing_schemas, schema_catalog
from tenants.ent.models import NewsItem

UAI_C = "0540516T"  # a collège of Meurthe-et-Moselle that the session fixtures do not open


def _counts() -> tuple[int, int]:
    return School.objects.count(), Domain.objects.count()


def test_provisioned_school_matches_template_catalog_and_is_seeded(school_a: Any) -> None:
    # given a school created through the provisioning path (session fixture)
    # when its catalog is compared with the template's
    built = schema_catalog(schema_name=school_a.schema_name)
    template = schema_catalog(schema_name="modele")
    # then the same relations exist, the school is active and its welcome news is there
    assert built == template
    assert built["r"] >= 3
    assert school_a.school.status == SchoolStatus.ACTIVE
    with school_a.active():
        assert NewsItem.objects.filter(title__contains=school_a.school.name).exists()


def test_provision_plans_then_creates_and_a_rerun_changes_nothing(provisioned_schools: Any, db: Any) -> None:
    # given an establishment with no school yet
    # when it is planned and created twice
    [school] = services.school_plan(uais=[UAI_C])
    assert school.status == SchoolStatus.PLANNED
    assert school.schema_name not in existing_schemas(prefix="etab_")
    first = services.school_schema_create(school_id=school.pk)
    ready_at = first.schema_ready_at
    again = services.school_plan(uais=[UAI_C.lower()])
    second = services.school_schema_create(school_id=school.pk)
    # then one school, one domain, one schema, opened once
    assert [s.pk for s in again] == [school.pk]
    assert second.schema_ready_at == ready_at
    assert second.status == SchoolStatus.ACTIVE
    assert Domain.objects.filter(tenant=school).count() == 1
    assert AuditEvent.objects.filter(action="school.provisioned", target_id=str(school.pk)).count() == 1
    with schema_context(school.schema_name):
        assert NewsItem.objects.count() == 1


@pytest.mark.parametrize(
    ("uai", "error"),
    [
        ("0570613A", errors.InvalidUai),  # wrong check letter
        ("57061", errors.InvalidUai),
        ("0579999J", errors.UnknownEstablishment),  # valid letter, not in the registry
    ],
)
def test_bad_uai_is_refused_and_nothing_is_written(
    provisioned_schools: Any, db: Any, uai: str, error: type
) -> None:
    # given the current counts
    before = _counts()
    # when a batch containing a bad UAI is planned
    with pytest.raises(error) as caught:
        services.school_plan(uais=[UAI_C, uai])
    # then a French message explains it, and not even the valid UAI of the batch was planned
    assert isinstance(caught.value, DomainError)
    assert caught.value.message
    assert caught.value.code in {"invalid_uai", "unknown_establishment"}
    assert _counts() == before


def test_a_domain_already_taken_is_refused(provisioned_schools: Any, db: Any) -> None:
    # given a host name already attached to another school
    other = School.objects.filter(is_template=False).first()
    Domain.objects.create(domain="0540516t.mbn.localhost", tenant=other, is_primary=False)
    before = _counts()
    # when the school that should own it is planned
    with pytest.raises(errors.DomainTaken):
        services.school_plan(uais=[UAI_C])
    # then nothing was added
    assert _counts() == before


def test_a_crash_mid_creation_leaves_no_active_school_and_a_rerun_resumes(
    provisioned_schools: Any, db: Any
) -> None:
    # given a planned school and a broken template script (as if the database failed mid-way)
    [school] = services.school_plan(uais=[UAI_C])
    good = services.template_script_refresh()
    broken = SchemaScript(
        fingerprint="broken", ddl=good.ddl + "\nSELECT * FROM table_qui_n_existe_pas;", table_count=0
    )
    # when creation fails
    with pytest.raises(Exception, match="table_qui_n_existe_pas"):
        services.school_schema_create(school_id=school.pk, script=broken)
    school.refresh_from_db()
    # then the schema was rolled back, the school is not active and says why
    assert school.status == SchoolStatus.PLANNED
    assert school.schema_ready_at is None
    assert "table_qui_n_existe_pas" in school.provisioning_error
    assert school.schema_name not in existing_schemas(prefix="etab_")
    # and a rerun with the right script opens it
    resumed = services.school_schema_create(school_id=school.pk)
    assert resumed.status == SchoolStatus.ACTIVE
    assert resumed.provisioning_error == ""


def test_many_schools_one_failing_does_not_stop_the_others(provisioned_schools: Any, db: Any) -> None:
    # given two planned schools, one of which points at a schema name that cannot be created
    planned = services.school_plan(uais=[UAI_C, "0554623B"])
    School.objects.filter(pk=planned[1].pk).update(schema_name="pg_interdit")
    done: list[tuple[int, str | None]] = []
    # when both are created
    failures = services.school_schemas_create(
        school_ids=[s.pk for s in planned], workers=1, on_done=lambda item, error: done.append((item, error))
    )
    # then the good one is open, the bad one reported with its reason
    assert set(failures) == {planned[1].pk}
    assert School.objects.get(pk=planned[0].pk).status == SchoolStatus.ACTIVE
    assert School.objects.get(pk=planned[1].pk).status == SchoolStatus.PLANNED
    assert len(done) == 2


def test_migrate_finds_no_school_behind_the_template(school_a: Any, school_b: Any) -> None:
    # given freshly provisioned schools
    from shared.tenancy.selectors import schemas_behind

    # when compared with the template in one query
    behind = schemas_behind(reference="modele", schema_names=[school_a.schema_name, school_b.schema_name])
    # then none needs migrating; a schema missing a migration row would
    assert behind == []
    with connection.cursor() as cursor:
        cursor.execute(f'DELETE FROM "{school_b.schema_name}".django_migrations WHERE app = %s', ["ent"])  # noqa: S608
    assert schemas_behind(reference="modele", schema_names=[school_a.schema_name, school_b.schema_name]) == [
        school_b.schema_name
    ]
