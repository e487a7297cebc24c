from __future__ import annotations

from typing import Any

from mbn.audit.models import AuditEvent
from tenants.directory.models import ClassMembership, GuardianKind, Guardianship, Role, SchoolClass
from tests.tenants.directory.factories import make_person


def _family(prefix: str) -> dict[str, Any]:
    six_a = SchoolClass.objects.create(code=f"{prefix}6A", label=f"6e A {prefix}")
    child = make_person(roles=[Role.STUDENT], display_name=f"{prefix}-enfant")
    other = make_person(roles=[Role.STUDENT], display_name=f"{prefix}-autre-eleve")
    ClassMembership.objects.create(student=child, school_class=six_a)
    ClassMembership.objects.create(student=other, school_class=six_a)
    parent = make_person(roles=[Role.GUARDIAN], display_name=f"{prefix}-parent")
    Guardianship.objects.create(guardian=parent, student=child, kind=GuardianKind.LEGAL_1)
    teacher = make_person(roles=[Role.TEACHER], display_name=f"{prefix}-prof")
    head = make_person(roles=[Role.DIRECTION], display_name=f"{prefix}-direction")
    return {
        "class": six_a,
        "child": child,
        "other": other,
        "parent": parent,
        "teacher": teacher,
        "head": head,
    }


def test_guardian_sees_own_child_only_and_nothing_of_school_b(
    school_a: Any, school_b: Any, api_as: Any
) -> None:
    # given a family in each school
    with school_b.active():
        _family("B")
    with school_a.active():
        family = _family("A")
    client = api_as(family["parent"], school_a)
    # when the parent lists children, people, and opens each pupil's card
    children = client.get("/api/v1/directory/children").json()["items"]
    people = client.get("/api/v1/directory/people").content.decode()
    own = client.get(f"/api/v1/directory/students/{family['child'].pk}")
    other = client.get(f"/api/v1/directory/students/{family['other'].pk}")
    # then only their own child, the staff, and nothing of B
    assert [c["display_name"] for c in children] == ["A-enfant"]
    assert "A-enfant" in people
    assert "A-prof" in people
    assert "A-autre-eleve" not in people
    assert "B-" not in people
    assert own.status_code == 200
    assert own.json()["school_class"]["code"] == "A6A"
    with school_a.active():
        viewed = AuditEvent.objects.get(action="student.viewed")
    assert (viewed.actor_label, viewed.target_label) == ("A-parent", "A-enfant")
    assert other.status_code == 404
    assert other.json() == {
        "code": "person_not_found",
        "message": "Cette personne est introuvable ou vous n'avez pas accès à sa fiche.",
    }


def test_children_endpoint_is_refused_to_other_roles(school_a: Any, api_as: Any) -> None:
    with school_a.active():
        family = _family("A")
    assert api_as(family["teacher"], school_a).get("/api/v1/directory/children").status_code == 403
    assert api_as(family["child"], school_a).get("/api/v1/directory/children").status_code == 403


def test_profile_shows_class_children_and_classes(school_a: Any, api_as: Any) -> None:
    with school_a.active():
        family = _family("A")
    pupil = api_as(family["child"], school_a).get("/api/v1/directory/me").json()
    parent = api_as(family["parent"], school_a).get("/api/v1/directory/me").json()
    assert pupil["school_class"]["label"] == "6e A A"
    assert [c["display_name"] for c in parent["children"]] == ["A-enfant"]


def test_people_list_queries_do_not_grow_with_rows(
    school_a: Any, api_as: Any, django_assert_max_num_queries: Any
) -> None:
    with school_a.active():
        family = _family("A")
    client = api_as(family["head"], school_a)
    client.get("/api/v1/directory/people")
    with django_assert_max_num_queries(7):
        client.get("/api/v1/directory/people")
    with school_a.active():
        for index in range(40):
            ClassMembership.objects.create(
                student=make_person(roles=[Role.STUDENT], display_name=f"eleve-{index}"),
                school_class=family["class"],
            )
    with django_assert_max_num_queries(7):
        response = client.get("/api/v1/directory/people?limit=100")
    assert response.json()["count"] >= 42


def test_audit_log_is_for_direction_and_its_export_is_audited(
    school_a: Any, school_b: Any, api_as: Any
) -> None:
    # given a head, a teacher, and an event in each school
    with school_b.active():
        AuditEvent.objects.create(actor_label="x", action="marqueur.b")
    with school_a.active():
        family = _family("A")
        AuditEvent.objects.create(actor_label="x", action="marqueur.a")
    head = api_as(family["head"], school_a)
    # when each reads the log and the head exports it
    listed = head.get("/api/v1/audit/events?limit=100").content.decode()
    refused = api_as(family["teacher"], school_a).get("/api/v1/audit/events")
    export = head.get("/api/v1/audit/events.csv", REMOTE_ADDR="192.0.2.7")
    page = head.get("/administration/journal/")
    page_refused = api_as(family["teacher"], school_a).get("/administration/journal/")
    # then A's events only, teachers refused, and the export left its own audit row with the address
    assert "marqueur.a" in listed
    assert "marqueur.b" not in listed
    assert refused.status_code == 403
    assert export.status_code == 200
    assert export.content.decode().startswith("Date;Auteur;Action")
    assert page.status_code == 200
    assert "marqueur.a" in page.content.decode()
    assert page_refused.status_code == 403
    assert "Accès refusé" in page_refused.content.decode()
    with school_a.active():
        exported = AuditEvent.objects.filter(action="audit.exported").get()
    assert exported.ip == "192.0.2.7"
    assert exported.actor_label == "A-direction"


def test_people_page_searches_within_rights(school_a: Any, api_as: Any) -> None:
    with school_a.active():
        family = _family("A")
    page = api_as(family["teacher"], school_a).get("/annuaire/?q=A-").content.decode()
    profile = api_as(family["parent"], school_a).get("/moi/").content.decode()
    assert "A-direction" in page
    assert "A-enfant" not in page
    assert "Mes enfants" in profile
    assert "A-enfant" in profile
