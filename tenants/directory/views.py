"""Directory pages of a school host: my profile (children, classes), people search, audit log."""

from __future__ import annotations

from typing import cast

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from mbn.audit.selectors import audit_event_list
from mbn.audit.services import audit_export
from tenants.directory import gdpr, selectors
from tenants.directory.models import Person, Role

PAGE_SIZE = 50


def _member(request: HttpRequest) -> Person:
    person = getattr(request, "person", None)
    if person is None:
        # Logged in, but not a member of this school.
        raise PermissionDenied("Vous n'êtes pas rattaché à cet établissement.")
    return cast(Person, person)


def my_profile(request: HttpRequest) -> HttpResponse:
    profile = selectors.profile_for(viewer=_member(request))
    return render(request, "directory/profile.html", {"profile": profile})


def my_data(request: HttpRequest) -> HttpResponse:
    person = _member(request)
    data = gdpr.person_data_export(actor=person, person=person)
    if request.GET.get("format") == "json":
        response = JsonResponse(data.as_json(), json_dumps_params={"ensure_ascii": False, "indent": 2})
        response["Content-Disposition"] = 'attachment; filename="mes-donnees.json"'
        return response
    return render(request, "directory/my_data.html", {"data": data})


def people_search(request: HttpRequest) -> HttpResponse:
    viewer = _member(request)
    query = request.GET.get("q", "")[:100]
    class_id = request.GET.get("classe", "")
    people = selectors.people_search(
        viewer=viewer, query=query, school_class_id=int(class_id) if class_id.isdigit() else None
    )[:PAGE_SIZE]
    context = {"people": people, "query": query, "classes": selectors.classes_visible_to(viewer=viewer)}
    template = "directory/_people.html" if request.htmx else "directory/people.html"  # type: ignore[attr-defined]
    return render(request, template, context)


def _audit_reader(request: HttpRequest) -> Person:
    person = _member(request)
    if not person.has_role(Role.DIRECTION, Role.SCHOOL_ADMIN):
        raise PermissionDenied("Le journal est réservé à la direction.")
    return person


def audit_log(request: HttpRequest) -> HttpResponse:
    _audit_reader(request)
    action = request.GET.get("action", "")[:100]
    events = audit_event_list(action=action)[:PAGE_SIZE]
    return render(request, "directory/audit.html", {"events": events, "action": action})


def audit_log_export(request: HttpRequest) -> HttpResponse:
    reader = _audit_reader(request)
    body = audit_export(actor=reader, action_filter=request.GET.get("action", "")[:100])
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="journal.csv"'
    return response
