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
