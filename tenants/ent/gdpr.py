"""Personal data of the portal: news items a person wrote."""

from __future__ import annotations

from mbn.gdpr import PersonalDataSection
from tenants.ent.models import NewsItem


def export(person_id: int) -> PersonalDataSection:
    items = NewsItem.objects.filter(author_id=person_id).order_by("published_at")
    return PersonalDataSection(
        title="Actualités publiées",
        records=[{"titre": item.title, "publiée le": item.published_at.isoformat()} for item in items],
        retention="Les actualités publiées restent en ligne sans nom d'auteur.",
    )


def erase(person_id: int) -> int:
    # The school's news stay published; only the link to their author goes.
    return NewsItem.objects.filter(author_id=person_id).update(author=None)
