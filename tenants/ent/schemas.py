from __future__ import annotations

from datetime import datetime

from ninja import Field, Schema

from tenants.ent.models import NewsAudience


class NewsOut(Schema):
    id: int
    title: str
    body: str
    audience: str
    published_at: datetime


class NewsIn(Schema):
    title: str = Field(min_length=1, max_length=200)
    body: str = Field(default="", max_length=20_000)
    audience: NewsAudience = NewsAudience.MEMBERS


class NotificationOut(Schema):
    id: int
    kind: str
    title: str
    body: str
    url: str
    created_at: datetime
    read_at: datetime | None
