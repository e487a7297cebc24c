"""Timetable API per role, with school A / school B leak tests and query bounds."""

from __future__ import annotations

from typing import Any

import pytest

from mbn.audit.models import AuditEvent
from tenants.directory.models import Role
from tenants.timetable.models import Lesson
from tests.tenants.timetable.factories import (
    CourseFactory,
    LessonFactory,
    RoomFactory,
    SchoolClassFactory,
    SubjectFactory,
    TeachingGroupFactory,
    guardian_of,
    pattern,
    person,
    student_in,
)

BASE = "/api/v1/timetable"


def _subjects(grid: dict) -> set[str]:
    return {lesson["subject"] for lesson in grid["lessons"]}


def _class_with_lessons(marker: str) -> Any:
    """A class with a whole-class lesson, a group lesson for group 1 and one for group 2."""
    school_class = SchoolClassFactory(label=f"4{marker}")
    group_1 = TeachingGroupFactory(classes=[school_class], label=f"{marker} gr1")
    group_2 = TeachingGroupFactory(classes=[school_class], label=f"{marker} gr2")
    teacher = person(Role.TEACHER, display_name=f"Prof {marker}")
    whole = CourseFactory(
        subject=SubjectFactory(label=f"Maths {marker}"), teachers=[teacher], classes=[school_class]
    )
    LessonFactory(course=whole, day=0, slot=0, room=RoomFactory(name=f"Salle {marker}"))
    LessonFactory(
        course=CourseFactory(subject=SubjectFactory(label=f"Allemand {marker}"), groups=[group_1]), slot=1
    )
    LessonFactory(
        course=CourseFactory(
            subject=SubjectFactory(label=f"Espagnol {marker}"), groups=[group_2], week_pattern=pattern("B")
        ),
        slot=1,
    )
    return school_class, group_1, teacher


def test_pupil_sees_own_class_and_own_group_only_never_school_b(
    school_a: Any, school_b: Any, api_as: Any
) -> None:
    # given a class in each school, and a pupil of A in group 1
    with school_a.active():
        school_class, group_1, _ = _class_with_lessons("A")
        pupil = student_in(school_class, groups=[group_1])
    with school_b.active():
        _class_with_lessons("B")
    # when the pupil asks for their own timetable on A, then on B
    own = api_as(pupil, school_a).get(f"{BASE}/grids/me")
    other = api_as(pupil, school_b).get(f"{BASE}/grids/me")
    # then A's whole-class and group-1 lessons show, not group 2's nor B's
    assert own.status_code == 200
    (grid,) = own.json()
    assert _subjects(grid) == {"Maths A", "Allemand A"}
    assert "B" not in "".join(_subjects(grid)).replace("A", "")
    assert grid["slots"][0]["starts_at"] == "08:00:00"
    assert other.status_code == 403


def test_week_filter_keeps_every_week_and_the_chosen_week(school_a: Any, api_as: Any) -> None:
    with school_a.active():
        school_class, _, _ = _class_with_lessons("A")
        direction = person(Role.DIRECTION)
    client = api_as(direction, school_a)
    week_a = client.get(f"{BASE}/grids/classes/{school_class.pk}?week=A").json()
    week_b = client.get(f"{BASE}/grids/classes/{school_class.pk}?week=B").json()
    assert _subjects(week_a) == {"Maths A", "Allemand A"}
    assert _subjects(week_b) == {"Maths A", "Allemand A", "Espagnol A"}
    assert week_b["week"] == "B"


def test_guardian_sees_each_child_and_not_another_pupil(school_a: Any, api_as: Any) -> None:
    with school_a.active():
        school_class, group_1, _ = _class_with_lessons("A")
        child = student_in(school_class, groups=[group_1], display_name="Léa Martin")
        stranger = student_in(school_class, display_name="Tom Autre")
        guardian = guardian_of(child)
    client = api_as(guardian, school_a)
    mine = client.get(f"{BASE}/grids/me")
    child_grid = client.get(f"{BASE}/grids/students/{child.pk}")
    other_grid = client.get(f"{BASE}/grids/students/{stranger.pk}")
    assert [grid["title"] for grid in mine.json()] == ["Léa Martin"]
    assert child_grid.status_code == 200
    assert "Allemand A" in _subjects(child_grid.json())
    assert other_grid.status_code == 404
    assert other_grid.json()["code"] == "not_found"


