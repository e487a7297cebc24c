from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.db.models.signals import post_migrate


class AccountsConfig(AppConfig):
    name = "shared.accounts"
    label = "accounts"

    def ready(self) -> None:
        from axes.signals import user_locked_out

        if settings.MBN_LOOPBACK_LOCALHOST_NAMES:
            from shared.accounts.cas.loopback import localhost_names_to_loopback

            localhost_names_to_loopback()
        user_locked_out.connect(_audit_lockout, dispatch_uid="accounts.audit_lockout")
        post_migrate.connect(_sync_cas_patterns, sender=self, dispatch_uid="accounts.cas_patterns")


def _audit_lockout(
    sender: Any, request: Any = None, username: str = "", ip_address: str = "", **_: Any
) -> None:
    from shared.accounts.security import account_lockout_record

    account_lockout_record(username=username or "", ip=ip_address or None)


def _sync_cas_patterns(sender: Any, using: str = "default", **_: Any) -> None:
    # Our hosts' patterns depend on settings (base domain, public hosts): rebuilt after every migrate.
    from django.db import connection
    from django_tenants.utils import get_public_schema_name, schema_context

    from shared.accounts.cas.services import cas_patterns_sync

    if connection.schema_name != get_public_schema_name():  # type: ignore[attr-defined]
        return
    with schema_context(get_public_schema_name()):
        cas_patterns_sync()
