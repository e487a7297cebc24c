"""The demo school's timetable: generated structures written through the services, then generated."""

from __future__ import annotations

from typing import Any

from tenants.directory.models import Person, Role, SchoolClass
from tenants.timetable import selectors, services
from tenants.timetable.demo import demo_timetable_seed
from tenants.timetable.models import Course, GenerationRun, Lesson, Room, RunStatus
from tests.shared.accounts.factories import AccountFactory
from tests.tenants.timetable.factories import person


def _account(username: str, first_name: str, last_name: str) -> Any:
    return AccountFactory(username=username, first_name=first_name, last_name=last_name)


def test_demo_school_gets_a_collège_and_its_pupil_a_timetable(
    school_a: Any, school_b: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with school_a.active():
        head, pupil = person(Role.DIRECTION), person(Role.STUDENT)
        # when the demo seeds the school
        with django_capture_on_commit_callbacks(execute=False) as queued:
            run = demo_timetable_seed(head=head, pupil=pupil, account_for=_account, slug="a", classes=1)
        # then classes, teachers, rooms and courses exist, the pupil is in the first class, a run is queued
        assert SchoolClass.objects.filter(code="6A", memberships__student=pupil).exists()
        assert Person.objects.filter(roles__contains=[Role.TEACHER]).count() >= 4
        assert Room.objects.filter(kind="gym").exists()
        assert Course.objects.count() >= 10
        assert run.status == RunStatus.QUEUED
        assert len(queued) == 1
        # and the worker's generation gives the pupil a full week
        GenerationRun.objects.filter(pk=run.pk).update(time_limit_s=10, workers=1)
        run = services.generation_run(run_id=run.pk)
        assert run.status == RunStatus.DONE, run.error
        (grid,) = selectors.my_grids(viewer=pupil)
        assert len(grid.lessons) >= 20
    with school_b.active():
        assert not Lesson.objects.exists()
