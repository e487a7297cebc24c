from __future__ import annotations

from django.http import HttpRequest
from ninja import Router
from ninja.pagination import LimitOffsetPagination, paginate

from mbn.errors import ErrorOut
from tenants.directory.permissions import Role, roles
from tenants.ent import selectors, services
from tenants.ent.errors import NotificationNotFound
from tenants.ent.models import NewsItem, Notification
from tenants.ent.schemas import NewsIn, NewsOut, NotificationOut

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


@router.get("/notifications", response=list[NotificationOut])
@paginate(LimitOffsetPagination)
def notification_list(request: HttpRequest) -> object:
    return selectors.notification_list_for(viewer=request.auth)  # type: ignore[attr-defined]


@router.post("/notifications/{notification_id}/read", response={200: NotificationOut, 404: ErrorOut})
def notification_read(request: HttpRequest, notification_id: int) -> Notification:
    try:
        notification = selectors.notification_get_for(viewer=request.auth, notification_id=notification_id)  # type: ignore[attr-defined]
    except Notification.DoesNotExist as exc:
        raise NotificationNotFound() from exc
    return services.notification_mark_read(reader=request.auth, notification=notification)  # type: ignore[attr-defined]
