"""The region's reference data: collectivités, establishments and the services offered to schools."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction

from mbn.audit import audit_record
from shared.catalogue import errors, registry
from shared.catalogue.models import Establishment, Service
from shared.collectivites.models import Collectivite

DEFAULT_SERVICES: tuple[tuple[str, str, str, str, tuple[str, ...]], ...] = (
    ("emploi-du-temps", "Emploi du temps", "module", "", ()),
    ("vie-scolaire", "Vie scolaire", "module", "", ()),
    ("messagerie", "Messagerie", "module", "", ()),
    ("actualites", "Actualités", "module", "", ()),
    ("documents", "Documents", "module", "", ()),
    ("moodle", "Moodle", "lti", "https://moodle.monbureaunumerique.fr/", ()),
    (
        "orientation",
        "Orientation (Onisep)",
        "link",
        "https://www.onisep.fr/",
        ("National_ELV", "National_TUT"),
    ),
)


@dataclass(frozen=True)
class RegionLoadReport:
    collectivites: int
    created: int
    updated: int
    unchanged: int


@transaction.atomic
def region_load(*, establishments: Sequence[registry.Establishment] | None = None) -> RegionLoadReport:
    """Load (or refresh) collectivités, establishments and the service catalogue; all or nothing."""
    collectivites = {}
    for reference in registry.COLLECTIVITES:
        collectivite, _ = Collectivite.objects.update_or_create(
            code=reference.code,
            defaults={
                "name": reference.name,
                "kind": reference.kind.value,
                "departement_codes": list(reference.departement_codes),
            },
        )
        collectivites[reference.code] = collectivite
    existing = {row.uai: row for row in Establishment.objects.all()}
    created = updated = unchanged = 0
    to_create = []
    for entry in registry.generate_registry() if establishments is None else establishments:
        owner = collectivites.get(entry.owner_code)
        if owner is None:
            raise errors.UnknownCollectivite()
        if owner.code != registry.owner_code_for(entry.kind, entry.departement_code):
            raise errors.WrongOwner()
        values = {
            "name": entry.name,
            "kind": entry.kind.value,
            "sector": entry.sector.value,
            "commune": entry.commune,
            "departement_code": entry.departement_code,
            "academie": entry.academie.value,
            "owner_id": owner.pk,
            "pupil_count": entry.pupil_count,
        }
        row = existing.get(entry.uai)
        if row is None:
            to_create.append(Establishment(uai=entry.uai, **values))
            created += 1
        elif any(getattr(row, field) != value for field, value in values.items()):
            Establishment.objects.filter(pk=row.pk).update(**values)
            updated += 1
        else:
            unchanged += 1
    Establishment.objects.bulk_create(to_create, batch_size=500)
    for code, name, kind, url, audiences in DEFAULT_SERVICES:
        Service.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "kind": kind,
                "url": url,
                "audiences": list(audiences),
                "is_default_enabled": True,
            },
        )
    report = RegionLoadReport(len(collectivites), created, updated, unchanged)
    if created or updated:
        audit_record(actor=None, action="region.loaded", data=vars(report))
    return report
