"""A school task through the real broker and a real worker: it reads and writes its own school only."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from celery.contrib.testing.worker import start_worker
from django_tenants.utils import schema_context

from mbn.celery import app
from mbn.tenancy import current_schema, school_task
from tenants.ent.models import NewsItem
from tests.conftest import end_other_sessions


@school_task(queue="default", ignore_result=False)
def news_title_copy_task(*, news_id: int) -> str:
    """Copies one news item of the current school; returns the schema it ran in."""
    item = NewsItem.objects.get(pk=news_id)
    NewsItem.objects.get_or_create(title=f"copie worker de {item.title}")
    return current_schema()


@pytest.fixture
def worker(provisioned_schools: Any, django_db_blocker: Any) -> Iterator[None]:
    """A Celery worker thread consuming the real Redis broker, with results in Redis."""
    app.conf.task_always_eager = False
    try:
        with django_db_blocker.unblock():
            with start_worker(app, pool="solo", perform_ping_check=False, queues=["default"]):
                yield
            end_other_sessions()
    finally:
        app.conf.task_always_eager = True


def test_task_sent_from_school_a_runs_in_a_through_a_real_worker(
    worker: None, provisioned_schools: Any, django_db_blocker: Any
) -> None:
    # given an item committed in A (the worker has its own connection) and the same title absent in B
    school_a, school_b = provisioned_schools["0570613G"], provisioned_schools["0573458Z"]
    with django_db_blocker.unblock():
        with schema_context(school_a.schema_name):
            item = NewsItem.objects.create(title="worker-A")
        try:
            # when the task is sent through the broker with A's schema
            result = news_title_copy_task.apply_async(
                kwargs={"schema_name": school_a.schema_name, "news_id": item.pk}
            )
            ran_in = result.get(timeout=60)
            # then it ran in A, wrote in A, and B is untouched
            assert ran_in == school_a.schema_name
            with schema_context(school_a.schema_name):
                assert NewsItem.objects.filter(title="copie worker de worker-A").count() == 1
            with schema_context(school_b.schema_name):
                assert not NewsItem.objects.filter(title__startswith="copie worker").exists()
        finally:
            with schema_context(school_a.schema_name):
                NewsItem.objects.filter(title__in=["worker-A", "copie worker de worker-A"]).delete()
