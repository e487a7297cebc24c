# No `from __future__ import annotations`: ninja reads Query[...] annotations at import time.
from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate

from mbn.audit.selectors import audit_event_list
from mbn.audit.services import audit_export
from mbn.errors import ErrorOut
from tenants.directory import selectors
from tenants.directory.errors import PersonNotFound
from tenants.directory.models import Person, Role
from tenants.directory.permissions import roles
from tenants.directory.schemas import AuditEventOut, ClassOut, PersonOut, ProfileOut

router = Router(tags=["Annuaire"])
audit_router = Router(tags=["Journal d'audit"])


class PeopleFilter(Schema):
    q: str = ""
    class_id: int | None = None


@router.get("/me", response=ProfileOut)
def my_profile(request: HttpRequest) -> selectors.Profile:
    return selectors.profile_for(viewer=request.auth)  # type: ignore[attr-defined]


@router.get("/people", response=list[PersonOut])
@paginate(LimitOffsetPagination)
def people_search(request: HttpRequest, filters: Query[PeopleFilter]) -> object:
    return selectors.people_search(viewer=request.auth, query=filters.q, school_class_id=filters.class_id)  # type: ignore[attr-defined]


@router.get("/students/{student_id}", response={200: PersonOut, 404: ErrorOut})
def student_detail(request: HttpRequest, student_id: int) -> Person:
    try:
        return selectors.student_get_for(viewer=request.auth, student_id=student_id)  # type: ignore[attr-defined]
    except Person.DoesNotExist as exc:
        raise PersonNotFound() from exc


@router.get("/classes", response=list[ClassOut])
@paginate(LimitOffsetPagination)
def class_list(request: HttpRequest) -> object:
    return selectors.classes_visible_to(viewer=request.auth)  # type: ignore[attr-defined]


@router.get("/children", response=list[PersonOut], auth=roles(Role.GUARDIAN))
@paginate(LimitOffsetPagination)
def my_children(request: HttpRequest) -> object:
    return selectors.children_of(guardian=request.auth)  # type: ignore[attr-defined]


class AuditFilter(Schema):
    action: str = ""


AUDIT_READERS = (Role.DIRECTION, Role.SCHOOL_ADMIN)


@audit_router.get("/events", response=list[AuditEventOut], auth=roles(*AUDIT_READERS))
@paginate(LimitOffsetPagination)
def audit_events(request: HttpRequest, filters: Query[AuditFilter]) -> object:
    return audit_event_list(action=filters.action)


@audit_router.get("/events.csv", auth=roles(*AUDIT_READERS))
def audit_events_export(request: HttpRequest, filters: Query[AuditFilter]) -> HttpResponse:
    body = audit_export(actor=request.auth, action_filter=filters.action)  # type: ignore[attr-defined]
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="journal.csv"'
    return response
