"""Set-up API of the timetable (/api/v1/timetable): each endpoint, its errors, roles and school A / B."""

from __future__ import annotations

import json
from typing import Any

import pytest

from mbn.audit.models import AuditEvent
from tenants.directory.models import Role
from tenants.timetable.models import Course, DailyLimit, Lesson, Period, Room, TimeSlot, Unavailability
from tests.tenants.timetable.factories import (
    CourseFactory,
    LessonFactory,
    RoomFactory,
    SchoolClassFactory,
    SubjectFactory,
    TeachingGroupFactory,
    guardian_of,
    person,
    student_in,
)

BASE = "/api/v1/timetable"
JSON = "application/json"


def _json(client: Any, method: str, url: str, payload: dict[str, Any]) -> Any:
    return client.generic(method, url, data=json.dumps(payload), content_type=JSON)


# ---- rooms ---------------------------------------------------------------------------------------


def test_direction_creates_renames_and_deletes_a_room(school_a: Any, api_as: Any) -> None:
    with school_a.active():
        head = person(Role.DIRECTION)
    client = api_as(head, school_a)
    # when the head creates, renames, lists and deletes a room
    created = _json(client, "POST", f"{BASE}/rooms", {"name": "Labo 2", "kind": "lab", "capacity": 24})
    room_id = created.json()["id"]
    renamed = _json(
        client, "PUT", f"{BASE}/rooms/{room_id}", {"name": "Labo SVT", "kind": "lab", "capacity": 26}
    )
    listed = client.get(f"{BASE}/rooms")
    deleted = client.delete(f"{BASE}/rooms/{room_id}")
    # then each step answers as declared and the audit has the three writes
    assert created.status_code == 201
    assert created.json() == {
        "id": room_id,
        "name": "Labo 2",
        "kind": "lab",
        "kind_label": "Laboratoire de sciences",
        "capacity": 24,
    }
    assert renamed.json()["name"] == "Labo SVT"
    assert [room["name"] for room in listed.json()["items"]] == ["Labo SVT"]
    assert deleted.status_code == 204
    with school_a.active():
        assert not Room.objects.exists()
        actions = set(AuditEvent.objects.filter(target_id=str(room_id)).values_list("action", flat=True))
        assert actions == {"timetable.room_created", "timetable.room_updated", "timetable.room_deleted"}


def test_room_errors_have_stable_codes_and_french_messages(school_a: Any, api_as: Any) -> None:
    with school_a.active():
        head = person(Role.DIRECTION)
        used = RoomFactory(name="Gymnase", kind="gym")
        LessonFactory(room=used)
    client = api_as(head, school_a)
    taken = _json(client, "POST", f"{BASE}/rooms", {"name": "Gymnase", "kind": "gym", "capacity": 60})
    no_seat = _json(client, "POST", f"{BASE}/rooms", {"name": "Vide", "capacity": 0})
    in_use = client.delete(f"{BASE}/rooms/{used.pk}")
    missing = client.delete(f"{BASE}/rooms/987654")
    assert (taken.status_code, taken.json()["code"]) == (409, "room_name_taken")
    assert taken.json()["message"] == "Une salle porte déjà ce nom : choisissez-en un autre."
    assert (no_seat.status_code, no_seat.json()["code"]) == (422, "invalid_input")
    assert (in_use.status_code, in_use.json()["code"]) == (409, "room_in_use")
    assert in_use.json()["message"].startswith("Cette salle est utilisée")
    assert missing.status_code == 404
    with school_a.active():
        assert list(Room.objects.values_list("name", flat=True)) == ["Gymnase"]


