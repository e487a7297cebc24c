"""`mbn bench login`: full CAS logins (form, credentials, ticket, python-cas validation) per second."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import requests
from cas import CASClientV3

from shared.accounts.cas.services import cas_patterns_sync
from shared.accounts.models import Account

BENCH_USERNAME = "bench-sso"
BENCH_PASSWORD = "banc-de-mesure-sso-2026"  # noqa: S105 - a throwaway bench account, no rights


@dataclass(frozen=True)
class LoginBench:
    logins: int
    seconds: float
    baseline_requests: int
    baseline_seconds: float


def bench_account_ensure() -> None:
    """A bench account without any school or role (no second factor), and our hosts' CAS patterns."""
    cas_patterns_sync()
    account = Account.objects.filter(username=BENCH_USERNAME).first() or Account(username=BENCH_USERNAME)
    account.set_password(BENCH_PASSWORD)
    account.is_active = True
    account.save()


def login_round_trip(*, base: str, service: str) -> None:
    """One fresh browser's login: GET the form, POST credentials, validate the ticket server-side."""
    session = requests.Session()
    form = session.get(f"{base}/cas/login", params={"service": service}, timeout=10)
    found = re.search(r'name="lt" value="([^"]+)"', form.text)
    if found is None:
        raise RuntimeError("formulaire de connexion CAS introuvable")
    answer = session.post(
        f"{base}/cas/login",
        data={
            "username": BENCH_USERNAME,
            "password": BENCH_PASSWORD,
            "lt": found.group(1),
            "service": service,
            "csrfmiddlewaretoken": session.cookies.get("csrftoken", ""),
        },
        headers={"Referer": f"{base}/cas/login"},
        allow_redirects=False,
        timeout=10,
    )
    ticket = parse_qs(urlsplit(answer.headers.get("Location", "")).query).get("ticket", [""])[0]
    user, _, _ = CASClientV3(service_url=service, server_url=f"{base}/cas/").verify_ticket(ticket)
    if not user:
        raise RuntimeError("ticket refusé pendant le banc")


def bench_run(*, base: str, seconds: float) -> LoginBench:
    service = f"{base}/connexion/retour?next=%2F"
    started = time.perf_counter()
    logins = 0
    while time.perf_counter() - started < seconds:
        login_round_trip(base=base, service=service)
        logins += 1
    login_seconds = time.perf_counter() - started
    session = requests.Session()
    started = time.perf_counter()
    requests_done = 0
    while time.perf_counter() - started < seconds:
        session.get(f"{base}/healthz", timeout=10).raise_for_status()
        requests_done += 1
    return LoginBench(logins, login_seconds, requests_done, time.perf_counter() - started)