def test_teacher_sees_own_and_taught_classes_but_not_other_teachers(school_a: Any, api_as: Any) -> None:
    with school_a.active():
        school_class, _, teacher = _class_with_lessons("A")
        other_class, _, colleague = _class_with_lessons("Z")
    client = api_as(teacher, school_a)
    assert client.get(f"{BASE}/grids/teachers/{teacher.pk}").status_code == 200
    assert client.get(f"{BASE}/grids/classes/{school_class.pk}").status_code == 200
    assert client.get(f"{BASE}/grids/classes/{other_class.pk}").status_code == 404
    assert client.get(f"{BASE}/grids/teachers/{colleague.pk}").status_code == 404
    (grid,) = client.get(f"{BASE}/grids/me").json()
    assert grid["title"] == "Prof A"
    assert _subjects(grid) == {"Maths A"}


def test_room_grid_is_for_staff_not_pupils(school_a: Any, api_as: Any) -> None:
    with school_a.active():
        school_class, _, teacher = _class_with_lessons("A")
        room = Lesson.objects.get(course__subject__label="Maths A").room
        assert room is not None
        pupil = student_in(school_class)
    assert api_as(teacher, school_a).get(f"{BASE}/grids/rooms/{room.pk}").json()["title"] == "Salle Salle A"
    assert api_as(pupil, school_a).get(f"{BASE}/grids/rooms/{room.pk}").status_code == 404


def test_class_id_of_school_b_is_not_found_on_school_a(school_a: Any, school_b: Any, api_as: Any) -> None:
    # given a class that exists only in B (ids may repeat: B's class gets a high id)
    with school_b.active():
        b_class, _, _ = _class_with_lessons("B")
        for _ in range(3):
            SchoolClassFactory()
        far_class = SchoolClassFactory(label="Seulement B")
    with school_a.active():
        direction = person(Role.DIRECTION)
        own_class, _, _ = _class_with_lessons("A")
    client = api_as(direction, school_a)
    own = client.get(f"{BASE}/grids/classes/{own_class.pk}")
    missing = client.get(f"{BASE}/grids/classes/{far_class.pk}")
    assert own.status_code == 200
    assert "Maths A" in _subjects(own.json())
    assert "Maths B" not in own.content.decode()
    assert b_class.pk
    assert missing.status_code == 404


def test_lesson_list_is_for_builders_and_bounded_in_queries(
    school_a: Any, api_as: Any, django_assert_max_num_queries: Any
) -> None:
    with school_a.active():
        direction = person(Role.DIRECTION)
        teacher = person(Role.TEACHER)
        for slot in range(2):
            LessonFactory(course=CourseFactory(classes=[SchoolClassFactory()]), slot=slot)
    client = api_as(direction, school_a)
    with django_assert_max_num_queries(12):
        first = client.get(f"{BASE}/lessons")
    with school_a.active():
        for index in range(40):
            LessonFactory(course=CourseFactory(classes=[SchoolClassFactory()]), day=index % 5, slot=index % 4)
    with django_assert_max_num_queries(12):
        second = client.get(f"{BASE}/lessons?limit=100")
    assert first.json()["count"] == 2
    assert second.json()["count"] == 42
    refused = api_as(teacher, school_a).get(f"{BASE}/lessons")
    assert refused.status_code == 403
    assert refused.json()["code"] == "forbidden"


def test_grid_queries_do_not_grow_with_lessons(
    school_a: Any, api_as: Any, django_assert_max_num_queries: Any
) -> None:
    with school_a.active():
        direction = person(Role.DIRECTION)
        school_class = SchoolClassFactory()
        for slot in range(2):
            LessonFactory(course=CourseFactory(classes=[school_class]), slot=slot)
    client = api_as(direction, school_a)
    with django_assert_max_num_queries(14):
        client.get(f"{BASE}/grids/classes/{school_class.pk}?week=A")
    with school_a.active():
        for index in range(40):
            LessonFactory(course=CourseFactory(classes=[school_class]), day=index % 5, slot=index % 4)
    with django_assert_max_num_queries(14):
        grid = client.get(f"{BASE}/grids/classes/{school_class.pk}?week=A")
    assert len(grid.json()["lessons"]) == 42


def test_move_via_api_returns_the_conflict_in_french_and_audits_success(school_a: Any, api_as: Any) -> None:
    with school_a.active():
        direction = person(Role.DIRECTION)
        teacher = person(Role.TEACHER, display_name="Mme Klein")
        busy = LessonFactory(course=CourseFactory(teachers=[teacher]), day=0, slot=0)
        mine = LessonFactory(course=CourseFactory(teachers=[teacher]), day=0, slot=3)
    client = api_as(direction, school_a)
    refused = client.patch(
        f"{BASE}/lessons/{mine.pk}", {"day": 0, "slot": 0}, content_type="application/json"
    )
    moved = client.patch(f"{BASE}/lessons/{mine.pk}", {"day": 1, "slot": 2}, content_type="application/json")
    assert refused.status_code == 409
    assert refused.json()["code"] == "lesson_conflict"
    assert "Mme Klein a déjà cours" in refused.json()["message"]
    assert moved.status_code == 200
    assert (moved.json()["day"], moved.json()["slot"]) == (1, 2)
    with school_a.active():
        assert AuditEvent.objects.filter(action="timetable.lesson_moved", target_id=str(mine.pk)).count() == 1
        assert busy.pk


