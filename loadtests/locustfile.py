"""Load test personas for Mon Bureau Numérique (run only against our own hosts, loopback in dev).

Requests go to one address (`--host http://127.0.0.1:8000`); the school is chosen by the Host header, so
one server serves every school as in production. Stats are grouped by route (`name=`), not by host.

    locust -f loadtests/locustfile.py --hosts-file /tmp/mbn-hosts.txt --host http://127.0.0.1:8000 \\
        --headless -u 50 -r 50 -t 20s SchoolVisitor
"""

from __future__ import annotations

import os
import random
from typing import Any

from locust import FastHttpUser, between, events, task
from locust.env import Environment

try:  # `locust -f loadtests/locustfile.py` puts loadtests/ on sys.path; pytest imports it as a module
    from hosts import hosts_load
except ImportError:  # pragma: no cover - imported as loadtests.locustfile
    from loadtests.hosts import hosts_load

SCHOOL_HOSTS: list[str] = []
MIN_SCHOOLS = 50
# Think time between requests, up to this many seconds; `mbn bench http` sets 0 to saturate the server.
WAIT_MAX_SECONDS = float(os.environ.get("MBN_LOADTEST_WAIT_MAX", "1.0"))


@events.init_command_line_parser.add_listener
def _arguments(parser: Any) -> None:
    parser.add_argument("--hosts-file", default="", help="one school host name per line")
    parser.add_argument("--schools", type=int, default=0, help="visit at most this many schools (0: all)")


@events.init.add_listener
def _hosts(environment: Environment, **_: Any) -> None:
    """Load the school hosts once per Locust process (for SchoolVisitor only: the ceiling needs none)."""
    options = environment.parsed_options
    classes = {user.__name__ for user in environment.user_classes}
    if "SchoolVisitor" not in classes:
        return
    hosts = hosts_load(
        hosts_file=getattr(options, "hosts_file", "") or None, limit=getattr(options, "schools", 0) or None
    )
    if not hosts:
        raise RuntimeError("no school host: give --hosts-file or run `mbn demo --no-serve` first")
    if len(hosts) < MIN_SCHOOLS:
        print(f"attention : {len(hosts)} établissements seulement (au moins {MIN_SCHOOLS} conseillés)")
    SCHOOL_HOSTS[:] = hosts


class SchoolVisitor(FastHttpUser):
    """Someone opening a school's portal: the home page, then the school's identity from the API."""

    wait_time = between(0, WAIT_MAX_SECONDS)

    def on_start(self) -> None:
        self.school_host = random.choice(SCHOOL_HOSTS)

    @task(2)
    def home(self) -> None:
        self._get("/", name="/")

    @task(1)
    def school_identity(self) -> None:
        self._get("/api/v1/school", name="/api/v1/school")

    def _get(self, path: str, *, name: str) -> None:
        # A visitor moves on to another school now and then, so that every school stays warm in the test.
        if random.random() < 0.2:
            self.school_host = random.choice(SCHOOL_HOSTS)
        self.client.get(path, headers={"Host": self.school_host}, name=name)


class CeilingUser(FastHttpUser):
    """The trivial probe answered before any tenancy: what the server and Locust can do at best here."""

    wait_time = between(0, WAIT_MAX_SECONDS)

    @task
    def healthz(self) -> None:
        self.client.get("/healthz", name="/healthz")
