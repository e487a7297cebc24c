from __future__ import annotations

from django.contrib.postgres.fields import ArrayField
from django.db import models


class Role(models.TextChoices):
    STUDENT = "student", "Élève"
    GUARDIAN = "guardian", "Responsable"
    TEACHER = "teacher", "Enseignant"
    VIE_SCOLAIRE = "vie_scolaire", "Vie scolaire"
    DIRECTION = "direction", "Direction"
    SCHOOL_ADMIN = "school_admin", "Administrateur ENT"
    STAFF = "staff", "Personnel"


class Person(models.Model):
    """A person's membership of this school: their roles here, tied to their region-wide account."""

    account = models.ForeignKey("accounts.Account", on_delete=models.DO_NOTHING, related_name="+")
    display_name = models.CharField(max_length=200)
    roles = ArrayField(models.CharField(max_length=20, choices=Role.choices), default=list)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["display_name"]
        constraints = [models.UniqueConstraint(fields=["account"], name="person_one_per_account")]

    def __str__(self) -> str:
        return self.display_name

    def has_role(self, *roles: str) -> bool:
        return any(role in self.roles for role in roles)
