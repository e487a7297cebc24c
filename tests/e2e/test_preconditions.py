"""What the browser tests stand on. It also makes pytest-django create the test database when only
tests/e2e is selected (it sets up databases for the tests that use `db`, and browser tests must not)."""

from __future__ import annotations

from typing import Any

from shared.tenancy.models import School


def test_two_open_schools_with_their_hosts(db: Any, provisioned_schools: dict[str, School]) -> None:
    schools = School.objects.filter(pk__in=[school.pk for school in provisioned_schools.values()])
    assert sorted(schools.values_list("status", flat=True)) == ["active", "active"]
    assert all(school.domains.exists() for school in schools)
