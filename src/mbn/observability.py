"""Health probes, request ids, Prometheus metrics and JSON logs (ARCHITECTURE §13)."""

from __future__ import annotations

import hmac
import json
import logging
import time
import uuid
from collections.abc import Callable
from contextvars import ContextVar

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Histogram, generate_latest

request_id_var: ContextVar[str] = ContextVar("request_id", default="-")

REGISTRY = CollectorRegistry(auto_describe=True)
REQUEST_LATENCY = Histogram(
    "mbn_http_request_duration_seconds",
    "Latency of HTTP requests by route and school kind.",
    ["route", "method", "status", "school_kind"],
    registry=REGISTRY,
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)

Handler = Callable[[HttpRequest], HttpResponse]


def readiness() -> dict[str, str]:
    """Database and Redis each answer a trivial request; a failure names the component."""
    from django.core.cache import cache

    checks: dict[str, str] = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception as exc:
        checks["database"] = type(exc).__name__
    try:
        cache.set("readyz", "1", timeout=5)
        checks["redis"] = "ok" if cache.get("readyz") == "1" else "lost"
    except Exception as exc:
        checks["redis"] = type(exc).__name__
    return checks


class HealthMiddleware:
    """Answers the probes before any tenancy: they come from the pod IP with no school host."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path == "/healthz":
            return JsonResponse({"status": "ok"})
        if request.path == "/readyz":
            checks = readiness()
            ready = all(value == "ok" for value in checks.values())
            return JsonResponse(
                {"status": "ok" if ready else "unavailable", **checks}, status=200 if ready else 503
            )
        if request.path == "/metrics":
            return metrics_view(request)
        return self.get_response(request)


def metrics_view(request: HttpRequest) -> HttpResponse:
    """Prometheus exposition, behind a bearer token (the web port is public)."""
    token = settings.MBN_METRICS_TOKEN
    given = request.headers.get("Authorization", "").removeprefix("Bearer ")
    if not token or not hmac.compare_digest(given, token):
        return HttpResponse(status=404)
    return HttpResponse(generate_latest(REGISTRY), content_type=CONTENT_TYPE_LATEST)


class RequestIdMiddleware:
    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = request.headers.get("X-Request-Id", "")[:64] or uuid.uuid4().hex
        token = request_id_var.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
        response["X-Request-Id"] = request_id
        return response


class MetricsMiddleware:
    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        route = match.route if match is not None and match.route else "unmatched"
        school = getattr(request, "tenant", None)
        kind = school.establishment.kind if school is not None and school.establishment_id else "public"
        REQUEST_LATENCY.labels(route, request.method, str(response.status_code), kind).observe(
            time.perf_counter() - started
        )
        return response


class LogContextFilter(logging.Filter):
    """Adds the school schema and the request id to every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.schema = getattr(connection, "schema_name", "-")
        record.request_id = request_id_var.get()
        return True


class JsonFormatter(logging.Formatter):
    RESERVED = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
        "message",
        "schema",
        "request_id",
    }

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "at": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "event": record.getMessage(),
            "schema": getattr(record, "schema", "-"),
            "request_id": getattr(record, "request_id", "-"),
        }
        task_id = _celery_task_id()
        if task_id:
            entry["task_id"] = task_id
        entry.update({key: value for key, value in vars(record).items() if key not in self.RESERVED})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


def _celery_task_id() -> str | None:
    from celery import current_task

    return current_task.request.id if current_task and current_task.request else None
