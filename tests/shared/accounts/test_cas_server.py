"""Our CAS server over `Account`: service registry, tickets, attributes, refusals (Django test client)."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from cas_server.models import ServicePattern, ServiceTicket
from django.test import Client
from django.utils import timezone

from mbn.audit.models import AuditEvent
from shared.accounts.cas.services import cas_patterns_sync, cas_service_register
from shared.accounts.errors import CasServiceNotCas
from shared.catalogue.models import Service
from tenants.directory.models import Role
from tenants.directory.services import person_enrol
from tests.shared.accounts.factories import account_make

PASSWORD = "mot-de-passe-de-test"


@pytest.fixture(autouse=True)
def _patterns(db: Any) -> None:
    cas_patterns_sync()


def cas_login(client: Client, *, username: str, service: str, password: str = PASSWORD) -> Any:
    """GET the form (login ticket in the session), then POST the credentials."""
    page = client.get("/cas/login", {"service": service})
    lt = re.search(r'name="lt" value="([^"]+)"', page.content.decode())
    assert lt, page.content.decode()[:500]
    return client.post(
        "/cas/login", {"username": username, "password": password, "lt": lt.group(1), "service": service}
    )


def ticket_of(response: Any) -> str:
    assert response.status_code == 302, response.content.decode()[:300]
    return parse_qs(urlsplit(response["Location"]).query)["ticket"][0]


def test_login_for_a_school_host_releases_uid_profiles_per_school_and_jointure(
    school_a: Any, school_b: Any, public_host: str
) -> None:
    # given a teacher in school A who is a parent in school B
    account = account_make(username="prof-parent", aaf_jointure="NANCY-METZ-4242", email="p@example.fr")
    with school_a.active():
        person_enrol(account=account, roles=[Role.TEACHER])
    with school_b.active():
        person_enrol(account=account, roles=[Role.GUARDIAN])
    service = f"http://{school_a.host}/connexion/retour?next=%2F"
    client = Client(HTTP_HOST=public_host)
    # when they log in for school A and the school host validates the ticket (CAS 3)
    ticket = ticket_of(cas_login(client, username="prof-parent", service=service))
    answer = client.get("/cas/p3/serviceValidate", {"service": service, "ticket": ticket}).content.decode()
    # then the answer names the opaque uid and releases profiles of both schools and the jointure
    assert f"<cas:user>{account.uid}</cas:user>" in answer
    assert "<cas:ENTPersonProfils>National_ENS</cas:ENTPersonProfils>" in answer
    assert "<cas:ENTPersonProfils>National_TUT</cas:ENTPersonProfils>" in answer
    assert "<cas:ENTPersonJointure>NANCY-METZ-4242</cas:ENTPersonJointure>" in answer
    assert f"<cas:ENTPersonStructRattachRNE>{school_b.school.establishment.uai}<" in answer
    assert "<cas:mail>p@example.fr</cas:mail>" in answer


def test_reused_foreign_and_expired_tickets_are_refused(
    school_a: Any, school_b: Any, public_host: str
) -> None:
    # given a ticket issued for school A
    account_make(username="eleve-tickets")
    service_a = f"http://{school_a.host}/connexion/retour?next=%2F"
    service_b = f"http://{school_b.host}/connexion/retour?next=%2F"
    client = Client(HTTP_HOST=public_host)
    ticket = ticket_of(cas_login(client, username="eleve-tickets", service=service_a))
    # when school B presents it (foreign), then school A twice (reuse)
    foreign = client.get("/cas/serviceValidate", {"service": service_b, "ticket": ticket}).content.decode()
    reused = client.get("/cas/serviceValidate", {"service": service_a, "ticket": ticket}).content.decode()
    # then both are refused and the ticket is spent
    assert 'code="INVALID_SERVICE"' in foreign or 'code="INVALID_TICKET"' in foreign
    assert 'code="INVALID_TICKET"' in reused
    # and a fresh ticket validated 11 s later (validity 10 s) is expired
    late = ticket_of(client.get("/cas/login", {"service": service_a}))
    with time_machine.travel(timezone.now() + timedelta(seconds=11)):
        expired = client.get("/cas/proxyValidate", {"service": service_a, "ticket": late}).content.decode()
    assert 'code="INVALID_TICKET"' in expired


def test_unknown_service_gets_a_french_error_page_and_no_ticket(public_host: str) -> None:
    # given a logged-in CAS session
    account_make(username="curieux")
    client = Client(HTTP_HOST=public_host)
    ticket_of(
        cas_login(client, username="curieux", service=f"http://{public_host}/connexion/retour?next=%2F")
    )
    tickets_before = ServiceTicket.objects.count()
    # when an unregistered site asks for a ticket, logged in or not
    logged = client.get("/cas/login", {"service": "https://pirate.example/vol"})
    anonymous = Client(HTTP_HOST=public_host).get("/cas/login", {"service": "https://pirate.example/vol"})
    # then a French error page, no redirect, no ticket
    for response in (logged, anonymous):
        assert response.status_code == 403
        assert "Service non autorisé" in response.content.decode()
    assert ServiceTicket.objects.count() == tickets_before


def test_logout_never_redirects_to_an_unregistered_site(public_host: str) -> None:
    client = Client(HTTP_HOST=public_host)
    refused = client.get("/cas/logout", {"service": "https://pirate.example/"})
    allowed = client.get("/cas/logout", {"service": f"http://{public_host}/"})
    assert refused.status_code == 403
    assert "Service non autorisé" in refused.content.decode()
    assert allowed.status_code == 302
    assert allowed["Location"] == f"http://{public_host}/"


def test_school_hosts_pattern_matches_schools_only(school_a: Any) -> None:
    pattern = ServicePattern.objects.get(name="mbn-etablissements").pattern
    assert re.match(pattern, f"http://{school_a.host}:8000/connexion/retour?next=/")
    assert not re.match(pattern, "http://evil.example/?x=.mbn.localhost/")
    assert not re.match(pattern, "http://a.b.mbn.localhost.evil.example/")


def test_catalogue_cas_service_drives_pattern_and_released_attributes(public_host: str) -> None:
    # given a CAS service of the catalogue registered for two attributes only
    moodle = Service.objects.create(
        code="moodle-test", name="Moodle", kind="cas", url="https://moodle.example/"
    )
    cas_service_register(
        service=moodle,
        url_pattern=r"^https://moodle\.example/login/.*$",
        attributes=["ENTPersonNom", "ENTPersonProfils"],
        user_attribute="ENTPersonLogin",
    )
    account_make(username="prof-moodle", last_name="Durand", email="secret@example.fr")
    client = Client(HTTP_HOST=public_host)
    service = "https://moodle.example/login/index.php"
    # when a user logs in to it
    ticket = ticket_of(cas_login(client, username="prof-moodle", service=service))
    answer = client.get("/cas/p3/serviceValidate", {"service": service, "ticket": ticket}).content.decode()
    # then it gets the login as cas:user and only what it registered
    assert "<cas:user>prof-moodle</cas:user>" in answer
    assert "<cas:ENTPersonNom>Durand</cas:ENTPersonNom>" in answer
    assert "secret@example.fr" not in answer
    assert AuditEvent.objects.filter(action="cas_service.registered").exists()


def test_registering_a_non_cas_service_is_refused_and_writes_nothing() -> None:
    link = Service.objects.create(code="lien-test", name="Lien", kind="link", url="https://x.example/")
    with pytest.raises(CasServiceNotCas) as refused:
        cas_service_register(service=link, url_pattern="^https://x.example/", attributes=["uid"])
    assert refused.value.code == "cas_service_not_cas"
    assert "n'est pas un service CAS" in refused.value.message
    assert not ServicePattern.objects.filter(name="catalogue-lien-test").exists()
