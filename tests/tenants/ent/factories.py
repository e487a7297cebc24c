from __future__ import annotations

import factory

from tenants.ent.models import NewsAudience, NewsItem


class NewsItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = NewsItem

    title = factory.Sequence(lambda n: f"Actualité {n}")
    body = "Texte de l'actualité."
    audience = NewsAudience.MEMBERS
