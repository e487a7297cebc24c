from __future__ import annotations

from mbn.tenancy import school_task


# acks_late: a worker lost mid-run re-delivers the message; the run, no longer queued, is left alone.
@school_task(queue="timetable", acks_late=True)
def generation_run_task(*, run_id: int) -> None:
    from tenants.timetable import services

    services.generation_run(run_id=run_id)