@pytest.mark.parametrize("role", [Role.TEACHER, Role.STUDENT, Role.VIE_SCOLAIRE, Role.GUARDIAN])
def test_only_builders_edit_lessons(school_a: Any, api_as: Any, role: Any) -> None:
    with school_a.active():
        lesson = LessonFactory(course=CourseFactory(), slot=0)
        viewer = person(role)
    client = api_as(viewer, school_a)
    moved = client.patch(f"{BASE}/lessons/{lesson.pk}", {"slot": 1}, content_type="application/json")
    removed = client.delete(f"{BASE}/lessons/{lesson.pk}")
    assert moved.status_code == 403
    assert removed.status_code == 403
    with school_a.active():
        lesson.refresh_from_db()
        assert lesson.slot == 0


def test_place_swap_and_remove_lessons(school_a: Any, api_as: Any) -> None:
    with school_a.active():
        admin = person(Role.SCHOOL_ADMIN)
        course = CourseFactory(classes=[SchoolClassFactory()])
        other = LessonFactory(course=CourseFactory(classes=[SchoolClassFactory()]), day=3, slot=5)
    client = api_as(admin, school_a)
    placed = client.post(
        f"{BASE}/lessons",
        {"course_id": course.pk, "session": 0, "day": 0, "slot": 1},
        content_type="application/json",
    )
    swapped = client.post(
        f"{BASE}/lessons/{placed.json()['id']}/swap", {"other_id": other.pk}, content_type="application/json"
    )
    removed = client.delete(f"{BASE}/lessons/{other.pk}")
    bad = client.post(
        f"{BASE}/lessons",
        {"course_id": course.pk, "session": 0, "day": 9, "slot": 1},
        content_type="application/json",
    )
    assert placed.status_code == 201
    assert swapped.status_code == 200
    assert (swapped.json()[0]["day"], swapped.json()[0]["slot"]) == (3, 5)
    assert removed.status_code == 204
    assert bad.status_code == 422
    assert bad.json()["code"] == "invalid_input"
    with school_a.active():
        assert not Lesson.objects.filter(pk=other.pk).exists()


def test_changes_are_recorded_by_vie_scolaire_and_seen_by_the_class_only(
    school_a: Any, school_b: Any, api_as: Any
) -> None:
    with school_a.active():
        cpe = person(Role.VIE_SCOLAIRE)
        school_class, _, _ = _class_with_lessons("A")
        pupil = student_in(school_class)
        outsider = student_in(SchoolClassFactory())
        lesson = Lesson.objects.get(course__subject__label="Maths A")
    with school_b.active():
        b_cpe = person(Role.VIE_SCOLAIRE)
    recorded = api_as(cpe, school_a).post(
        f"{BASE}/changes",
        {"lesson_id": lesson.pk, "on": "2026-09-07", "is_cancelled": True, "note": "Sortie"},
        content_type="application/json",
    )
    window = "start_on=2026-09-01&end_on=2026-09-30"
    seen = api_as(pupil, school_a).get(f"{BASE}/changes?{window}").json()
    unseen = api_as(outsider, school_a).get(f"{BASE}/changes?{window}").json()
    b_view = api_as(b_cpe, school_b).get(f"{BASE}/changes?{window}").json()
    refused = api_as(pupil, school_a).post(
        f"{BASE}/changes",
        {"lesson_id": lesson.pk, "on": "2026-09-07", "is_cancelled": True},
        content_type="application/json",
    )
    assert recorded.status_code == 201
    assert recorded.json()["is_cancelled"] is True
    assert [item["subject"] for item in seen["items"]] == ["Maths A"]
    assert unseen["count"] == 0
    assert b_view["count"] == 0
    assert refused.status_code == 403


def test_change_on_a_holiday_is_refused_with_code_and_message(school_a: Any, api_as: Any) -> None:
    with school_a.active():
        cpe = person(Role.VIE_SCOLAIRE)
        lesson = LessonFactory(course=CourseFactory(), day=0, slot=0)
    refused = api_as(cpe, school_a).post(
        f"{BASE}/changes",
        {"lesson_id": lesson.pk, "on": "2026-10-19", "is_cancelled": True},
        content_type="application/json",
    )
    assert refused.status_code == 400
    assert refused.json() == {"code": "change_date_invalid", "message": "Ce cours n'a pas lieu à cette date."}
