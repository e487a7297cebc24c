# No `from __future__ import annotations`: ninja reads Query[...] annotations at import time.
from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate

from mbn.audit.selectors import audit_event_list
from mbn.audit.services import audit_export
from mbn.errors import ErrorOut
from tenants.directory import gdpr, selectors, services
from tenants.directory.errors import PersonNotFound
from tenants.directory.models import Person, Role
from tenants.directory.permissions import roles
from tenants.directory.schemas import AuditEventOut, ClassOut, EraseIn, EraseOut, PersonOut, ProfileOut

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
        student = selectors.student_get_for(viewer=request.auth, student_id=student_id)  # type: ignore[attr-defined]
    except Person.DoesNotExist as exc:
        raise PersonNotFound() from exc
    return services.student_card_read(viewer=request.auth, student=student)  # type: ignore[attr-defined]


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


@router.get("/me/data")
def my_data(request: HttpRequest) -> dict[str, object]:
    person = request.auth  # type: ignore[attr-defined]
    return gdpr.person_data_export(actor=person, person=person).as_json()


@router.get("/people/{person_id}/data", response={200: dict, 404: ErrorOut}, auth=roles(*AUDIT_READERS))
def person_data(request: HttpRequest, person_id: int) -> dict[str, object]:
    person = _person_for(request, person_id)
    return gdpr.person_data_export(actor=request.auth, person=person).as_json()  # type: ignore[attr-defined]


@router.post("/people/{person_id}/erase", response={200: EraseOut, 404: ErrorOut}, auth=roles(*AUDIT_READERS))
def person_erase(request: HttpRequest, person_id: int, payload: EraseIn) -> dict[str, object]:
    person = _person_for(request, person_id)
    return {"erased": gdpr.person_erase(actor=request.auth, person=person, reason=payload.reason)}  # type: ignore[attr-defined]


def _person_for(request: HttpRequest, person_id: int) -> Person:
    try:
        return selectors.person_get_for(viewer=request.auth, person_id=person_id)  # type: ignore[attr-defined]
    except Person.DoesNotExist as exc:
        raise PersonNotFound() from exc
