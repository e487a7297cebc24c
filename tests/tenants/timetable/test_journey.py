"""A school's timetable from start to finish, through the API only: STS-Web import, set-up, generation
with progress, an edit refused for a clash then accepted, and a pupil's iCalendar subscription."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from icalendar import Calendar

from tenants.directory.models import SchoolClass
from tenants.timetable.imports.samples import sample_sts_export, write_sts
from tenants.timetable.imports.sts import sts_file_name
from tests.conftest import UAI_A
from tests.tenants.timetable.factories import sample_teachers, student_in

BASE = "/api/v1/timetable"


def _json(client: Any, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
    response = getattr(client, method)(f"{BASE}{path}", body, content_type="application/json")
    return response.status_code, response.json() if response.content else None


def test_import_generate_edit_and_subscribe(
    school_a: Any, api_as: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with school_a.active():
        staff = sample_teachers()
    head = api_as(staff["direction"], school_a)

    # 1. the head imports the STS-Web export: classes, subjects and courses appear
    name = sts_file_name(UAI_A, 2025)
    imported = head.post(
        f"{BASE}/imports/sts", {"file": SimpleUploadedFile(name, write_sts(sample_sts_export(UAI_A, 2025)))}
    )
    assert imported.status_code == 200, imported.content
    status, courses = _json(head, "get", "/courses")
    assert status == 200
    assert courses["count"] >= 3

    # 2. set-up: a classroom, and two weekly sessions for every course
    assert _json(head, "post", "/rooms", {"name": "S12", "kind": "classroom", "capacity": 30})[0] == 201
    for course in courses["items"]:
        body = {
            "subject_id": course["subject_id"],
            "teacher_ids": [t["id"] for t in course["teachers"]],
            "class_ids": [c["id"] for c in course["classes"]],
            "group_ids": [g["id"] for g in course["groups"]],
            "duration": 1,
            "sessions_per_week": 2,
            "week_pattern": course["week_pattern"],
            "room_kind": "",
        }
        assert _json(head, "put", f"/courses/{course['id']}", body)[0] == 200

    # 3. generation: the run ends with every session placed and its progress recorded
    with django_capture_on_commit_callbacks(execute=True):
        status, run = _json(head, "post", "/generations", {"time_limit_s": 20, "seed": 1})
    assert status == 202
    status, run = _json(head, "get", f"/generations/{run['id']}")
    assert run["status"] == "done", run
    assert run["lessons_placed"] == 2 * courses["count"]
    assert run["progress"]

    # 4. edit: moving a 4B lesson onto another 4B lesson is refused with the clash named, then a free
    # cell is accepted
    with school_a.active():
        class_4b = SchoolClass.objects.get(code="4B")
    status, lessons = _json(head, "get", "/lessons?limit=100")
    courses_4b = {
        course["id"] for course in courses["items"] if class_4b.pk in {c["id"] for c in course["classes"]}
    }
    of_4b = [lesson for lesson in lessons["items"] if lesson["course_id"] in courses_4b]
    first, second = of_4b[0], of_4b[1]
    status, refused = _json(
        head, "patch", f"/lessons/{first['id']}", {"day": second["day"], "slot": second["slot"]}
    )
    assert status == 409
    assert refused["code"] == "lesson_conflict"
    assert f"la classe {class_4b.label} a déjà cours" in refused["message"]
    taken = {(lesson["day"], lesson["slot"]) for lesson in lessons["items"]}
    free = next((day, slot) for day in range(5) for slot in range(8) if (day, slot) not in taken)
    status, moved = _json(head, "patch", f"/lessons/{first['id']}", {"day": free[0], "slot": free[1]})
    assert status == 200, moved
    assert (moved["day"], moved["slot"]) == free

    # 5. a pupil of 4B subscribes to their timetable; a calendar app reads it without any session
    with school_a.active():
        pupil = student_in(class_4b, display_name="Inès Pupille")
    pupil_client = api_as(pupil, school_a)
    status, feed = _json(pupil_client, "post", "/feeds", {"target_kind": "student", "target_id": pupil.pk})
    assert status == 201
    calendar = api_as(None, school_a).get(feed["url"].split(school_a.host, 1)[1])
    assert calendar.status_code == 200
    events = Calendar.from_ical(calendar.content).walk("VEVENT")
    assert len(events) == len(of_4b)
    assert all(event.get("rrule") for event in events)
    assert first["subject"] in {str(event["summary"]) for event in events}
