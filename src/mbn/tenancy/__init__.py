"""Kernel floor for school tenancy: schema context for tasks, on-commit enqueueing, fan-out helpers."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from typing import Any, ParamSpec, TypeVar

from django.db import connection, transaction
from django_tenants.utils import get_public_schema_name, schema_context

P = ParamSpec("P")
R = TypeVar("R")


# Task name → queue, read by the Celery router (mbn.celery); a task attribute `queue` is deprecated in Celery.
TASK_QUEUES: dict[str, str] = {}


def task_queue(name: str, *args: Any, **kwargs: Any) -> dict[str, str]:
    """Celery task router: the queue a task was declared with."""
    return {"queue": TASK_QUEUES.get(name, "default")}


class PublicSchemaEnqueue(RuntimeError):
    """A school task was enqueued from the public schema: it would not know which school to enter."""


def school_task(*, queue: str = "default", **task_options: Any) -> Callable[[Callable[..., R]], Any]:
    """Celery task that runs inside one school's schema, given as the `schema_name` keyword argument.

    The body receives only ids: messages sit in Redis and must not carry personal data.
    """

    def decorate(func: Callable[..., R]) -> Any:
        from celery import shared_task

        @functools.wraps(func)
        def run(*, schema_name: str, **ids: Any) -> R:
            with schema_context(schema_name):
                return func(**ids)

        name = f"{func.__module__}.{func.__name__}"
        TASK_QUEUES[name] = queue
        return shared_task(name=name, **task_options)(run)

    return decorate


def public_task(*, queue: str = "default", **task_options: Any) -> Callable[[Callable[..., R]], Any]:
    """Celery task that runs in the public schema (rollout, fan-outs)."""

    def decorate(func: Callable[..., R]) -> Any:
        from celery import shared_task

        @functools.wraps(func)
        def run(**ids: Any) -> R:
            with schema_context(get_public_schema_name()):
                return func(**ids)

        name = f"{func.__module__}.{func.__name__}"
        TASK_QUEUES[name] = queue
        return shared_task(name=name, **task_options)(run)

    return decorate


def enqueue_on_commit(task: Any, **ids: Any) -> None:
    """Send a school task after COMMIT, stamped with the current school's schema."""
    schema_name = current_schema()
    if schema_name == get_public_schema_name():
        raise PublicSchemaEnqueue(task.name)
    transaction.on_commit(lambda: task.apply_async(kwargs={"schema_name": schema_name, **ids}))


def enqueue_public_on_commit(task: Any, **ids: Any) -> None:
    """Send a public-schema task after COMMIT."""
    transaction.on_commit(lambda: task.apply_async(kwargs=ids))


def tenant_connection() -> Any:
    """The default connection, as django-tenants extends it (schema_name, tenant, set_tenant…).

    django-tenants ships no type stubs; this is the one place that says so.
    """
    return connection


def public_schema_enter() -> None:
    """Point the connection at the public schema (the search path is set again on the next query)."""
    db = tenant_connection()
    if db.schema_name != get_public_schema_name():
        db.set_schema_to_public()


def school_enter(school: Any) -> None:
    """Point the connection at a school; a connection already there keeps its search path (no SET)."""
    db = tenant_connection()
    if db.schema_name == school.schema_name:
        db.tenant = school
    else:
        db.set_tenant(school)


def current_schema() -> str:
    return str(tenant_connection().schema_name)


def iter_schemas(schema_names: list[str]) -> Iterator[str]:
    """Enter each schema in turn, leaving the connection in the public schema afterwards."""
    for name in schema_names:
        with schema_context(name):
            yield name


def run_parallel(
    func: Callable[[Any], Any], items: list[Any], *, workers: int, on_done: Callable[[Any, str | None], None]
) -> dict[Any, str]:
    """Run `func(item)` over items in `workers` forked processes, each with its own database connection.

    `on_done(item, error)` is called in this process as each item finishes; returns {item: error} for
    failures, so one school that fails never stops the others.
    """
    from concurrent.futures import ProcessPoolExecutor, as_completed
    from multiprocessing import get_context

    from django.db import connections

    failures: dict[Any, str] = {}
    if workers <= 1 or len(items) <= 1:
        for item in items:
            error = _run_one(func, item)
            if error:
                failures[item] = error
            on_done(item, error)
        return failures
    connections.close_all()  # children must not share the parent's socket
    with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("fork")) as pool:
        futures = {pool.submit(_run_one, func, item): item for item in items}
        for future in as_completed(futures):
            item = futures[future]
            error = future.result()
            if error:
                failures[item] = error
            on_done(item, error)
    return failures


def _run_one(func: Callable[[Any], Any], item: Any) -> str | None:
    try:
        func(item)
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"
    return None


def for_each_school(task: Any, **ids: Any) -> int:
    """Fan out: one message per open school, each entering its own schema (never one task over all)."""
    from django_tenants.utils import get_tenant_model

    schema_names = (
        get_tenant_model()
        .objects.filter(status="active", schema_ready_at__isnull=False)
        .values_list("schema_name", flat=True)
    )
    count = 0
    for schema_name in schema_names.iterator():
        task.apply_async(kwargs={"schema_name": schema_name, **ids})
        count += 1
    return count
