from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from mbn.audit import audit_record
from tenants.directory.models import Person
from tenants.ent.models import NewsAudience, NewsItem, Notification


@transaction.atomic
def news_welcome_publish(*, school_name: str) -> NewsItem:
    """The first public news item of a new school (idempotent: one welcome item per school)."""
    title = f"Bienvenue sur l'espace numérique du {school_name}"
    item, _ = NewsItem.objects.get_or_create(
        title=title,
        author=None,
        defaults={
            "audience": NewsAudience.PUBLIC,
            "body": (
                "Votre établissement ouvre son espace : emploi du temps, vie scolaire, "
                "messagerie et actualités."
            ),
        },
    )
    return item


@transaction.atomic
def news_publish(
    *, author: Person, title: str, body: str = "", audience: str = NewsAudience.MEMBERS
) -> NewsItem:
    """Publish a news item on the school's portal."""
    item = NewsItem(title=title, body=body, audience=audience, author=author)
    item.full_clean()
    item.save()
    audit_record(actor=author, action="news.published", target=item)
    return item


@transaction.atomic
def notifications_publish(
    *, recipient_ids: Iterable[int], kind: str, title: str, body: str = "", url: str = "", source_key: str
) -> int:
    """Put one item in each recipient's timeline; publishing the same source again adds nothing."""
    wanted = set(recipient_ids)
    already = set(
        Notification.objects.filter(source_key=source_key, recipient_id__in=wanted).values_list(
            "recipient_id", flat=True
        )
    )
    rows = [
        Notification(
            recipient_id=recipient_id, kind=kind, title=title, body=body, url=url, source_key=source_key
        )
        for recipient_id in sorted(wanted - already)
    ]
    # ignore_conflicts: a concurrent run of the same task may have inserted some of them meanwhile
    Notification.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)
    return len(rows)


@transaction.atomic
def notification_mark_read(*, reader: Person, notification: Notification) -> Notification:
    """Mark one of the reader's notifications as read (idempotent)."""
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification
