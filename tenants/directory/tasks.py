"""Background work of the directory."""

from __future__ import annotations

from mbn.tenancy import for_each_school, public_task, school_task


@school_task(queue="default")
def people_departed_purge_task() -> None:
    from tenants.directory.gdpr import people_departed_purge

    people_departed_purge()


@public_task(queue="default")
def people_departed_purge_fanout_task() -> int:
    """Nightly (beat): one purge message per open school."""
    return for_each_school(people_departed_purge_task)
