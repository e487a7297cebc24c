from __future__ import annotations

from django.db import transaction

from mbn.audit import audit_record
from tenants.directory.models import Person
from tenants.ent.models import NewsAudience, NewsItem


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
