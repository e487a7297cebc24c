"""Services of login security: the second-factor rule, activation mails, lockout audit.

Kept apart from `services.py` (directory-fed accounts) so both can grow without stepping on each other.
"""

from __future__ import annotations

from collections.abc import Collection

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.template.loader import render_to_string
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_tenants.utils import schema_context

from mbn.audit import audit_record
from shared.accounts.errors import AccountAlreadyActive, AccountWithoutEmail
from shared.accounts.models import Account, CollectivityRole, SchoolAccess

# School roles whose holders must log in with a second factor (as must any collectivity staff).
SECOND_FACTOR_SCHOOL_ROLES = ("direction", "school_admin")


def _requires_second_factor() -> Q:
    holds_school_role = Q()
    for role in SECOND_FACTOR_SCHOOL_ROLES:
        holds_school_role |= Q(roles__contains=[role])
    return Q(Exists(CollectivityRole.objects.filter(account_id=OuterRef("pk")))) | Q(
        Exists(SchoolAccess.objects.filter(holds_school_role, account_id=OuterRef("pk")))
    )


@transaction.atomic
def accounts_second_factor_refresh(*, account_ids: Collection[int], actor: Account | None = None) -> int:
    """Heads, school admins and collectivity staff must use a second factor (issue 3 §1); returns changes.

    Called by every service that grants or removes those roles; a few queries whatever the count.
    """
    if not account_ids:
        return 0
    accounts = Account.objects.filter(pk__in=list(account_ids))
    flagged = accounts.filter(_requires_second_factor())
    turned_on = list(flagged.filter(requires_second_factor=False))
    turned_off = list(accounts.filter(requires_second_factor=True).exclude(pk__in=flagged.values("pk")))
    Account.objects.filter(pk__in=[a.pk for a in turned_on]).update(requires_second_factor=True)
    Account.objects.filter(pk__in=[a.pk for a in turned_off]).update(requires_second_factor=False)
    with schema_context("public"):
        for account in turned_on:
            audit_record(actor=actor, action="account.second_factor_required", target=account)
        for account in turned_off:
            audit_record(actor=actor, action="account.second_factor_waived", target=account)
    return len(turned_on) + len(turned_off)


def account_second_factor_refresh(*, account: Account, actor: Account | None = None) -> bool:
    accounts_second_factor_refresh(account_ids=[account.pk], actor=actor)
    account.refresh_from_db(fields=["requires_second_factor"])
    return account.requires_second_factor


def account_activation_send(*, account: Account, base_url: str) -> str:
    """Mail a first-login link to an account that has no password yet; returns the link."""
    if account.has_usable_password():
        raise AccountAlreadyActive()
    if not account.email:
        raise AccountWithoutEmail()
    uidb64 = urlsafe_base64_encode(force_bytes(account.pk))
    token = default_token_generator.make_token(account)
    link = f"{base_url.rstrip('/')}/compte/activation/{uidb64}/{token}/"
    context = {"account": account, "link": link, "username": account.get_username()}
    send_mail(
        subject=render_to_string("accounts/mail/activation_subject.txt", context).strip(),
        message=render_to_string("accounts/mail/activation_body.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[account.email],
    )
    with schema_context("public"):
        audit_record(actor=None, action="account.activation_sent", target=account)
    return link


def account_lockout_record(*, username: str, ip: str | None) -> None:
    """Audit a lockout (django-axes) in the public log, whether or not the username exists."""
    account = Account.objects.filter(username=username).first()
    with schema_context("public"), transaction.atomic():
        audit_record(
            actor=None,
            action="account.locked_out",
            target=account,
            data={"username": username[:150]},
            ip=ip or "",
        )
