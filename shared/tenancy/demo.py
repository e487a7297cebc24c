"""The demo region: the registry, a selection of schools, one admin per collectivité."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction

from shared.accounts.models import Account
from shared.accounts.services import account_create, collectivity_role_grant
from shared.catalogue import registry
from shared.catalogue.services import region_load
from shared.collectivites.models import Collectivite
from shared.tenancy.services import school_plan

DEMO_PASSWORD = "demo-mbn-2026"  # noqa: S105 - published demo credentials, dev only


@dataclass(frozen=True)
class DemoPlan:
    school_ids: list[int]
    school_urls: list[tuple[str, str]]
    logins: list[tuple[str, str]]
    password: str = DEMO_PASSWORD


def demo_account(username: str, first_name: str, last_name: str) -> Account:
    account = Account.objects.filter(username=username).first()
    return account or account_create(
        username=username, password=DEMO_PASSWORD, first_name=first_name, last_name=last_name
    )


@transaction.atomic
def demo_region_setup(*, school_count: int | None) -> DemoPlan:
    """Load the region, plan the demo schools (None: all 857) and give each collectivité an admin."""
    region_load()
    everything = registry.generate_registry()
    chosen = everything if school_count is None else registry.demo_selection(everything, count=school_count)
    schools = school_plan(uais=[entry.uai for entry in chosen])
    logins = []
    for collectivite in Collectivite.objects.order_by("code"):
        username = f"admin-{collectivite.code.lower()}"
        account = demo_account(username, "Admin", collectivite.name)
        collectivity_role_grant(account=account, collectivite=collectivite)
        logins.append((username, collectivite.name))
    base = settings.MBN_BASE_DOMAIN
    return DemoPlan(
        school_ids=[school.pk for school in schools],
        school_urls=[(f"http://{school.slug}.{base}", school.name) for school in schools],
        logins=logins,
    )
