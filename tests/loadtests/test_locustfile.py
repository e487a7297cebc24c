"""The load test kit: personas, shape, host list; and `mbn bench provision` end to end on a few schools.

Locust monkey-patches the standard library with gevent when imported, so it is only ever imported in a
child interpreter here, never in the test process.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.conf import settings

from loadtests.hosts import hosts_from_database, hosts_from_file, hosts_load
from shared.tenancy.bench import BENCH_WAVE_CODE, school_hosts
from tests.conftest import SchoolHandle

REPO_ROOT = Path(__file__).resolve().parents[2]

INSPECT_LOCUSTFILE = """
import json, sys
sys.path.insert(0, "loadtests")
import locustfile, shapes
from locust import FastHttpUser

class Clock(shapes.MondayBellShape):
    now = 0.0
    def get_run_time(self):
        return self.now

shape = Clock()
ticks = []
for second in range(0, 400, 5):
    shape.now = float(second)
    ticks.append(shape.tick())
print(json.dumps({
    "visitor_is_fast": issubclass(locustfile.SchoolVisitor, FastHttpUser),
    "ceiling_is_fast": issubclass(locustfile.CeilingUser, FastHttpUser),
    "visitor_tasks": sorted({t.__name__ for t in locustfile.SchoolVisitor.tasks}),
    "ceiling_tasks": sorted({t.__name__ for t in locustfile.CeilingUser.tasks}),
    "ticks": ticks,
}))
"""


def _child_env(**extra: str) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(REPO_ROOT), **extra}


def test_locustfile_declares_the_school_visitor_and_the_ceiling_and_a_bounded_shape() -> None:
    # given the locustfile and the shapes, imported in a child interpreter (gevent patching stays there)
    env = _child_env(MBN_LOADTEST_SHAPE_SECONDS="180", MBN_LOADTEST_PEAK_USERS="60")
    # when their classes are inspected and the shape is run through a 400 s clock
    result = subprocess.run(
        [sys.executable, "-c", INSPECT_LOCUSTFILE], cwd=REPO_ROOT, env=env, capture_output=True, text=True,
        check=True, timeout=60,
    )  # fmt: skip
    found = json.loads(result.stdout.strip().splitlines()[-1])
    # then both personas are FastHttpUsers with their routes
    assert found["visitor_is_fast"]
    assert found["ceiling_is_fast"]
    assert found["visitor_tasks"] == ["home", "school_identity"]
    assert found["ceiling_tasks"] == ["healthz"]
    # and the Monday bell peaks at the configured users, then stops by itself within its duration
    users = [tick[0] for tick in found["ticks"] if tick is not None]
    assert max(users) == 60
    assert users[0] < max(users)
    assert found["ticks"][-1] is None
    assert found["ticks"].index(None) * 5 <= 180


def test_host_list_comes_from_the_provisioned_schools(school_a: SchoolHandle, school_b: SchoolHandle) -> None:
    # given two schools created through the real provisioning path
    # when the load test asks the database for the school hosts
    hosts = hosts_from_database()
    # then both schools' hosts are there, and only open schools' primary hosts
    assert school_a.host in hosts
    assert school_b.host in hosts
    assert hosts == school_hosts()
    assert all(host.endswith("." + settings.MBN_BASE_DOMAIN) for host in hosts)


def test_host_list_from_a_file_wins_over_the_database(tmp_path: Path) -> None:
    # given a hosts file with a comment and a blank line
    hosts_file = tmp_path / "hosts.txt"
    hosts_file.write_text("# écoles\nA.mbn.localhost\n\nb.mbn.localhost\n")
    # when the host list is loaded from it, with and without a limit
    # then the hosts come back normalised, in order, without touching the database
    assert hosts_from_file(hosts_file) == ["a.mbn.localhost", "b.mbn.localhost"]
    assert hosts_load(hosts_file=str(hosts_file), limit=1) == ["a.mbn.localhost"]


def _test_database_url() -> str:
    db: dict[str, Any] = settings.DATABASES["default"]
    user = quote(db.get("USER") or "")
    password = f":{quote(db['PASSWORD'])}" if db.get("PASSWORD") else ""
    credentials = f"{user}{password}@" if user else ""
    host = db.get("HOST") or ""
    if host.startswith("/"):  # unix socket directory (embedded PostgreSQL)
        return f"postgresql://{credentials}/{db['NAME']}?host={quote(host)}"
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgresql://{credentials}{host}{port}/{db['NAME']}"


def test_bench_provision_creates_and_drops_three_schools(
    provisioned_schools: Any, django_db_blocker: Any
) -> None:
    # given the test database (committed region and two schools) reached from a child process
    env = _child_env(DATABASE_URL=_test_database_url())
    # when `mbn bench provision --schools 3 --drop --json` runs
    result = subprocess.run(
        [str(Path(sys.executable).parent / "mbn"), "bench", "provision", "--schools", "3", "--workers", "2",
         "--drop", "--json"],
        cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    # then three schools were created through the real path, compared with a baseline of the same run
    assert figures["schools"] == 3
    assert figures["created"] == 3
    assert figures["failures"] == 0
    assert figures["per_school_ms"] > 0
    assert figures["baseline_per_school_ms"] > 0
    assert figures["ratio"] == pytest.approx(
        figures["per_school_ms"] / figures["baseline_per_school_ms"], abs=0.01
    )
    # and --drop removed them: no benchmark school nor schema is left, the fixture schools are untouched
    from shared.tenancy.models import School
    from shared.tenancy.selectors import existing_schemas

    with django_db_blocker.unblock():
        assert not School.objects.filter(wave__code=BENCH_WAVE_CODE).exists()
        schemas = existing_schemas(prefix="etab_")
        assert {school.schema_name for school in provisioned_schools.values()} <= schemas
        assert School.objects.filter(is_template=False, schema_ready_at__isnull=False).count() == len(schemas)
