from __future__ import annotations

from django.db import models


class AuditEvent(models.Model):
    """Who did what to what, when. Rows are never updated; a periodic purge removes them past retention."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    # Account or person id; the copied label survives the erasure of the account.
    actor_id = models.BigIntegerField(null=True)
    actor_label = models.CharField(max_length=200)
    action = models.CharField(max_length=100, db_index=True)
    target_type = models.CharField(max_length=100, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    target_label = models.CharField(max_length=200, blank=True)
    data = models.JSONField(default=dict, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action}"
