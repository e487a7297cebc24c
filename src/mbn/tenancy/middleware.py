"""Hostname → school, through the cache: once warm, routing costs no query."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django_tenants.middleware.main import TenantMainMiddleware
from django_tenants.utils import get_public_schema_name, get_tenant_domain_model

logger = logging.getLogger(__name__)

ROUTE_TTL_SECONDS = 300
UNKNOWN = "unknown"


def route_cache_key(hostname: str) -> str:
    return f"school-by-host:{hostname}"


def _routes() -> Any:
    # A cache alias without the schema in its keys: routing happens before any school is chosen.
    return caches["routing"]


def route_forget(hostnames: list[str]) -> None:
    """Drop cached routes (after a domain or a status change)."""
    _routes().delete_many([route_cache_key(host) for host in hostnames])


class SchoolTenantMiddleware(TenantMainMiddleware):
    """Public hosts keep the public schema; school hosts enter their school; anything else is a 404."""

    def process_request(self, request: HttpRequest) -> HttpResponse | None:
        hostname = self.hostname_from_request(request)
        if hostname in settings.MBN_PUBLIC_HOSTS:
            _enter_public()
            request.tenant = None  # type: ignore[attr-defined]
            request.urlconf = settings.PUBLIC_SCHEMA_URLCONF
            return None
        school = self._cached_school(hostname)
        if school is None:
            _enter_public()
            return render(request, "errors/unknown_host.html", status=404)
        if school.status != "active":
            _enter_public()
            return render(request, "errors/school_unavailable.html", {"school": school}, status=503)
        school.domain_url = hostname
        request.tenant = school  # type: ignore[attr-defined]
        if connection.schema_name == school.schema_name:
            # Same school as this connection's previous request: keep its search path, no SET.
            connection.tenant = school
        else:
            connection.set_tenant(school)
        request.urlconf = settings.ROOT_URLCONF
        return None

    def get_tenant(self, domain_model: Any, hostname: str) -> Any:
        return domain_model.objects.select_related("tenant__establishment").get(domain=hostname).tenant

    def _cached_school(self, hostname: str) -> Any:
        Domain = get_tenant_domain_model()

        key = route_cache_key(hostname)
        school = _routes().get(key)
        if school is None:
            _enter_public()
            try:
                school = self.get_tenant(Domain, hostname)
            except Domain.DoesNotExist:
                school = UNKNOWN
            _routes().set(key, school, timeout=ROUTE_TTL_SECONDS)
        return None if school == UNKNOWN else school


def _enter_public() -> None:
    if connection.schema_name != get_public_schema_name():
        connection.set_schema_to_public()
