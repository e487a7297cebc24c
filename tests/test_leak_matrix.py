"""Every page and API call × every role of school A × school B's objects: no leak, no escalation, no 500."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

from django.test import Client

from shared.tenancy.models import RolloutWave, School
from tenants.directory.models import Role
from tenants.ent.models import NewsAudience
from tests.conftest import client_on
from tests.leak_matrix import SecretObject, providers, public_endpoints, school_endpoints
from tests.shared.accounts.factories import collectivity_admin
from tests.tenants.directory.factories import PersonFactory
from tests.tenants.ent.factories import NewsItemFactory

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
# Pages about the account itself, open to any logged-in account on any school host (they show no school data).
ACCOUNT_PAGES = {"contexte/": "the school picker: lists the account's own schools"}
REFUSED = {401, 403, 404, 405}


def _load_registrations() -> None:
    """Import every `tests/**/leak_objects.py`: modules register their objects there."""
    for path in sorted(Path(__file__).parent.rglob("leak_objects.py")):
        spec = importlib.util.spec_from_file_location(f"leak_objects_{path.parent.name}", path)
        assert spec is not None
        assert spec.loader is not None
        spec.loader.exec_module(importlib.util.module_from_spec(spec))


def _request(client: Client, method: str, url: str, kind: str) -> Any:
    if kind == "api":
        return client.generic(method, url, data="{}", content_type="application/json")
    return client.get(url) if method == "GET" else client.post(url, {})


def test_no_role_of_school_a_reaches_school_b_or_exceeds_its_rights(school_a: Any, school_b: Any) -> None:
    # given school B's objects, each carrying a distinctive marker
    _load_registrations()
    with school_b.active():
        NewsItemFactory(title="FUITE-B-publique", audience=NewsAudience.PUBLIC)
        NewsItemFactory(title="FUITE-B-membres")
        secrets: dict[str, SecretObject] = {name: make(school_b) for name, make in providers().items()}
        stranger = PersonFactory(roles=list(Role.values))
    markers = ["FUITE-B-publique", "FUITE-B-membres", *(secret.marker for secret in secrets.values())]
    ids = {name: secret.pk for name, secret in secrets.items()}
    # and one person per role in school A, plus A's own visible item
    with school_a.active():
        NewsItemFactory(title="propre-A", audience=NewsAudience.PUBLIC)
        actors: dict[str, Any] = {role: PersonFactory(roles=[role]).account for role in Role.values}
    actors["anonyme"] = None
    actors["membre-de-B"] = stranger.account
    endpoints = school_endpoints()
    cells = 0
    problems: list[str] = []

    # when each endpoint is called with each method by each actor on A's host
    for endpoint in endpoints:
        url = endpoint.url(ids)
        for method in endpoint.methods:
            for actor_name, account in actors.items():
                response = _request(client_on(school_a.host, account), method, url, endpoint.kind)
                cells += 1
                where = f"{method} {url} as {actor_name}: {response.status_code}"
                body = response.content.decode(errors="replace")
                # then no server error, no marker of B, and refusals where the role has no right
                if response.status_code >= 500:
                    problems.append(f"{where} server error")
                if any(marker in body for marker in markers):
                    problems.append(f"{where} shows school B's data")
                if endpoint.is_public:
                    continue
                outsider = actor_name in ("anonyme", "membre-de-B")
                if actor_name == "membre-de-B" and endpoint.path in ACCOUNT_PAGES:
                    continue
                if outsider and response.status_code not in REFUSED | {302}:
                    problems.append(f"{where} should be refused")
                allowed = endpoint.allowed_roles
                if (
                    not outsider
                    and allowed is not None
                    and method in WRITE_METHODS
                    and actor_name not in allowed
                    and response.status_code not in REFUSED
                ):
                    problems.append(f"{where} exceeds the role's rights")

    print(f"\nleak matrix (school hosts): {len(endpoints)} endpoints, {len(actors)} actors, {cells} calls")
    assert cells >= len(endpoints) * len(actors)
    assert problems == []
    # and A's own public item does show on A's home (an empty answer must not pass)
    assert "propre-A" in client_on(school_a.host).get("/").content.decode()


def test_no_collectivity_admin_reaches_another_collectivites_objects(
    school_a: Any, school_b: Any, public_host: str
) -> None:
    # given the Moselle admin (owns A) and the Région's school B with a Région wave
    wave = RolloutWave.objects.create(
        collectivite=school_b.school.establishment.owner,
        code="fuite-region",
        name="FUITE-vague-region",
        target_on="2027-09-01",
    )
    ids = {"school_id": school_b.school.pk, "wave_id": wave.pk}
    markers = [school_b.school.name, "FUITE-vague-region"]
    admin = collectivity_admin("D57")
    endpoints = public_endpoints()
    cells = 0
    problems: list[str] = []
    # when every public-host page is called with B's ids
    for endpoint in endpoints:
        url = endpoint.url(ids)
        for method in endpoint.methods:
            for actor_name, account in (("admin-D57", admin), ("anonyme", None)):
                # a fresh client per call: the logout page must not log the next calls out
                response = _request(client_on(public_host, account), method, url, "page")
                cells += 1
                where = f"{method} {url} as {actor_name}: {response.status_code}"
                body = response.content.decode(errors="replace")
                if response.status_code >= 500:
                    problems.append(f"{where} server error")
                if any(marker in body for marker in markers):
                    problems.append(f"{where} shows another collectivité's data")
                if not endpoint.is_public and actor_name == "anonyme" and response.status_code != 302:
                    problems.append(f"{where} should send to the login page")
    print(f"\nleak matrix (public host): {len(endpoints)} endpoints, 2 actors, {cells} calls")
    # then nothing leaked, and B's school is untouched
    assert problems == []
    assert School.objects.get(pk=school_b.school.pk).status == "active"
    assert school_a.school.name in client_on(public_host, admin).get("/collectivite/").content.decode()
