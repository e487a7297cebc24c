"""RGPD for the people of a school: what the directory holds, access requests, erasure, purge of leavers.

Services (writes) for the rights of the person; each run is audited. Other apps register their own
sections in mbn.gdpr; these services gather them all.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from mbn import gdpr
from mbn.audit import audit_record
from mbn.gdpr import PersonalDataSection
from shared.accounts.erasure import account_erase_if_unused
from tenants.directory.models import (
    ClassMembership,
    GroupMembership,
    Guardianship,
    Person,
    TeachingService,
)

ERASED_NAME = "Personne supprimée"


def export(person_id: int) -> PersonalDataSection:
    person = Person.objects.get(pk=person_id)
    membership = ClassMembership.objects.filter(student=person).select_related("school_class").first()
    records: list[dict[str, object]] = [
        {
            "nom affiché": person.display_name,
            "rôles": person.role_labels,
            "profils": person.profiles,
            "fonctions": person.functions,
            "classe": membership.school_class.label if membership else None,
            "groupes": list(person.group_memberships.values_list("group__label", flat=True)),
            "inscrit depuis": person.created_at.isoformat(),
            "départ": person.left_on.isoformat() if person.left_on else None,
        }
    ]
    records += [
        {"responsable de": link.student.display_name, "lien": link.get_kind_display()}
        for link in Guardianship.objects.filter(guardian=person).select_related("student")
    ]
    records += [
        {"responsable": link.guardian.display_name, "lien": link.get_kind_display()}
        for link in Guardianship.objects.filter(student=person).select_related("guardian")
    ]
    records += [
        {"enseigne": service.subject.label, "à": str(service.school_class or service.group)}
        for service in TeachingService.objects.filter(teacher=person).select_related(
            "subject", "school_class", "group"
        )
    ]
    return PersonalDataSection(
        title="Annuaire de l'établissement",
        records=records,
        retention=(
            "Une fiche anonyme est conservée pour que les documents soumis à une obligation "
            "de conservation (bulletins, journal d'audit) restent cohérents."
        ),
    )


def erase(person_id: int) -> int:
    changed = ClassMembership.objects.filter(student_id=person_id).delete()[0]
    changed += GroupMembership.objects.filter(student_id=person_id).delete()[0]
    changed += Guardianship.objects.filter(guardian_id=person_id).delete()[0]
    changed += Guardianship.objects.filter(student_id=person_id).delete()[0]
    changed += TeachingService.objects.filter(teacher_id=person_id).delete()[0]
    changed += Person.objects.filter(pk=person_id).update(
        display_name=ERASED_NAME, roles=[], profiles=[], functions=[], is_active=False
    )
    return changed


@dataclass(frozen=True)
class PersonalData:
    person: Person
    sections: list[PersonalDataSection]

    def as_json(self) -> dict[str, object]:
        return {
            "personne": self.person.display_name,
            "exporté le": timezone.now().isoformat(),
            "sections": [
                {"titre": s.title, "données": s.records, "conservation": s.retention} for s in self.sections
            ],
        }


@transaction.atomic
def person_data_export(*, actor: Person, person: Person) -> PersonalData:
    """Everything this school holds about a person (access right); the export is audited."""
    data = PersonalData(person=person, sections=gdpr.sections_for(person.pk))
    audit_record(actor=actor, action="gdpr.exported", target=person)
    return data


@transaction.atomic
def person_erase(*, actor: Person | None, person: Person, reason: str) -> dict[str, int]:
    """Erase a person's data in this school, keeping what the law requires in anonymous form."""
    label = str(person)
    account_id = person.account_id
    counts = gdpr.erase_all(person.pk)
    audit_record(actor=actor, action="gdpr.erased", target=person, data={"reason": reason, "rows": counts})
    account_erase_if_unused(account_id=account_id, label=label)
    return counts


@transaction.atomic
def people_departed_purge(*, today: date | None = None) -> int:
    """Erase the people who left the school longer ago than the retention delay (periodic, idempotent)."""
    cutoff = (today or timezone.localdate()) - timedelta(days=settings.MBN_GDPR_LEAVER_RETENTION_DAYS)
    leavers = list(Person.objects.filter(left_on__lt=cutoff).exclude(display_name=ERASED_NAME))
    for person in leavers:
        person_erase(actor=None, person=person, reason="départ de l'établissement")
    audit_record(
        actor=None, action="gdpr.purge_run", data={"erased": len(leavers), "cutoff": cutoff.isoformat()}
    )
    return len(leavers)
