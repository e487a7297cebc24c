"""The Celery app. Tasks enter their school with `schema_name` (mbn.tenancy.school_task)."""

from __future__ import annotations

import os

from celery import Celery
from celery.schedules import crontab
from kombu import Queue

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mbn.settings")

app = Celery("mbn")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.task_queues = [
    Queue(name) for name in ("default", "notifications", "imports", "provisioning", "timetable")
]
app.conf.task_routes = ("mbn.tenancy.task_queue",)
app.conf.beat_schedule = {
    # RGPD: erase the people who left a school longer ago than the retention delay.
    # AAF: second step of the two-step removal, for people missing from the feed past the grace period.
    "directory-removals-apply": {
        "task": "tenants.directory.tasks.directory_removals_apply_task",
        "schedule": crontab(hour=3, minute=0),
    },
    "people-departed-purge": {
        "task": "tenants.directory.tasks.people_departed_purge_fanout_task",
        "schedule": crontab(hour=2, minute=30),
    },
}
app.autodiscover_tasks()
