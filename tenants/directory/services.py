from __future__ import annotations

from django.db import transaction

from mbn.audit import audit_record
from shared.accounts.models import Account
from shared.accounts.services import school_access_record
from tenants.directory.models import Person


@transaction.atomic
def person_enrol(*, account: Account, roles: list[str], actor: Person | None = None) -> Person:
    """Make an account a member of this school with these roles (and index it for the school picker)."""
    person, _ = Person.objects.update_or_create(
        account=account,
        defaults={"display_name": str(account), "roles": sorted(set(roles)), "is_active": True},
    )
    school_access_record(account=account)
    audit_record(actor=actor, action="person.enrolled", target=person, data={"roles": person.roles})
    return person
