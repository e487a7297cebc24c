from __future__ import annotations

from mbn.tenancy import school_task


# acks_late: a worker lost mid-run re-delivers the message; the run, no longer queued, is left alone.
@school_task(queue="timetable", acks_late=True)
def generation_run_task(*, run_id: int) -> None:
    from tenants.timetable import services

    services.generation_run(run_id=run_id)


@school_task(queue="imports", acks_late=True)
def import_run_task(*, run_id: int) -> None:
    from tenants.timetable import import_services

    import_services.import_run_execute(run_id=run_id)


@school_task(queue="notifications")
def lesson_change_notify_task(*, change_id: int) -> None:
    from tenants.timetable import services

    services.lesson_change_notify(change_id=change_id)
