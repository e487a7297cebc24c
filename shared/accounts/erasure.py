"""Erasure of the region-wide account once no school and no collectivité needs it any more."""

from __future__ import annotations

from django.db import transaction

from mbn.audit import audit_record
from mbn.tenancy import current_schema
from shared.accounts.models import Account, CollectivityRole, SchoolAccess


@transaction.atomic
def account_erase_if_unused(*, account_id: int, label: str) -> bool:
    """Drop this school from the account's schools; anonymise the account if it was the last one.

    Called from the school's schema after the person was erased there.
    """
    SchoolAccess.objects.filter(account_id=account_id, school__schema_name=current_schema()).delete()
    still_used = (
        SchoolAccess.objects.filter(account_id=account_id).exists()
        or CollectivityRole.objects.filter(account_id=account_id).exists()
    )
    if still_used:
        return False
    account = Account.objects.select_for_update().get(pk=account_id)
    account.username = f"supprime-{account.pk}"
    account.first_name = account.last_name = account.email = ""
    account.aaf_jointure = account.ine = None
    account.is_active = False
    account.set_unusable_password()
    account.save()
    audit_record(actor=None, action="account.erased", target=account, data={"former": "compte anonymisé"})
    return True
