from __future__ import annotations

from django.http import HttpRequest
from ninja import Router
from ninja.pagination import LimitOffsetPagination, paginate

from mbn.errors import ErrorOut
from tenants.directory.permissions import Role, roles
from tenants.ent import selectors, services
from tenants.ent.models import NewsItem
from tenants.ent.schemas import NewsIn, NewsOut

router = Router(tags=["Actualités"])


@router.get("/news", response=list[NewsOut])
@paginate(LimitOffsetPagination)
def news_list(request: HttpRequest) -> object:
    return selectors.news_list_for(viewer=request.auth)  # type: ignore[attr-defined]


@router.post(
    "/news",
    response={201: NewsOut, 401: ErrorOut, 403: ErrorOut},
    auth=roles(Role.DIRECTION, Role.SCHOOL_ADMIN),
)
def news_publish(request: HttpRequest, payload: NewsIn) -> tuple[int, NewsItem]:
    return 201, services.news_publish(
        author=request.auth,  # type: ignore[attr-defined]
        title=payload.title,
        body=payload.body,
        audience=payload.audience,
    )