def test_staff_read_rooms_pupils_and_parents_do_not_and_only_builders_write(
    school_a: Any, api_as: Any
) -> None:
    with school_a.active():
        RoomFactory(name="Salle 101")
        teacher, cpe, staff = person(Role.TEACHER), person(Role.VIE_SCOLAIRE), person(Role.STAFF)
        pupil = student_in(SchoolClassFactory())
        parent = guardian_of(pupil)
        admin = person(Role.SCHOOL_ADMIN)
    for reader in (teacher, cpe, staff):
        assert api_as(reader, school_a).get(f"{BASE}/rooms").json()["items"][0]["name"] == "Salle 101"
    for outsider in (pupil, parent):
        refused = api_as(outsider, school_a).get(f"{BASE}/rooms")
        assert refused.status_code == 403
        assert refused.json()["code"] == "forbidden"
    for writer in (teacher, cpe, staff, pupil, parent):
        response = _json(api_as(writer, school_a), "POST", f"{BASE}/rooms", {"name": "Intrus", "capacity": 5})
        assert response.status_code == 403
    ent_admin = _json(api_as(admin, school_a), "POST", f"{BASE}/rooms", {"name": "CDI", "capacity": 40})
    assert ent_admin.status_code == 201
    with school_a.active():
        assert sorted(Room.objects.values_list("name", flat=True)) == ["CDI", "Salle 101"]


def test_rooms_and_courses_of_school_b_never_reach_school_a(
    school_a: Any, school_b: Any, api_as: Any
) -> None:
    # given a room and a course in each school, and the head of A
    with school_a.active():
        head = person(Role.DIRECTION)
        RoomFactory(name="marqueur-A-salle")
        CourseFactory(subject=SubjectFactory(label="marqueur-A-cours"), classes=[SchoolClassFactory()])
    with school_b.active():
        for _ in range(3):
            RoomFactory()
        b_room = RoomFactory(name="marqueur-B-salle")
        b_course = CourseFactory(
            subject=SubjectFactory(label="marqueur-B-cours"), classes=[SchoolClassFactory()]
        )
    client = api_as(head, school_a)
    # when A's head lists on A's host, reaches for B's ids on A's host, and calls B's host
    rooms = client.get(f"{BASE}/rooms").content.decode()
    courses = client.get(f"{BASE}/courses").content.decode()
    b_room_on_a = _json(client, "PUT", f"{BASE}/rooms/{b_room.pk}", {"name": "pris", "capacity": 1})
    b_course_on_a = client.delete(f"{BASE}/courses/{b_course.pk}")
    on_b = api_as(head, school_b).get(f"{BASE}/rooms")
    # then only A's own rows show, B's ids are unknown on A, and B's host refuses A's head
    assert "marqueur-A-salle" in rooms
    assert "marqueur-B-salle" not in rooms
    assert "marqueur-A-cours" in courses
    assert "marqueur-B-cours" not in courses
    assert b_room_on_a.status_code == 404
    assert b_course_on_a.status_code == 404
    assert on_b.status_code == 403
    with school_b.active():
        assert Room.objects.filter(name="marqueur-B-salle").exists()
        assert Course.objects.filter(pk=b_course.pk).exists()


def test_room_list_queries_do_not_grow_with_rows(
    school_a: Any, api_as: Any, django_assert_max_num_queries: Any
) -> None:
    with school_a.active():
        head = person(Role.DIRECTION)
        for _ in range(2):
            RoomFactory()
    client = api_as(head, school_a)
    with django_assert_max_num_queries(8):
        client.get(f"{BASE}/rooms")
    with school_a.active():
        for _ in range(40):
            RoomFactory()
    with django_assert_max_num_queries(8):
        assert client.get(f"{BASE}/rooms?limit=100").json()["count"] == 42


# ---- courses -------------------------------------------------------------------------------------


def _course_payload(**overrides: Any) -> dict[str, Any]:
    teacher = person(Role.TEACHER, display_name="Mme Weiss")
    payload = {
        "subject_id": SubjectFactory(label="SVT").pk,
        "teacher_ids": [teacher.pk],
        "class_ids": [SchoolClassFactory(label="5B").pk],
        "duration": 2,
        "sessions_per_week": 1,
        "week_pattern": "A",
        "room_kind": "lab",
        "wants_double": False,
    }
    return {**payload, **overrides}


