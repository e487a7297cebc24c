"""Lockout (django-axes), the mandatory second factor (django-otp TOTP), activation and reset mails."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_tenants.utils import schema_context

from mbn.audit.models import AuditEvent
from shared.accounts.cas.services import cas_patterns_sync
from shared.accounts.errors import AccountAlreadyActive
from shared.accounts.models import Account
from shared.accounts.security import account_activation_send
from shared.accounts.services import collectivity_role_grant
from shared.collectivites.models import Collectivite
from tenants.directory.models import Role
from tenants.directory.services import person_enrol
from tests.conftest import client_on
from tests.shared.accounts.factories import account_make
from tests.shared.accounts.test_cas_server import PASSWORD, cas_login, ticket_of


@pytest.fixture(autouse=True)
def _patterns(db: Any) -> None:
    cas_patterns_sync()


def _code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def test_five_failures_lock_the_account_and_the_lockout_is_audited(public_host: str) -> None:
    # given an account and someone guessing its password
    account_make(username="cible")
    client = Client(HTTP_HOST=public_host)
    service = f"http://{public_host}/connexion/retour?next=%2F"
    failures = [cas_login(client, username="cible", service=service, password=f"faux-{n}") for n in range(5)]
    # when the right password comes after five failures
    after = cas_login(client, username="cible", service=service)
    # then the failures show the French form error, then the account is locked (429) without a ticket
    assert all("Identifiant ou mot de passe incorrect" in r.content.decode() for r in failures[:4])
    assert after.status_code == 429
    assert "Compte temporairement bloqué" in after.content.decode()
    with schema_context("public"):
        lockouts = AuditEvent.objects.filter(action="account.locked_out", data__username="cible")
        assert lockouts.count() >= 1
        assert lockouts.first().ip == "127.0.0.1"  # type: ignore[union-attr]


def test_other_accounts_are_not_locked_by_someone_elses_failures(public_host: str) -> None:
    account_make(username="victime")
    account_make(username="voisin")
    client = Client(HTTP_HOST=public_host)
    service = f"http://{public_host}/connexion/retour?next=%2F"
    for n in range(6):
        cas_login(client, username="victime", service=service, password=f"faux-{n}")
    ticket_of(cas_login(Client(HTTP_HOST=public_host), username="voisin", service=service))


def test_a_head_enrols_totp_then_gets_a_ticket(school_a: Any, public_host: str) -> None:
    # given a head of school A (the directory service flags the second factor)
    head = account_make(username="cheffe")
    with school_a.active():
        person_enrol(account=head, roles=[Role.DIRECTION])
    head.refresh_from_db()
    assert head.requires_second_factor
    service = f"http://{school_a.host}/connexion/retour?next=%2F"
    client = Client(HTTP_HOST=public_host)
    # when the password is right
    after_password = cas_login(client, username="cheffe", service=service)
    # then no ticket yet: the TOTP step, with the secret shown for enrolment
    assert after_password.status_code == 302
    assert after_password["Location"].startswith("/cas/double-authentification?")
    enrolment = client.get(after_password["Location"])
    assert "Clé :" in enrolment.content.decode()
    assert "<svg" in enrolment.content.decode()
    device = TOTPDevice.objects.get(user=head)
    # and a wrong code is refused in French, the right one gives the ticket
    wrong = client.post(
        after_password["Location"], {"code": "000000" if _code(device) != "000000" else "111111"}
    )
    assert wrong.status_code == 400
    assert "Ce code n&#x27;est pas valable" in wrong.content.decode()
    device.refresh_from_db()
    device.throttling_failure_count = 0
    device.throttling_failure_timestamp = None
    device.save()
    right = client.post(after_password["Location"], {"code": _code(device)})
    assert right.status_code == 302
    ticket = ticket_of(client.get(right["Location"]))
    assert ticket.startswith("ST-")
    device.refresh_from_db()
    assert device.confirmed


def test_without_the_second_factor_admin_pages_are_refused(school_a: Any, public_host: str) -> None:
    # given a collectivity admin and a head whose sessions were opened without TOTP
    admin = account_make(username="admin-sans-totp")
    collectivity_role_grant(account=admin, collectivite=Collectivite.objects.get(code="D57"))
    head = account_make(username="chef-sans-totp")
    with school_a.active():
        person_enrol(account=head, roles=[Role.DIRECTION])
    admin.refresh_from_db()
    head.refresh_from_db()
    # when they open the admin pages / the school API
    admin_page = client_on(public_host, admin).get("/collectivite/")
    head_api = client_on(school_a.host, head).get("/api/v1/school")
    # then both are refused with the French message and a stable code
    assert admin_page.status_code == 403
    assert "double authentification est obligatoire" in admin_page.content.decode()
    assert head_api.status_code == 403
    assert head_api.json()["code"] == "second_factor_required"
    # while a pupil without that duty goes through
    pupil = account_make(username="eleve-sans-totp")
    with school_a.active():
        person_enrol(account=pupil, roles=[Role.STUDENT])
    assert client_on(school_a.host, pupil).get("/api/v1/school").status_code == 200


def test_activation_mail_lets_a_new_account_choose_its_password(public_host: str) -> None:
    # given an account created without a password
    account = Account.objects.create_user(username="nouvelle", password=None, email="nouvelle@example.fr")
    # when the activation mail is sent and its link followed
    link = account_activation_send(account=account, base_url=f"http://{public_host}")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "Activez votre compte Mon Bureau Numérique"
    assert link in mail.outbox[0].body
    client = Client(HTTP_HOST=public_host)
    form = client.get(link.removeprefix(f"http://{public_host}"), follow=True)
    assert "Activer mon compte" in form.content.decode()
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "un-mot-de-passe-solide", "new_password2": "un-mot-de-passe-solide"},
    )
    # then the password is set and a second activation is refused
    assert done.status_code == 302
    account.refresh_from_db()
    assert account.check_password("un-mot-de-passe-solide")
    with pytest.raises(AccountAlreadyActive) as again:
        account_activation_send(account=account, base_url=f"http://{public_host}")
    assert again.value.code == "account_already_active"


def test_password_reset_mail_in_french(public_host: str) -> None:
    account_make(username="oublieuse", email="oublieuse@example.fr")
    client = Client(HTTP_HOST=public_host)
    sent = client.post("/compte/mot-de-passe/oublie/", {"email": "oublieuse@example.fr"})
    assert sent.status_code == 302
    assert len(mail.outbox) == 1
    body = str(mail.outbox[0].body)
    assert "Vous avez demandé un nouveau mot de passe" in body
    link = re.search(r"http://[^/]+(/compte/mot-de-passe/[^\s]+)", body)
    assert link
    page = client.get(link.group(1), follow=True)
    assert "Nouveau mot de passe" in page.content.decode()
    assert PASSWORD  # the other accounts keep theirs
