from __future__ import annotations

from django.db import models


class NewsAudience(models.TextChoices):
    PUBLIC = "public", "Tout le monde (page d'accueil publique)"
    MEMBERS = "members", "Membres de l'établissement"


class NewsItem(models.Model):
    """An item of the school's news feed on the portal."""

    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    audience = models.CharField(max_length=10, choices=NewsAudience.choices, default=NewsAudience.MEMBERS)
    author = models.ForeignKey(
        "directory.Person", on_delete=models.SET_NULL, null=True, blank=True, related_name="news_items"
    )
    published_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-published_at", "-id"]

    def __str__(self) -> str:
        return self.title


class NotificationKind(models.TextChoices):
    TIMETABLE_CHANGE = "timetable_change", "Changement d'emploi du temps"
    NEWS = "news", "Actualité"


class Notification(models.Model):
    """An item of a person's timeline on the portal ("Mes notifications")."""

    recipient = models.ForeignKey("directory.Person", on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=20, choices=NotificationKind.choices)
    title = models.CharField(max_length=200)
    body = models.CharField(max_length=500, blank=True)
    url = models.CharField(max_length=300, blank=True)
    # What the notification is about, with its version: the same event never notifies twice.
    source_key = models.CharField(max_length=100)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "source_key"], name="notification_once_per_source")
        ]

    def __str__(self) -> str:
        return f"{self.recipient} : {self.title}"