def test_direction_creates_filters_updates_and_deletes_a_course(school_a: Any, api_as: Any) -> None:
    with school_a.active():
        head = person(Role.DIRECTION)
        payload = _course_payload()
        other = CourseFactory(subject=SubjectFactory(label="Autre"), classes=[SchoolClassFactory()])
        group = TeachingGroupFactory(label="5B gr1")
    client = api_as(head, school_a)
    created = _json(client, "POST", f"{BASE}/courses", payload)
    course_id = created.json()["id"]
    by_class = client.get(f"{BASE}/courses?class_id={payload['class_ids'][0]}").json()
    by_teacher = client.get(f"{BASE}/courses?teacher_id={payload['teacher_ids'][0]}").json()
    everything = client.get(f"{BASE}/courses").json()
    updated = _json(
        client,
        "PUT",
        f"{BASE}/courses/{course_id}",
        {**payload, "group_ids": [group.pk], "sessions_per_week": 2},
    )
    deleted = client.delete(f"{BASE}/courses/{course_id}")
    assert created.status_code == 201
    body = created.json()
    assert (body["subject"], body["week_pattern"], body["room_kind"], body["placed_lessons"]) == (
        "SVT",
        "A",
        "lab",
        0,
    )
    assert body["teachers"] == [{"id": payload["teacher_ids"][0], "label": "Mme Weiss"}]
    assert [course["id"] for course in by_class["items"]] == [course_id]
    assert [course["id"] for course in by_teacher["items"]] == [course_id]
    assert {course["id"] for course in everything["items"]} == {course_id, other.pk}
    assert updated.status_code == 200
    assert updated.json()["groups"] == [{"id": group.pk, "label": "5B gr1"}]
    assert updated.json()["sessions_per_week"] == 2
    assert deleted.status_code == 204
    with school_a.active():
        assert list(Course.objects.values_list("pk", flat=True)) == [other.pk]


@pytest.mark.parametrize(
    ("overrides", "status", "code"),
    [
        ({"class_ids": []}, 400, "course_audience_missing"),
        ({"teacher_ids": "staff"}, 400, "not_a_teacher"),
        ({"class_ids": [987654]}, 404, "not_found"),
        ({"week_pattern": "Z"}, 404, "not_found"),
        ({"room_kind": "gym", "fixed_room_id": "lab"}, 400, "room_unsuitable"),
        ({"duration": 9}, 422, "invalid_input"),
    ],
)
def test_course_errors_write_nothing(
    school_a: Any, api_as: Any, overrides: dict[str, Any], status: int, code: str
) -> None:
    with school_a.active():
        head = person(Role.DIRECTION)
        if overrides.get("teacher_ids") == "staff":
            overrides = {**overrides, "teacher_ids": [person(Role.STAFF).pk]}
        if overrides.get("fixed_room_id") == "lab":
            overrides = {**overrides, "fixed_room_id": RoomFactory(kind="lab").pk}
        payload = _course_payload(**overrides)
    response = _json(api_as(head, school_a), "POST", f"{BASE}/courses", payload)
    assert response.status_code == status
    assert response.json()["code"] == code
    assert response.json()["message"]
    with school_a.active():
        assert not Course.objects.exists()


def test_placed_course_keeps_its_audience_until_its_sessions_are_removed(school_a: Any, api_as: Any) -> None:
    with school_a.active():
        head = person(Role.DIRECTION)
        payload = _course_payload()
    client = api_as(head, school_a)
    course_id = _json(client, "POST", f"{BASE}/courses", payload).json()["id"]
    with school_a.active():
        LessonFactory(course=Course.objects.get(pk=course_id), day=1, slot=0)
        new_class = SchoolClassFactory().pk
    refused = _json(client, "PUT", f"{BASE}/courses/{course_id}", {**payload, "class_ids": [new_class]})
    removed = client.delete(f"{BASE}/courses/{course_id}/lessons")
    accepted = _json(client, "PUT", f"{BASE}/courses/{course_id}", {**payload, "class_ids": [new_class]})
    assert (refused.status_code, refused.json()["code"]) == (409, "course_placed")
    assert removed.status_code == 204
    assert accepted.status_code == 200
    assert [c["id"] for c in accepted.json()["classes"]] == [new_class]
    with school_a.active():
        assert not Lesson.objects.exists()


