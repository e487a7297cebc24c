from __future__ import annotations

from django.db import transaction

from mbn.audit import audit_record
from shared.accounts.models import Account, CollectivityRole, CollectivityRoleKind
from shared.collectivites.models import Collectivite


@transaction.atomic
def account_create(
    *, username: str, password: str | None, first_name: str = "", last_name: str = "", email: str = ""
) -> Account:
    """A region-wide account; without a password it cannot log in until activated."""
    account = Account.objects.create_user(
        username=username, password=password, first_name=first_name, last_name=last_name, email=email
    )
    audit_record(actor=None, action="account.created", target=account)
    return account


@transaction.atomic
def collectivity_role_grant(
    *,
    account: Account,
    collectivite: Collectivite,
    role: str = CollectivityRoleKind.ADMIN,
    actor: Account | None = None,
) -> CollectivityRole:
    """Let an account administer the establishments of a collectivité."""
    grant, _ = CollectivityRole.objects.update_or_create(
        account=account, collectivite=collectivite, defaults={"role": role}
    )
    audit_record(
        actor=actor,
        action="collectivity_role.granted",
        target=account,
        data={"collectivite": collectivite.code},
    )
    return grant


def school_access_record(*, account: Account) -> None:
    """Index the current school for the account's school picker (called from the school's schema)."""
    from mbn.tenancy import current_schema
    from shared.accounts.models import SchoolAccess
    from shared.tenancy.models import School

    school = School.objects.only("pk").get(schema_name=current_schema())
    SchoolAccess.objects.get_or_create(account=account, school=school)
