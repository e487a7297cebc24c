from __future__ import annotations

from django.db import models

from shared.catalogue.registry import CollectiviteKind


class Collectivite(models.Model):
    """A territorial authority that owns schools: the Région (lycées), a département or the CeA (collèges)."""

    code = models.CharField(max_length=12, unique=True)
    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=12, choices=[(k.value, k.value) for k in CollectiviteKind])
    # Départements covered (two-digit codes); the CeA covers 67 and 68, the Région all ten.
    departement_codes = models.JSONField(default=list)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name