def test_course_list_is_for_builders_and_bounded_in_queries(
    school_a: Any, api_as: Any, django_assert_max_num_queries: Any
) -> None:
    with school_a.active():
        head, teacher = person(Role.DIRECTION), person(Role.TEACHER)
        for _ in range(2):
            CourseFactory(teachers=[teacher], classes=[SchoolClassFactory()], groups=[TeachingGroupFactory()])
    client = api_as(head, school_a)
    with django_assert_max_num_queries(12):
        client.get(f"{BASE}/courses")
    with school_a.active():
        for _ in range(40):
            course = CourseFactory(
                teachers=[teacher], classes=[SchoolClassFactory()], groups=[TeachingGroupFactory()]
            )
            LessonFactory(course=course)
    with django_assert_max_num_queries(12):
        listed = client.get(f"{BASE}/courses?limit=100").json()
    assert listed["count"] == 42
    assert sum(course["placed_lessons"] for course in listed["items"]) == 40
    assert api_as(teacher, school_a).get(f"{BASE}/courses").status_code == 403


# ---- calendar ------------------------------------------------------------------------------------


def test_calendar_is_read_by_staff_and_edited_by_builders(school_a: Any, api_as: Any) -> None:
    with school_a.active():
        head, teacher = person(Role.DIRECTION), person(Role.TEACHER)
        pupil = student_in(SchoolClassFactory())
    client = api_as(head, school_a)
    (year,) = api_as(teacher, school_a).get(f"{BASE}/calendar").json()
    refused_pupil = api_as(pupil, school_a).get(f"{BASE}/calendar")
    period_id = year["periods"][0]["id"]
    overlap = _json(
        client,
        "PUT",
        f"{BASE}/periods/{period_id}",
        {"label": "T1", "starts_on": "2026-09-01", "ends_on": "2026-12-15"},
    )
    outside = _json(
        client,
        "POST",
        f"{BASE}/holidays",
        {"label": "Été", "starts_on": "2027-07-01", "ends_on": "2027-08-31"},
    )
    holiday = _json(
        client,
        "POST",
        f"{BASE}/holidays",
        {"label": "Vendredi saint", "kind": "public", "starts_on": "2027-03-26", "ends_on": "2027-03-26"},
    )
    teacher_write = _json(
        api_as(teacher, school_a),
        "POST",
        f"{BASE}/periods",
        {"label": "X", "starts_on": "2026-09-01", "ends_on": "2026-09-02"},
    )
    removed = client.delete(f"{BASE}/periods/{period_id}")
    holiday_removed = client.delete(f"{BASE}/holidays/{holiday.json()['id']}")
    assert year["label"] == "2026-2027"
    assert [p["label"] for p in year["periods"]] == ["Trimestre 1", "Trimestre 2", "Trimestre 3"]
    assert "Vacances de Noël" in [h["label"] for h in year["holidays"]]
    assert refused_pupil.status_code == 403
    assert (overlap.status_code, overlap.json()["code"]) == (409, "period_overlap")
    assert (outside.status_code, outside.json()["code"]) == (400, "date_outside_year")
    assert outside.json()["message"] == "Les dates doivent être comprises dans une même année scolaire."
    assert holiday.status_code == 201
    assert holiday.json()["kind_label"] == "Jour férié"
    assert teacher_write.status_code == 403
    assert removed.status_code == 204
    assert holiday_removed.status_code == 204
    with school_a.active():
        assert list(Period.objects.values_list("label", flat=True)) == ["Trimestre 2", "Trimestre 3"]


# ---- weekly grid ---------------------------------------------------------------------------------


