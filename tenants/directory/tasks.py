"""Background work of the directory."""

from __future__ import annotations

from mbn.tenancy import for_each_school, public_task, school_task


# Named in settings.MBN_AAF_IMPORT_TASK: the admin page (shared/) enqueues it by that dotted path.
@public_task(queue="imports", acks_late=True)
def aaf_import_run_task(*, run_id: int) -> None:
    from tenants.directory.aaf_import import AafImportRejected, aaf_import_run

    try:
        aaf_import_run(run_id=run_id)
    except AafImportRejected:
        return  # a refused file is an outcome, stored on the run for the admin page, not a task failure


@school_task(queue="default")
def people_departed_purge_task() -> None:
    from tenants.directory.gdpr import people_departed_purge

    people_departed_purge()


@public_task(queue="default")
def people_departed_purge_fanout_task() -> int:
    """Nightly (beat): one purge message per open school."""
    return for_each_school(people_departed_purge_task)


@public_task(queue="imports")
def directory_removals_apply_task() -> int:
    """Nightly (beat): people marked as gone from the AAF longer ago than the grace period leave their
    schools even when no import runs (summer holidays)."""
    from tenants.directory.aaf_import import directory_removals_apply

    return directory_removals_apply()
