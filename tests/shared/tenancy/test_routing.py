from __future__ import annotations

from typing import Any

from shared.tenancy import services
from tests.conftest import client_on
from tests.shared.accounts.factories import collectivity_admin


def test_each_school_host_serves_its_own_school(school_a: Any, school_b: Any) -> None:
    # when each host's home page is opened
    page_a = client_on(school_a.host).get("/")
    page_b = client_on(school_b.host).get("/")
    # then each shows its own name and not the other's
    assert page_a.status_code == 200
    assert school_a.school.name in page_a.content.decode()
    assert school_b.school.name not in page_a.content.decode()
    assert school_b.school.name in page_b.content.decode()


def test_unknown_host_gets_a_french_404_that_names_no_school(school_a: Any) -> None:
    # when a host that belongs to no school is asked
    response = client_on("9999999z.mbn.localhost").get("/")
    # then a plain French 404
    assert response.status_code == 404
    assert "ne correspond à aucun établissement" in response.content.decode()
    assert school_a.school.name not in response.content.decode()


def test_routing_costs_no_query_once_warm(school_a: Any, django_assert_num_queries: Any) -> None:
    # given a first request that warms the route cache
    client = client_on(school_a.host)
    assert client.get("/api/v1/school").status_code == 200
    # when the same host is asked again, then neither routing nor the identity endpoint queries the database
    with django_assert_num_queries(0):
        response = client.get("/api/v1/school")
    assert response.json()["uai"] == school_a.school.establishment.uai


def test_suspended_school_answers_503_at_once_and_reopens(
    school_a: Any, django_capture_on_commit_callbacks: Any
) -> None:
    # given a warm route and the collectivité's admin
    client = client_on(school_a.host)
    assert client.get("/").status_code == 200
    admin = collectivity_admin("D57")
    # when the school is suspended (the cached route is dropped on commit)
    with django_capture_on_commit_callbacks(execute=True):
        services.school_suspend(actor=admin, school=school_a.school, reason="maintenance")
    suspended = client.get("/")
    # then the host answers the French "suspendu" page
    assert suspended.status_code == 503
    assert "suspendu" in suspended.content.decode()
    # and reactivation opens it again
    with django_capture_on_commit_callbacks(execute=True):
        services.school_reactivate(actor=admin, school=school_a.school)
    assert client.get("/").status_code == 200


def test_planned_school_says_soon_available(provisioned_schools: Any, db: Any) -> None:
    # given a planned school without schema
    [school] = services.school_plan(uais=["0540516T"])
    # when its host is opened, then "bientôt disponible"
    response = client_on(f"{school.slug}.mbn.localhost").get("/")
    assert response.status_code == 503
    assert "bientôt disponible" in response.content.decode()


def test_health_and_readiness_need_no_school_host(db: Any) -> None:
    # when the probes are called on a pod address
    health = client_on("10.0.0.7").get("/healthz")
    ready = client_on("10.0.0.7").get("/readyz")
    # then both answer, the readiness probe having checked the database and Redis
    assert health.json() == {"status": "ok"}
    assert ready.status_code == 200
    assert ready.json() == {"status": "ok", "database": "ok", "redis": "ok"}


def test_metrics_need_the_token(school_a: Any, settings: Any) -> None:
    # given a token and one request served
    settings.MBN_METRICS_TOKEN = "jeton-metriques"
    client_on(school_a.host).get("/api/v1/school")
    # when metrics are read without, then with the token
    anonymous = client_on("10.0.0.7").get("/metrics")
    allowed = client_on("10.0.0.7").get("/metrics", HTTP_AUTHORIZATION="Bearer jeton-metriques")
    # then hidden without; with it, the latency of the route labelled by school kind
    assert anonymous.status_code == 404
    body = allowed.content.decode()
    assert 'mbn_http_request_duration_seconds_count{method="GET",route="api/v1/school"' in body
    assert 'school_kind="college"' in body
