"""Public side of the AAF feed: import runs and their reports, and what the last runs left per record.

The rows of each school (people, classes, links) live in the school schemas (tenants/directory); this
app only keeps what must be shared across schools: the run reports, the per-record checksums that make
re-runs idempotent, and where each AAF structure jointure lands (UAI → school).
"""

from __future__ import annotations

from django.contrib.postgres.fields import ArrayField
from django.db import models


class ImportStatus(models.TextChoices):
    PENDING = "pending", "En attente"
    RUNNING = "running", "En cours"
    DONE = "done", "Terminé"
    REJECTED = "rejected", "Rejeté"
    FAILED = "failed", "Échec technique"


class AafImportRun(models.Model):
    """One import of a folder or archive of AAF files, with its progress and report."""

    source_name = models.CharField(max_length=255)  # file or folder name, as shown to the admin
    # Uploaded archive (admin UI), deleted once the run is over; empty for the command line.
    stored_path = models.CharField(max_length=500, blank=True)
    status = models.CharField(max_length=10, choices=ImportStatus.choices, default=ImportStatus.PENDING)
    is_delta = models.BooleanField(default=False)
    academies = ArrayField(models.CharField(max_length=40), default=list, blank=True)
    files = ArrayField(models.CharField(max_length=255), default=list, blank=True)
    # Totals over people records: created, updated, unchanged, marked, removed, ended, ignored.
    counts = models.JSONField(default=dict, blank=True)
    # Per kind counts, warnings (reference problems, unknown attributes, unknown function codes).
    report = models.JSONField(default=dict, blank=True)
    # When rejected: {"file", "line", "record_index", "record_id", "code", "reason"}.
    rejection = models.JSONField(null=True, blank=True)
    progress_done = models.PositiveBigIntegerField(default=0)
    progress_total = models.PositiveBigIntegerField(default=0)
    phase = models.CharField(max_length=40, blank=True)  # "validation", "import", "suppressions"
    # UAIs the requester may import into (admin UI); null = no restriction (command line).
    allowed_uais = ArrayField(models.CharField(max_length=8), null=True, blank=True)
    created_by = models.ForeignKey(
        "accounts.Account", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Import AAF {self.source_name} ({self.get_status_display()})"

    @property
    def percent(self) -> int:
        if self.status in (ImportStatus.DONE, ImportStatus.REJECTED):
            return 100
        return round(100 * self.progress_done / self.progress_total) if self.progress_total else 0

    @property
    def is_over(self) -> bool:
        return self.status in (ImportStatus.DONE, ImportStatus.REJECTED, ImportStatus.FAILED)


class AafStructure(models.Model):
    """An AAF structure jointure of one académie and the school it feeds (null when not on the platform)."""

    academie = models.CharField(max_length=40)
    jointure = models.CharField(max_length=40)
    uai = models.CharField(max_length=8)
    school = models.ForeignKey("tenancy.School", on_delete=models.CASCADE, null=True, related_name="+")
    class_codes = ArrayField(models.CharField(max_length=40), default=list, blank=True)
    group_codes = ArrayField(models.CharField(max_length=60), default=list, blank=True)
    checksum = models.CharField(max_length=32, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["academie", "jointure"], name="aafstructure_unique_jointure")
        ]

    def __str__(self) -> str:
        return f"{self.academie}-{self.jointure} ({self.uai})"


class AafRecordState(models.Model):
    """What the last run applied for one record, keyed by (académie, kind, jointure).

    Also the alias table: a pupil arriving under a new jointure with a known INE gets a state row
    pointing at the existing account. `school_ids` are the schools the record placed the person in
    (plain ids of public rows); `marked_at` starts the two-step removal.
    """

    academie = models.CharField(max_length=40)
    kind = models.CharField(max_length=20)
    jointure = models.CharField(max_length=40)
    checksum = models.CharField(max_length=32, blank=True)
    account = models.ForeignKey(
        "accounts.Account", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    school_ids = ArrayField(models.IntegerField(), default=list, blank=True)
    marked_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["academie", "kind", "jointure"], name="aafrecordstate_unique_key")
        ]
        indexes = [models.Index(fields=["marked_at"], name="aafrecordstate_marked")]

    def __str__(self) -> str:
        return f"{self.academie}-{self.kind}-{self.jointure}"
