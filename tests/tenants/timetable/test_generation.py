"""Generation runs end to end on a tiny school: CP-SAT (seed, one worker), progress, pins, explanations."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from mbn.audit.models import AuditEvent
from tenants.directory.models import Role
from tenants.timetable import errors, selectors, services
from tenants.timetable.models import GenerationRun, Lesson, RunStatus
from tenants.timetable.solver import problem as solver
from tenants.timetable.solver.check import verify
from tests.conftest import client_on
from tests.tenants.timetable.factories import (
    CourseFactory,
    LessonFactory,
    RoomFactory,
    SchoolClassFactory,
    SubjectFactory,
    TeachingGroupFactory,
    pattern,
    person,
)

BASE = "/api/v1/timetable"


def _tiny_school() -> dict:
    """Two classes (one split in halves), three teachers, a gym and two classrooms: 22 sessions."""
    class_a, class_b = SchoolClassFactory(label="6A"), SchoolClassFactory(label="6B")
    half_1 = TeachingGroupFactory(classes=[class_a], label="6A gr1")
    half_2 = TeachingGroupFactory(classes=[class_a], label="6A gr2")
    maths, french, sport = person(Role.TEACHER), person(Role.TEACHER), person(Role.TEACHER)
    RoomFactory(name="S1"), RoomFactory(name="S2"), RoomFactory(name="Gymnase", kind="gym")
    courses = [
        CourseFactory(
            subject=SubjectFactory(label="Maths"),
            teachers=[maths],
            classes=[class_a],
            sessions_per_week=4,
            room_kind="classroom",
        ),
        CourseFactory(
            subject=SubjectFactory(label="Maths"),
            teachers=[maths],
            classes=[class_b],
            sessions_per_week=4,
            room_kind="classroom",
        ),
        CourseFactory(
            subject=SubjectFactory(label="Français"),
            teachers=[french],
            classes=[class_a],
            sessions_per_week=4,
            room_kind="classroom",
        ),
        CourseFactory(
            subject=SubjectFactory(label="Français"),
            teachers=[french],
            classes=[class_b],
            sessions_per_week=4,
            room_kind="classroom",
        ),
        CourseFactory(
            subject=SubjectFactory(label="EPS"),
            teachers=[sport],
            classes=[class_a],
            duration=2,
            room_kind="gym",
        ),
        CourseFactory(
            subject=SubjectFactory(label="EPS"),
            teachers=[sport],
            classes=[class_b],
            duration=2,
            room_kind="gym",
        ),
        CourseFactory(
            subject=SubjectFactory(label="Sciences"),
            teachers=[maths],
            groups=[half_1],
            room_kind="classroom",
            week_pattern=pattern("A"),
        ),
        CourseFactory(
            subject=SubjectFactory(label="Sciences"),
            teachers=[maths],
            groups=[half_2],
            room_kind="classroom",
            week_pattern=pattern("B"),
        ),
        CourseFactory(
            subject=SubjectFactory(label="Anglais"),
            teachers=[french],
            groups=[half_1],
            sessions_per_week=2,
            room_kind="classroom",
        ),
        CourseFactory(
            subject=SubjectFactory(label="Anglais"),
            teachers=[sport],
            groups=[half_2],
            sessions_per_week=2,
            room_kind="classroom",
        ),
    ]
    return {"courses": courses, "direction": person(Role.DIRECTION)}


def _solution_from_db(given: selectors.GenerationInput) -> solver.Solution:
    return solver.Solution(
        tuple(
            solver.PlacedLesson(
                course_id=f"k{lesson.course_id}",
                session=lesson.session,
                day=lesson.day,
                slot=lesson.slot,
                room_id=f"r{lesson.room_id}" if lesson.room_id else None,
                pattern=selectors.solver_pattern(lesson.week_pattern),
            )
            for lesson in Lesson.objects.select_related("week_pattern")
        )
    )


def _run(direction: Any, django_capture_on_commit_callbacks: Any, **options: Any) -> GenerationRun:
    with django_capture_on_commit_callbacks(execute=True):
        run = services.generation_start(requested_by=direction, workers=1, seed=7, **options)
    run.refresh_from_db()
    return run


def test_generation_places_every_session_without_clash_and_reports_progress(
    school_a: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with school_a.active():
        # given a tiny school with no lesson placed
        school = _tiny_school()
        # when a generation runs (task executed eagerly after commit)
        run = _run(school["direction"], django_capture_on_commit_callbacks, time_limit_s=20)
        # then every session is placed, the independent checker finds no hard violation
        assert run.status == RunStatus.DONE, run.error
        assert Lesson.objects.count() == run.lessons_placed == 24
        given = selectors.generation_input()
        assert verify(given.problem, _solution_from_db(given)) == []
        # and progress went to the row, ending at the best cost; the run is audited
        assert run.progress
        assert run.best_cost == run.progress[-1][1]
        assert run.started_at
        assert run.finished_at
        assert AuditEvent.objects.filter(action="timetable.generated", target_id=str(run.pk)).exists()
        # and every room clash the services know of is absent too
        for lesson in Lesson.objects.all():
            (loaded,) = services._with_course([lesson])
            assert (
                services._clashes([services._Placement(loaded, loaded.day, loaded.slot, loaded.room_id)])
                == []
            )


def test_pinned_lessons_keep_their_place_and_current_lessons_warm_start(
    school_a: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with school_a.active():
        # given a tiny school with one lesson pinned on Thursday afternoon
        school = _tiny_school()
        pinned = LessonFactory(course=school["courses"][0], session=0, day=3, slot=6, is_pinned=True)
        # when the current timetable is read for generation
        given = selectors.generation_input()
        # then the pin is passed both as pinned and in the hint
        assert [(p.course_id, p.day, p.slot) for p in given.pinned] == [(f"k{pinned.course_id}", 3, 6)]
        assert given.hint is not None
        assert len(given.hint.lessons) == 1
        # when the generation runs
        run = _run(school["direction"], django_capture_on_commit_callbacks, time_limit_s=20)
        # then the pinned lesson is where it was and the rest is placed around it
        pinned.refresh_from_db()
        assert run.status == RunStatus.DONE
        assert (pinned.day, pinned.slot, pinned.is_pinned) == (3, 6, True)
        assert Lesson.objects.count() == 24


def test_impossible_timetable_stores_an_explanation_instead_of_crashing(
    school_a: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with school_a.active():
        # given a course that needs a lab in a school without any
        direction = person(Role.DIRECTION)
        CourseFactory(teachers=[person(Role.TEACHER)], classes=[SchoolClassFactory()], room_kind="lab")
        # when a generation runs
        run = _run(direction, django_capture_on_commit_callbacks, time_limit_s=5)
        # then it ends "infeasible" with named, French conflicts, and no lesson is written
        assert run.status == RunStatus.INFEASIBLE
        assert run.explanation is not None
        assert run.explanation["conflicts"]
        assert all(conflict["detail"] for conflict in run.explanation["conflicts"])
        assert not Lesson.objects.exists()


def test_stop_before_start_ends_the_run_and_writes_nothing(
    school_a: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with school_a.active():
        school = _tiny_school()
        with django_capture_on_commit_callbacks(execute=True):
            run = services.generation_start(requested_by=school["direction"], workers=1, time_limit_s=20)
            services.generation_stop(requested_by=school["direction"], run=run)
        run.refresh_from_db()
        assert run.status == RunStatus.STOPPED
        assert not Lesson.objects.exists()
        with pytest.raises(errors.GenerationNotRunning):
            services.generation_stop(requested_by=school["direction"], run=run)


def test_one_generation_at_a_time_and_nothing_to_generate(school_a: Any) -> None:
    with school_a.active():
        direction = person(Role.DIRECTION)
        with pytest.raises(errors.NothingToGenerate):
            services.generation_start(requested_by=direction)
        CourseFactory()
        GenerationRun.objects.create(status=RunStatus.RUNNING)
        with pytest.raises(errors.GenerationAlreadyRunning) as refused:
            services.generation_start(requested_by=direction)
        assert refused.value.message == "Une génération est déjà en cours : attendez sa fin ou arrêtez-la."
        assert GenerationRun.objects.count() == 1


def test_a_run_whose_worker_died_is_closed_and_no_longer_blocks_the_school(
    school_a: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with school_a.active():
        school = _tiny_school()
        now = timezone.now()
        # given a run "running" for an hour with a 60 s limit (its worker crashed) and a fresh one elsewhere
        dead = GenerationRun.objects.create(
            status=RunStatus.RUNNING, time_limit_s=60, started_at=now - timedelta(hours=1)
        )
        # when the direction starts a generation
        with django_capture_on_commit_callbacks(execute=False):
            fresh = services.generation_start(requested_by=school["direction"], workers=1, time_limit_s=20)
        # then the dead run is closed as failed with a French reason and audited, and the new one is queued
        dead.refresh_from_db()
        assert dead.status == RunStatus.FAILED
        assert "interrompue" in dead.error
        assert dead.finished_at is not None
        assert AuditEvent.objects.filter(
            action="timetable.generation_interrupted", target_id=str(dead.pk)
        ).exists()
        assert fresh.status == RunStatus.QUEUED
        # a run within its time limit is left alone; a queued one only after a day
        assert services.generation_runs_close_interrupted(now=now + timedelta(minutes=5)) == []
        closed = services.generation_runs_close_interrupted(now=now + timedelta(days=1, minutes=1))
        assert [run.pk for run in closed] == [fresh.pk]


def test_looking_at_a_run_whose_worker_died_shows_it_interrupted(school_a: Any, api_as: Any) -> None:
    with school_a.active():
        direction = person(Role.DIRECTION)
        dead = GenerationRun.objects.create(
            status=RunStatus.RUNNING, time_limit_s=60, started_at=timezone.now() - timedelta(hours=1)
        )
    # the API says failed, with the reason
    body = api_as(direction, school_a).get(f"/api/v1/timetable/generations/{dead.pk}").json()
    assert (body["status"], "interrompue" in body["error"]) == ("failed", True)
    # and the page shows it without polling any more
    page = client_on(school_a.host, direction.account).get(f"/emploi-du-temps/generation/{dead.pk}/")
    assert "interrompue" in page.content.decode()
    assert "hx-trigger" not in page.content.decode()


def test_a_result_arriving_after_its_run_was_closed_is_dropped(school_a: Any, monkeypatch: Any) -> None:
    with school_a.active():
        school = _tiny_school()
        run = GenerationRun.objects.create(
            requested_by=school["direction"], time_limit_s=5, seed=1, workers=1
        )
        # given the run closed as interrupted while its worker was still solving
        original = services._solve_watched

        def solve_then_closed(run_: GenerationRun, given: Any) -> Any:
            result = original(run_, given)
            GenerationRun.objects.filter(pk=run_.pk).update(status=RunStatus.FAILED)
            return result

        monkeypatch.setattr(services, "_solve_watched", solve_then_closed)
        services.generation_run(run_id=run.pk)
        # then nothing is written
        run.refresh_from_db()
        assert run.status == RunStatus.FAILED
        assert not Lesson.objects.exists()


def test_generation_api_for_direction_only_and_per_school(
    school_a: Any, school_b: Any, api_as: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with school_a.active():
        school = _tiny_school()
        teacher = person(Role.TEACHER)
    with school_b.active():
        b_direction = person(Role.DIRECTION)
    client = api_as(school["direction"], school_a)
    with django_capture_on_commit_callbacks(execute=True):
        started = client.post(f"{BASE}/generations", {"time_limit_s": 20}, content_type="application/json")
    run_id = started.json()["id"]
    status = client.get(f"{BASE}/generations/{run_id}")
    stop_late = client.post(f"{BASE}/generations/{run_id}/stop")
    assert started.status_code == 202
    assert status.json()["status"] in ("done", "stopped")
    assert status.json()["lessons_placed"] == 24
    assert stop_late.status_code == 409
    assert stop_late.json()["code"] == "generation_not_running"
    assert (
        api_as(teacher, school_a).post(f"{BASE}/generations", {}, content_type="application/json").status_code
        == 403
    )
    assert api_as(b_direction, school_b).get(f"{BASE}/generations/{run_id}").status_code == 404
    assert api_as(b_direction, school_b).get(f"{BASE}/generations").json()["count"] == 0
