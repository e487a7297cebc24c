"""Moving a lesson from the grid by choosing its new time and room (direction and ENT admin)."""

from __future__ import annotations

from typing import Any

from tenants.directory.models import Role
from tenants.timetable.models import Lesson
from tests.tenants.timetable.factories import (
    CourseFactory,
    LessonFactory,
    SchoolClassFactory,
    SubjectFactory,
    person,
)


def _two_lessons_of_one_class() -> tuple[Any, Lesson, Lesson]:
    school_class = SchoolClassFactory(label="5C")
    french = LessonFactory(
        course=CourseFactory(subject=SubjectFactory(label="Français"), classes=[school_class]), day=0, slot=0
    )
    maths = LessonFactory(
        course=CourseFactory(subject=SubjectFactory(label="Maths"), classes=[school_class]), day=0, slot=1
    )
    return school_class, french, maths


def test_direction_moves_a_lesson_from_the_grid(school_a: Any, api_as: Any) -> None:
    # given a class with two lessons on Monday and the head
    with school_a.active():
        school_class, french, _maths = _two_lessons_of_one_class()
        head = person(Role.DIRECTION)
    client = api_as(head, school_a)
    # when the head opens the class grid, asks for the move form and moves French to Tuesday 3rd slot
    grid = client.get(f"/emploi-du-temps/classes/{school_class.pk}/").content.decode()
    form = client.get(f"/emploi-du-temps/cours/{french.pk}/deplacer", HTTP_HX_REQUEST="true")
    moved = client.post(
        f"/emploi-du-temps/cours/{french.pk}/deplacer", {"day": 1, "slot": 2}, HTTP_HX_REQUEST="true"
    )
    # then the grid offers the move, the form lists the days, and the lesson is at its new place
    assert f"/emploi-du-temps/cours/{french.pk}/deplacer" in grid
    assert "Déplacer : Français" in form.content.decode()
    assert moved.status_code == 204
    assert moved["HX-Refresh"] == "true"
    with school_a.active():
        assert Lesson.objects.values_list("day", "slot").get(pk=french.pk) == (1, 2)


def test_a_clash_is_refused_with_its_reason_and_nothing_moves(school_a: Any, api_as: Any) -> None:
    # given French at 8:00 and Maths at 9:00 for the same class
    with school_a.active():
        _class, french, maths = _two_lessons_of_one_class()
        head = person(Role.DIRECTION)
    # when French is moved onto Maths' slot
    refused = api_as(head, school_a).post(
        f"/emploi-du-temps/cours/{french.pk}/deplacer",
        {"day": maths.day, "slot": maths.slot},
        HTTP_HX_REQUEST="true",
    )
    # then the form comes back with the clash in French, and French has not moved
    assert refused.status_code == 409
    assert 'role="alert"' in refused.content.decode()
    with school_a.active():
        assert Lesson.objects.values_list("day", "slot").get(pk=french.pk) == (0, 0)


def test_other_roles_and_other_schools_cannot_move(school_a: Any, school_b: Any, api_as: Any) -> None:
    with school_a.active():
        school_class, french, _maths = _two_lessons_of_one_class()
        teacher, cpe = person(Role.TEACHER), person(Role.VIE_SCOLAIRE)
    with school_b.active():
        head_b = person(Role.DIRECTION)
    for actor, school in ((teacher, school_a), (cpe, school_a), (head_b, school_a)):
        response = api_as(actor, school).post(
            f"/emploi-du-temps/cours/{french.pk}/deplacer", {"day": 2, "slot": 0}
        )
        assert response.status_code in (403, 404)
    grid = api_as(cpe, school_a).get(f"/emploi-du-temps/classes/{school_class.pk}/").content.decode()
    assert "/deplacer" not in grid
    with school_a.active():
        assert Lesson.objects.values_list("day", "slot").get(pk=french.pk) == (0, 0)
