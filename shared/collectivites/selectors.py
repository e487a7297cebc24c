from __future__ import annotations

from django.db.models import QuerySet

from shared.accounts.models import Account
from shared.collectivites.models import Collectivite


def collectivite_list_for(*, viewer: Account) -> QuerySet[Collectivite]:
    return Collectivite.objects.filter(roles__account=viewer).distinct()


def collectivite_by_code(code: str) -> Collectivite | None:
    return Collectivite.objects.filter(code=code).first()
