from __future__ import annotations

from django.db import models
from django.db.models import Q

from shared.catalogue import registry


class Establishment(models.Model):
    """An establishment of the national registry, identified by its UAI."""

    uai = models.CharField(max_length=8, unique=True)
    name = models.CharField(max_length=150)
    kind = models.CharField(max_length=12, choices=registry.ESTABLISHMENT_KIND_CHOICES)
    sector = models.CharField(max_length=20, choices=registry.SECTOR_CHOICES)
    commune = models.CharField(max_length=80)
    departement_code = models.CharField(max_length=2)
    academie = models.CharField(max_length=12, choices=[(a.value, a.value) for a in registry.Academie])
    owner = models.ForeignKey(
        "collectivites.Collectivite", on_delete=models.PROTECT, related_name="establishments"
    )
    pupil_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["departement_code", "commune", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(uai__regex=r"^[0-9]{7}[A-HJ-NPR-Z]$"), name="establishment_uai_shape"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.commune})"


class ServiceKind(models.TextChoices):
    MODULE = "module", "Module intégré"
    LINK = "link", "Lien externe"
    CAS = "cas", "Service CAS"
    LTI = "lti", "Outil LTI"


class Service(models.Model):
    """A service offered to schools: one of our modules, an external link, a CAS service or an LTI tool."""

    code = models.SlugField(max_length=50, unique=True)
    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=10, choices=ServiceKind.choices)
    url = models.URLField(blank=True)
    # National profiles that see the service (National_ELV, National_TUT, National_ENS…); empty = everyone.
    audiences = models.JSONField(default=list, blank=True)
    is_default_enabled = models.BooleanField(default=False)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ServiceEnablement(models.Model):
    """A service switched on or off for a collectivité's schools or for one school (the school wins)."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="enablements")
    collectivite = models.ForeignKey(
        "collectivites.Collectivite", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    establishment = models.ForeignKey(
        Establishment, on_delete=models.CASCADE, null=True, blank=True, related_name="service_enablements"
    )
    is_enabled = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(collectivite__isnull=True) ^ Q(establishment__isnull=True),
                name="serviceenablement_one_scope",
            ),
            models.UniqueConstraint(
                fields=["service", "collectivite"],
                condition=Q(collectivite__isnull=False),
                name="serviceenablement_one_per_collectivite",
            ),
            models.UniqueConstraint(
                fields=["service", "establishment"],
                condition=Q(establishment__isnull=False),
                name="serviceenablement_one_per_establishment",
            ),
        ]

    def __str__(self) -> str:
        scope = self.collectivite or self.establishment
        return f"{self.service} : {'activé' if self.is_enabled else 'désactivé'} pour {scope}"
