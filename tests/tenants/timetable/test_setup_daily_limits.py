"""Daily caps of teachers and classes reach the solver and bind the generated timetable (CP-SAT, seed 7)."""

from __future__ import annotations

from collections import Counter
from typing import Any

from tenants.directory.models import Role
from tenants.timetable import selectors, services, setup_services
from tenants.timetable.models import GenerationRun, Lesson, RunStatus
from tests.tenants.timetable.factories import CourseFactory, SchoolClassFactory, SubjectFactory, person


def _capped_school(teacher_cap: int) -> dict[str, Any]:
    """Mme Roth teaches 6A ten sessions a week; 6B has fifteen sessions from two others and a cap of 3."""
    head = person(Role.DIRECTION)
    roth, weber, koch = (
        person(Role.TEACHER, display_name=name) for name in ("Mme Roth", "M. Weber", "M. Koch")
    )
    class_a, class_b = SchoolClassFactory(label="6A"), SchoolClassFactory(label="6B")
    CourseFactory(
        subject=SubjectFactory(label="Maths"), teachers=[roth], classes=[class_a], sessions_per_week=10
    )
    CourseFactory(
        subject=SubjectFactory(label="Histoire"), teachers=[weber], classes=[class_b], sessions_per_week=8
    )
    CourseFactory(
        subject=SubjectFactory(label="Anglais"), teachers=[koch], classes=[class_b], sessions_per_week=7
    )
    setup_services.daily_limit_set(actor=head, teacher=roth, max_slots=teacher_cap)
    setup_services.daily_limit_set(actor=head, school_class=class_b, max_slots=3)
    return {"head": head, "roth": roth, "class_a": class_a, "class_b": class_b}


def _generate(head: Any, django_capture_on_commit_callbacks: Any) -> GenerationRun:
    with django_capture_on_commit_callbacks(execute=True):
        run = services.generation_start(requested_by=head, workers=1, seed=7, time_limit_s=10)
    run.refresh_from_db()
    return run


def test_generated_problem_carries_the_caps_of_teachers_and_classes(school_a: Any) -> None:
    with school_a.active():
        # given a capped teacher and a capped class
        school = _capped_school(teacher_cap=2)
        # when the solver problem is built
        problem = selectors.generation_input().problem
        # then the teacher and the class carry their caps, the others none
        caps = {teacher.name: teacher.max_hours_per_day for teacher in problem.teachers}
        groups = {group.name: group.max_hours_per_day for group in problem.groups}
        assert caps == {"Mme Roth": 2, "M. Weber": None, "M. Koch": None}
        assert groups == {"6A": None, "6B": 3}
        assert f"t{school['roth'].pk}" in {teacher.id for teacher in problem.teachers}


def test_generation_keeps_each_day_within_the_caps(
    school_a: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with school_a.active():
        # given ten sessions for a teacher capped at 2 a day and fifteen for a class capped at 3 (5 days)
        school = _capped_school(teacher_cap=2)
        # when the timetable is generated
        run = _generate(school["head"], django_capture_on_commit_callbacks)
        # then every session is placed and no day goes over a cap: here exactly 2 and 3 each day
        assert run.status in (RunStatus.DONE, RunStatus.STOPPED), run.error
        assert Lesson.objects.count() == 25
        roth_days = Counter(
            Lesson.objects.filter(course__teachers=school["roth"]).values_list("day", flat=True)
        )
        class_b_days = Counter(
            Lesson.objects.filter(course__classes=school["class_b"]).values_list("day", flat=True)
        )
        assert sorted(roth_days.values()) == [2, 2, 2, 2, 2]
        assert sorted(class_b_days.values()) == [3, 3, 3, 3, 3]


def test_a_cap_too_low_makes_generation_impossible_and_says_why(
    school_a: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with school_a.active():
        # given ten sessions for a teacher capped at one a day over a five-day week
        school = _capped_school(teacher_cap=1)
        # when the timetable is generated
        run = _generate(school["head"], django_capture_on_commit_callbacks)
        # then no timetable is possible, the cap is named among the causes, and no lesson is written
        assert run.status == RunStatus.INFEASIBLE
        assert run.explanation is not None
        details = [conflict["detail"] for conflict in run.explanation["conflicts"]]
        assert "Mme Roth : au plus 1 h de cours par jour" in details
        assert not Lesson.objects.exists()
