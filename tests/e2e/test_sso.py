"""Single sign-on against a running server: python-cas round trips; one login, two schools (Chromium)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from cas import CASClientV3
from playwright.sync_api import expect

from shared.accounts.models import Account, SchoolAccess
from shared.tenancy.models import School
from tenants.directory.models import Person, Role
from tenants.directory.services import person_enrol
from tests.shared.accounts.factories import account_make

pytestmark = pytest.mark.e2e
PASSWORD = "mot-de-passe-de-test"
USERNAME = "sso-prof-e2e"


@pytest.fixture
def teacher_in_two_schools(
    django_db_blocker: Any, provisioned_schools: dict[str, School]
) -> Iterator[Account]:
    """Committed (the live server has its own connection), removed afterwards."""
    from cas_server.models import ServiceTicket, User
    from django_tenants.utils import schema_context

    from shared.accounts.cas.services import cas_patterns_sync

    with django_db_blocker.unblock():
        cas_patterns_sync()
        account = account_make(username=USERNAME, first_name="Paul", last_name="Durand")
        for school in provisioned_schools.values():
            with schema_context(school.schema_name):
                person_enrol(account=account, roles=[Role.TEACHER])
        yield account
        for school in provisioned_schools.values():
            with schema_context(school.schema_name):
                Person.objects.filter(account_id=account.pk).delete()
        ServiceTicket.objects.filter(user__username=USERNAME).delete()
        User.objects.filter(username=USERNAME).delete()
        SchoolAccess.objects.filter(account=account).delete()
        account.delete()


def _ticket_for(base: str, service: str) -> str:
    """A browser-less CAS login: form, credentials, redirect carrying the service ticket."""
    session = requests.Session()
    form = session.get(f"{base}/cas/login", params={"service": service}, timeout=10)
    lt = re.search(r'name="lt" value="([^"]+)"', form.text)
    assert lt
    answer = session.post(
        f"{base}/cas/login",
        data={
            "username": USERNAME,
            "password": PASSWORD,
            "lt": lt.group(1),
            "service": service,
            "csrfmiddlewaretoken": session.cookies["csrftoken"],
        },
        headers={"Referer": f"{base}/cas/login"},
        allow_redirects=False,
        timeout=10,
    )
    assert answer.status_code == 302, answer.text[:300]
    return parse_qs(urlsplit(answer.headers["Location"]).query)["ticket"][0]


def test_python_cas_validates_a_ticket_once_against_the_running_server(
    live_port: int, teacher_in_two_schools: Account, provisioned_schools: dict[str, School]
) -> None:
    # given a service ticket issued for school A's host by the running CAS server
    base = f"http://mbn.localhost:{live_port}"
    school = provisioned_schools["0570613G"]
    service = f"http://{school.slug}.mbn.localhost:{live_port}/connexion/retour?next=%2F"
    ticket = _ticket_for(base, service)
    client = CASClientV3(service_url=service, server_url=f"{base}/cas/")
    # when python-cas validates it (CAS 3.0), then again
    user, attributes, _ = client.verify_ticket(ticket)
    again, _, _ = client.verify_ticket(ticket)
    raw = requests.get(
        f"{base}/cas/serviceValidate", params={"service": service, "ticket": ticket}, timeout=10
    )
    # then the first time names the account with its attributes, then INVALID_TICKET
    assert user == str(teacher_in_two_schools.uid)
    assert attributes["ENTPersonLogin"] == USERNAME
    assert attributes["ENTPersonProfils"] == "National_ENS"
    assert sorted(attributes["ENTPersonStructRattachRNE"]) == sorted(provisioned_schools)
    assert again is None
    assert 'code="INVALID_TICKET"' in raw.text


def test_one_login_opens_two_schools_and_single_logout_closes_both(
    page: Any, live_port: int, teacher_in_two_schools: Account, provisioned_schools: dict[str, School]
) -> None:
    base = f"http://mbn.localhost:{live_port}"
    school_a, school_b = (
        f"http://{provisioned_schools[uai].slug}.mbn.localhost:{live_port}"
        for uai in ("0570613G", "0573458Z")
    )
    # given the teacher logs in once, on the public host
    page.goto(f"{base}/compte/etablissements/")
    expect(page.get_by_role("heading", name="Connexion")).to_be_visible()
    page.get_by_label("Identifiant").fill(USERNAME)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("heading", name="Mes établissements")).to_be_visible()
    expect(page.get_by_role("link", name=provisioned_schools["0573458Z"].name)).to_be_visible()
    # when they open a page of school A, then of school B (both need a login)
    page.goto(f"{school_a}/contexte/")
    expect(page.get_by_role("heading", name="Mon contexte")).to_be_visible()
    expect(page.get_by_text("(établissement affiché)")).to_be_visible()
    page.goto(f"{school_b}/contexte/")
    # then both open without a second password prompt
    expect(page.get_by_role("heading", name="Mon contexte")).to_be_visible()
    expect(page.get_by_label("Mot de passe")).to_have_count(0)
    # and logging out on school B ends the CAS session and school A's session (single logout)
    page.get_by_role("button", name="Se déconnecter").click()
    expect(page.get_by_role("link", name="Se connecter")).to_be_visible()
    page.goto(f"{base}/compte/etablissements/")
    expect(page.get_by_role("heading", name="Connexion")).to_be_visible()
    page.goto(f"{school_a}/contexte/")
    expect(page.get_by_role("heading", name="Connexion")).to_be_visible()
