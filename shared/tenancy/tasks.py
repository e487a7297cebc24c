from __future__ import annotations

from mbn.tenancy import public_task


@public_task(queue="provisioning", acks_late=True)
def school_schema_create_task(*, school_id: int) -> None:
    from shared.tenancy import services

    services.school_schema_create(school_id=school_id)
