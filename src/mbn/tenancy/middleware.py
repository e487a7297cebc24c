"""Hostname → school, through the cache: once warm, routing costs no query."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django_tenants.middleware.main import TenantMainMiddleware
from django_tenants.utils import get_tenant_domain_model

from mbn.tenancy import public_schema_enter, school_enter

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
            public_schema_enter()
            request.tenant = None  # type: ignore[attr-defined]
            request.urlconf = settings.PUBLIC_SCHEMA_URLCONF
            return None
        school = self._cached_school(hostname)
        if school is None:
            public_schema_enter()
            return render(request, "errors/unknown_host.html", status=404)
        if school.status != "active":
            public_schema_enter()
            return render(request, "errors/school_unavailable.html", {"school": school}, status=503)
        school.domain_url = hostname
        request.tenant = school  # type: ignore[attr-defined]
        school_enter(school)  # same school as this connection's previous request: no SET
        request.urlconf = settings.ROOT_URLCONF
        return None

    def get_tenant(self, domain_model: Any, hostname: str) -> Any:
        return domain_model.objects.select_related("tenant__establishment").get(domain=hostname).tenant

    def _cached_school(self, hostname: str) -> Any:
        Domain = get_tenant_domain_model()

        key = route_cache_key(hostname)
        school = _routes().get(key)
        if school is None:
            public_schema_enter()
            try:
                school = self.get_tenant(Domain, hostname)
            except Domain.DoesNotExist:
                school = UNKNOWN
            _routes().set(key, school, timeout=ROUTE_TTL_SECONDS)
        return None if school == UNKNOWN else school
