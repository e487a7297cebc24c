from __future__ import annotations

from typing import cast

import factory

from shared.accounts.models import Account, CollectivityRole
from shared.collectivites.models import Collectivite


class AccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Account
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"compte-{n}")
    first_name = factory.Faker("first_name", locale="fr_FR")
    last_name = factory.Faker("last_name", locale="fr_FR")
    password = factory.django.Password("mot-de-passe-de-test")


def collectivity_admin(code: str, username: str | None = None) -> Account:
    """An account administering the collectivité with this code."""
    account = cast(Account, AccountFactory(username=username or f"admin-{code.lower()}-test"))
    CollectivityRole.objects.create(
        account=account, collectivite=Collectivite.objects.get(code=code), role="admin"
    )
    return account


def account_make(**fields: object) -> Account:
    """A typed AccountFactory call (the factory's own return type is the factory class for mypy)."""
    return cast(Account, AccountFactory(**fields))


def make_account(**kwargs: object) -> Account:
    return cast(Account, AccountFactory(**kwargs))
