from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.db.models import Q
from django_tenants.models import DomainMixin, TenantMixin

if TYPE_CHECKING:
    from django.db.models.fields.related_descriptors import RelatedManager


class SchoolStatus(models.TextChoices):
    PLANNED = "planned", "Planifié"
    PROVISIONING = "provisioning", "En cours de création"
    ACTIVE = "active", "Ouvert"
    SUSPENDED = "suspended", "Suspendu"
    ARCHIVED = "archived", "Archivé"


class RolloutWave(models.Model):  # type: ignore[django-manager-missing]  # School is a TenantMixin the plugin cannot follow
    """A group of schools a collectivité opens together, with a target date."""

    if TYPE_CHECKING:  # reverse accessor of School.wave, declared for the type checker
        schools: RelatedManager[School]

    collectivite = models.ForeignKey(
        "collectivites.Collectivite", on_delete=models.PROTECT, related_name="waves"
    )
    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=120)
    target_on = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["target_on", "code"]

    def __str__(self) -> str:
        return self.name


class School(TenantMixin):
    """A school with its own PostgreSQL schema. The template schema `modele` is a School row too."""

    establishment = models.OneToOneField(
        "catalogue.Establishment", on_delete=models.PROTECT, null=True, blank=True, related_name="school"
    )
    name = models.CharField(max_length=150)
    slug = models.SlugField(max_length=40, unique=True)
    status = models.CharField(max_length=12, choices=SchoolStatus.choices, default=SchoolStatus.PLANNED)
    # A pilot school is open to its staff only.
    is_pilot = models.BooleanField(default=False)
    is_template = models.BooleanField(default=False)
    wave = models.ForeignKey(
        RolloutWave, on_delete=models.SET_NULL, null=True, blank=True, related_name="schools"
    )
    schema_ready_at = models.DateTimeField(null=True, blank=True)
    provisioning_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Schemas are created by the provisioning service from the template's DDL, never inside a request.
    auto_create_schema = False
    auto_drop_schema = False

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(is_template=True) | Q(establishment__isnull=False),
                name="school_has_establishment",
            ),
            models.CheckConstraint(
                condition=~Q(status="active") | Q(schema_ready_at__isnull=False),
                name="school_active_has_schema",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Domain(DomainMixin):
    def __str__(self) -> str:
        return self.domain


class SchoolStatusChange(models.Model):
    """History of a school's status: who changed it, when, why."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=12, choices=SchoolStatus.choices, blank=True)
    to_status = models.CharField(max_length=12, choices=SchoolStatus.choices)
    actor = models.ForeignKey(
        "accounts.Account", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(max_length=200)
    reason = models.CharField(max_length=300, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.school} : {self.from_status or '-'} → {self.to_status}"


class SchemaScript(models.Model):
    """The template schema rendered once as DDL + reference rows, replayed for every new school."""

    fingerprint = models.CharField(max_length=64, unique=True)
    ddl = models.TextField()
    table_count = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"script {self.fingerprint[:12]} ({self.table_count} tables)"
