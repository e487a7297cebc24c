from __future__ import annotations

from shared.accounts.models import Account
from tenants.directory.models import Person


def person_for_account(*, account: Account) -> Person | None:
    """The account's active membership in the current school, if any."""
    if not account.is_authenticated:
        return None
    return Person.objects.filter(account_id=account.pk, is_active=True).first()
