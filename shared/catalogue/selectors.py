from __future__ import annotations

from django.db.models import QuerySet

from shared.accounts.models import Account
from shared.catalogue.models import Establishment


def establishment_by_uai(uai: str) -> Establishment | None:
    return Establishment.objects.select_related("owner").filter(uai=uai).first()


def establishment_list_for(
    *, viewer: Account, departement: str = "", kind: str = "", without_school: bool = False
) -> QuerySet[Establishment]:
    """Establishments owned by the viewer's collectivités."""
    establishments = Establishment.objects.filter(owner__roles__account=viewer)
    if departement:
        establishments = establishments.filter(departement_code=departement)
    if kind:
        establishments = establishments.filter(kind=kind)
    if without_school:
        establishments = establishments.filter(school__isnull=True)
    return establishments.select_related("owner").order_by("departement_code", "commune", "name")


def establishment_uais() -> list[str]:
    return list(Establishment.objects.order_by("uai").values_list("uai", flat=True))