def test_grid_slots_are_listed_added_changed_and_protected(school_a: Any, api_as: Any) -> None:
    with school_a.active():
        head = person(Role.DIRECTION)
        LessonFactory(day=0, slot=0)
        used = TimeSlot.objects.get(day=0, index=0).pk
    client = api_as(head, school_a)
    listed = client.get(f"{BASE}/time-slots?limit=100").json()
    added = _json(
        client, "POST", f"{BASE}/time-slots", {"day": 2, "index": 4, "starts_at": "13:30", "ends_at": "14:30"}
    )
    overlapping = _json(
        client, "POST", f"{BASE}/time-slots", {"day": 2, "index": 5, "starts_at": "14:00", "ends_at": "15:00"}
    )
    changed = _json(
        client,
        "PUT",
        f"{BASE}/time-slots/{added.json()['id']}",
        {"starts_at": "13:45", "ends_at": "14:45", "is_lunch": False},
    )
    in_use = client.delete(f"{BASE}/time-slots/{used}")
    removed = client.delete(f"{BASE}/time-slots/{added.json()['id']}")
    assert listed["count"] == 36  # 4 days of 8 slots and Wednesday morning
    assert listed["items"][0] == {
        "id": used,
        "day": 0,
        "day_label": "Lundi",
        "index": 0,
        "starts_at": "08:00:00",
        "ends_at": "09:00:00",
        "is_lunch": False,
    }
    assert added.status_code == 201
    assert (overlapping.status_code, overlapping.json()["code"]) == (409, "time_slot_overlap")
    assert changed.json()["starts_at"] == "13:45:00"
    assert (in_use.status_code, in_use.json()["code"]) == (409, "time_slot_in_use")
    assert removed.status_code == 204
    with school_a.active():
        assert TimeSlot.objects.count() == 36


# ---- constraints ---------------------------------------------------------------------------------


def test_unavailabilities_and_daily_limits_for_builders_only(school_a: Any, api_as: Any) -> None:
    with school_a.active():
        head, teacher = person(Role.DIRECTION), person(Role.TEACHER, display_name="M. Meyer")
        school_class = SchoolClassFactory(label="4C")
    client = api_as(head, school_a)
    unavailable = _json(
        client, "POST", f"{BASE}/unavailabilities", {"teacher_id": teacher.pk, "day": 4, "slot": 7}
    )
    twice = _json(client, "POST", f"{BASE}/unavailabilities", {"teacher_id": teacher.pk, "day": 4, "slot": 7})
    no_target = _json(client, "POST", f"{BASE}/unavailabilities", {"day": 4, "slot": 7})
    closed = _json(
        client, "POST", f"{BASE}/unavailabilities", {"class_id": school_class.pk, "day": 2, "slot": 6}
    )
    cap = _json(client, "POST", f"{BASE}/daily-limits", {"class_id": school_class.pk, "max_slots": 6})
    cap_again = _json(client, "POST", f"{BASE}/daily-limits", {"class_id": school_class.pk, "max_slots": 5})
    listed = client.get(f"{BASE}/unavailabilities").json()
    limits = client.get(f"{BASE}/daily-limits").json()
    teacher_reads = api_as(teacher, school_a).get(f"{BASE}/unavailabilities")
    teacher_caps = _json(
        api_as(teacher, school_a), "POST", f"{BASE}/daily-limits", {"teacher_id": teacher.pk, "max_slots": 1}
    )
    assert unavailable.status_code == 201
    assert unavailable.json()["target"] == "M. Meyer"
    assert (twice.status_code, twice.json()["code"]) == (409, "unavailability_duplicate")
    assert (no_target.status_code, no_target.json()["code"]) == (400, "target_required")
    assert (closed.status_code, closed.json()["code"]) == (400, "slot_outside_grid")
    assert cap.status_code == 200
    assert cap_again.json() == {
        "id": cap.json()["id"],
        "teacher_id": None,
        "class_id": school_class.pk,
        "target": "Classe 4C",
        "max_slots": 5,
    }
    assert [item["target"] for item in listed["items"]] == ["M. Meyer"]
    assert [limit["max_slots"] for limit in limits["items"]] == [5]
    assert teacher_reads.status_code == 403
    assert teacher_caps.status_code == 403
    assert client.delete(f"{BASE}/unavailabilities/{unavailable.json()['id']}").status_code == 204
    assert client.delete(f"{BASE}/daily-limits/{cap.json()['id']}").status_code == 204
    with school_a.active():
        assert not Unavailability.objects.exists()
        assert not DailyLimit.objects.exists()
