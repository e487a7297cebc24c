"""Fixtures every test stands on: the public schema, two real school schemas, clients per host."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from django.conf import settings
from django.core.cache import cache, caches
from django.db import connection
from django.test import Client
from django_tenants.utils import schema_context

from mbn.tenancy import public_schema_enter
from shared.tenancy.models import School

UAI_A = "0570613G"  # collège, Moselle (owned by the Département de la Moselle)
UAI_B = "0573458Z"  # lycée polyvalent, Moselle (owned by the Région)


@dataclass(frozen=True)
class SchoolHandle:
    school: School

    @property
    def host(self) -> str:
        return f"{self.school.slug}.{settings.MBN_BASE_DOMAIN}"

    @property
    def schema_name(self) -> str:
        return self.school.schema_name

    @contextmanager
    def active(self) -> Iterator[School]:
        with schema_context(self.school.schema_name):
            yield self.school


@pytest.fixture(scope="session")
def provisioned_schools(django_db_setup: Any, django_db_blocker: Any) -> dict[str, School]:
    """Region loaded and two schools created through the real provisioning path, once per session."""
    from shared.catalogue.services import region_load
    from shared.tenancy import services

    with django_db_blocker.unblock():
        region_load()
        services.template_ensure()
        schools = services.school_plan(uais=[UAI_A, UAI_B])
        services.school_schemas_create(school_ids=[s.pk for s in schools], workers=1, on_done=lambda *_: None)
        return {school.slug.upper(): School.objects.get(pk=school.pk) for school in schools}


@pytest.fixture(autouse=True)
def _fresh_state() -> None:
    """Each test starts in the public schema with an empty cache (routing entries included)."""
    public_schema_enter()
    cache.clear()
    caches["routing"].clear()


@pytest.fixture
def school_a(provisioned_schools: dict[str, School], db: Any) -> SchoolHandle:
    return SchoolHandle(School.objects.get(pk=provisioned_schools[UAI_A].pk))


@pytest.fixture
def school_b(provisioned_schools: dict[str, School], db: Any) -> SchoolHandle:
    return SchoolHandle(School.objects.get(pk=provisioned_schools[UAI_B].pk))


@pytest.fixture
def public_host() -> str:
    return settings.MBN_PUBLIC_HOSTS[0]


def client_on(host: str, account: Any = None) -> Client:
    client = Client(HTTP_HOST=host)
    if account is not None:
        client.force_login(account)
    return client


@pytest.fixture
def api_as() -> Callable[[Any, SchoolHandle], Client]:
    """A client logged in as this person's account, on this school's host."""

    def make(person: Any, school: SchoolHandle) -> Client:
        return client_on(school.host, person.account if person is not None else None)

    return make


def end_other_sessions() -> None:
    """End the sessions that server or worker threads left open, so the test database can be dropped."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
