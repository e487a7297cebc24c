from __future__ import annotations

from django.db.models import QuerySet

from tenants.directory.models import Person
from tenants.ent.models import NewsAudience, NewsItem, Notification


def news_list_for(*, viewer: Person | None) -> QuerySet[NewsItem]:
    """Public items for everyone; members of the school also see the members-only ones."""
    items = NewsItem.objects.select_related("author")
    if viewer is None:
        items = items.filter(audience=NewsAudience.PUBLIC)
    return items.order_by("-published_at", "-id")


def notification_list_for(*, viewer: Person) -> QuerySet[Notification]:
    """The viewer's own timeline, newest first."""
    return Notification.objects.filter(recipient=viewer).order_by("-created_at", "-id")


def notification_get_for(*, viewer: Person, notification_id: int) -> Notification:
    return notification_list_for(viewer=viewer).get(pk=notification_id)
