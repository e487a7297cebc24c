"""Timetable services: seeded calendar, moves and swaps with conflict checks, daily changes, audit."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from mbn.audit.models import AuditEvent
from tenants.directory.models import Role
from tenants.timetable import errors, services
from tenants.timetable.models import (
    Holiday,
    Lesson,
    LessonChange,
    PatternKind,
    SchoolYear,
    TimeSlot,
    WeekPattern,
)
from tests.tenants.timetable.factories import (
    CourseFactory,
    LessonFactory,
    RoomFactory,
    SchoolClassFactory,
    TeachingGroupFactory,
    pattern,
    person,
)

# The seeded 2026-2027 year starts on Tuesday 1 September (ISO week 36, week A): Monday 14 is in week A.
MONDAY_A = date(2026, 9, 14)


def test_new_school_gets_zone_b_year_grid_and_disjoint_a_b_weeks(school_a: Any) -> None:
    # given a school provisioned through the real path (seeders included)
    with school_a.active():
        # when we read its calendar
        year = SchoolYear.objects.get(label="2026-2027")
        holidays = {h.label: (h.starts_on, h.ends_on) for h in Holiday.objects.filter(school_year=year)}
        week_a, week_b = pattern("A"), pattern("B")
        # then zone B holidays, a grid with a short Wednesday, and A/B weeks are there
        assert year.zone == "B"
        assert holidays["Vacances de la Toussaint"] == (date(2026, 10, 17), date(2026, 11, 1))
        assert holidays["Vacances d'hiver"] == (date(2027, 2, 20), date(2027, 3, 7))
        assert TimeSlot.objects.filter(day=0).count() == 8
        assert TimeSlot.objects.filter(day=2).count() == 4
        assert not set(week_a.iso_weeks) & set(week_b.iso_weeks)
        assert MONDAY_A.isocalendar().week in week_a.iso_weeks
        assert 43 not in week_a.iso_weeks + week_b.iso_weeks  # Toussaint week has no school day
        # and running the seeder again changes nothing
        services.school_calendar_seed(school_name="x")
        assert Holiday.objects.filter(school_year=year).count() == len(holidays)


def _two_courses_same_teacher() -> Any:
    teacher = person(Role.TEACHER, display_name="Mme Durand")
    first = CourseFactory(teachers=[teacher], classes=[SchoolClassFactory(label="4A")])
    second = CourseFactory(teachers=[teacher], classes=[SchoolClassFactory(label="4B")])
    return teacher, first, second


def test_moving_onto_a_busy_teacher_is_refused_in_french_and_nothing_is_written(school_a: Any) -> None:
    with school_a.active():
        # given two lessons of one teacher on Monday, slots 1 and 2
        direction = person(Role.DIRECTION)
        _, first, second = _two_courses_same_teacher()
        kept = LessonFactory(course=first, day=0, slot=0)
        moved = LessonFactory(course=second, day=0, slot=1)
        audits = AuditEvent.objects.count()
        # when the second one is moved onto the first one's slot
        with pytest.raises(errors.LessonConflict) as refused:
            services.lesson_move(actor=direction, lesson=moved, day=0, slot=0, room=None)
        # then the conflict is named, and nothing changed
        assert refused.value.code == "lesson_conflict"
        assert "Mme Durand a déjà cours" in refused.value.message
        assert refused.value.message.startswith("Ce placement crée un conflit")
        moved.refresh_from_db()
        assert (moved.day, moved.slot) == (0, 1)
        assert kept.pk
        assert AuditEvent.objects.count() == audits


def test_move_checks_rooms_and_classes_and_long_sessions(school_a: Any) -> None:
    with school_a.active():
        # given a 2-slot course of 4A in room S1 on Monday 8:00, and another 4A course elsewhere
        direction = person(Role.DIRECTION)
        school_class = SchoolClassFactory(label="4A")
        room = RoomFactory(name="S1")
        LessonFactory(course=CourseFactory(classes=[school_class], duration=2), day=0, slot=0, room=room)
        other = LessonFactory(course=CourseFactory(classes=[SchoolClassFactory(label="3C")]), day=1, slot=0)
        class_lesson = LessonFactory(course=CourseFactory(classes=[school_class]), day=1, slot=3)
        # when lessons move into the second slot of that session
        with pytest.raises(errors.LessonConflict) as room_clash:
            services.lesson_move(actor=direction, lesson=other, day=0, slot=1, room=room)
        with pytest.raises(errors.LessonConflict) as class_clash:
            services.lesson_move(actor=direction, lesson=class_lesson, day=0, slot=1, room=None)
        # then the room and the class are named
        assert "la salle S1 est déjà occupée" in room_clash.value.message
        assert "la classe 4A a déjà cours" in class_clash.value.message


def test_week_a_and_week_b_lessons_share_a_slot_and_parallel_groups_too(school_a: Any) -> None:
    with school_a.active():
        # given a teacher's week-A lesson and two half groups of one class
        direction = person(Role.DIRECTION)
        teacher = person(Role.TEACHER)
        school_class = SchoolClassFactory()
        half_1 = TeachingGroupFactory(classes=[school_class])
        half_2 = TeachingGroupFactory(classes=[school_class])
        LessonFactory(
            course=CourseFactory(teachers=[teacher], week_pattern=pattern("A"), groups=[half_1]), slot=0
        )
        week_b = LessonFactory(course=CourseFactory(teachers=[teacher], week_pattern=pattern("B")), day=1)
        parallel = LessonFactory(course=CourseFactory(groups=[half_2]), day=1, slot=1)
        # when the week-B lesson and the other half group move to the same time
        services.lesson_move(actor=direction, lesson=week_b, day=0, slot=0, room=None)
        services.lesson_move(actor=direction, lesson=parallel, day=0, slot=0, room=None)
        # then both moves are accepted and audited
        assert Lesson.objects.filter(day=0, slot=0).count() == 3
        assert AuditEvent.objects.filter(action="timetable.lesson_moved").count() == 2


def test_whole_class_lesson_clashes_with_its_half_group(school_a: Any) -> None:
    with school_a.active():
        direction = person(Role.DIRECTION)
        school_class = SchoolClassFactory(label="5B")
        half = TeachingGroupFactory(classes=[school_class], label="5B gr1")
        LessonFactory(course=CourseFactory(groups=[half]), slot=0)
        whole = LessonFactory(course=CourseFactory(classes=[school_class]), slot=2)
        with pytest.raises(errors.LessonConflict) as refused:
            services.lesson_move(actor=direction, lesson=whole, day=0, slot=0, room=None)
        assert "la classe 5B a déjà cours" in refused.value.message


def test_move_outside_the_grid_or_into_an_unsuitable_room_is_refused(school_a: Any) -> None:
    with school_a.active():
        direction = person(Role.DIRECTION)
        lesson = LessonFactory(course=CourseFactory(room_kind="lab"), slot=0)
        gym = RoomFactory(kind="gym")
        with pytest.raises(errors.SlotOutsideGrid) as outside:
            services.lesson_move(actor=direction, lesson=lesson, day=2, slot=6, room=None)  # Wednesday pm
        with pytest.raises(errors.RoomUnsuitable) as unsuitable:
            services.lesson_move(actor=direction, lesson=lesson, day=0, slot=1, room=gym)
        assert outside.value.message == "Ce créneau n'existe pas dans la grille horaire de l'établissement."
        assert unsuitable.value.code == "room_unsuitable"


def test_swap_exchanges_places_and_rooms_and_is_audited(school_a: Any) -> None:
    with school_a.active():
        # given two lessons of two classes in two rooms
        direction = person(Role.DIRECTION)
        room_1, room_2 = RoomFactory(), RoomFactory()
        first = LessonFactory(
            course=CourseFactory(classes=[SchoolClassFactory()]), day=0, slot=0, room=room_1
        )
        second = LessonFactory(
            course=CourseFactory(classes=[SchoolClassFactory()]), day=1, slot=2, room=room_2
        )
        # when they are swapped
        services.lesson_swap(actor=direction, lesson=first, other=second)
        # then each has the other's place (the deferred room constraint allowed the exchange)
        first.refresh_from_db()
        second.refresh_from_db()
        assert (first.day, first.slot, first.room_id) == (1, 2, room_2.pk)
        assert (second.day, second.slot, second.room_id) == (0, 0, room_1.pk)
        assert AuditEvent.objects.filter(action="timetable.lesson_swapped").count() == 2


def test_swap_refused_when_the_teacher_is_busy_at_the_other_time(school_a: Any) -> None:
    with school_a.active():
        direction = person(Role.DIRECTION)
        teacher, first_course, second_course = _two_courses_same_teacher()
        LessonFactory(course=first_course, day=1, slot=2)
        mine = LessonFactory(course=CourseFactory(teachers=[teacher], classes=[SchoolClassFactory()]), slot=0)
        theirs = LessonFactory(course=second_course, day=1, slot=2, session=0) if False else None
        other = LessonFactory(course=CourseFactory(classes=[SchoolClassFactory()]), day=1, slot=2)
        with pytest.raises(errors.LessonConflict):
            services.lesson_swap(actor=direction, lesson=mine, other=other)
        mine.refresh_from_db()
        assert theirs is None
        assert (mine.day, mine.slot) == (0, 0)


def test_place_refuses_a_session_beyond_the_course_and_a_second_placement(school_a: Any) -> None:
    with school_a.active():
        direction = person(Role.DIRECTION)
        course = CourseFactory(sessions_per_week=1)
        services.lesson_place(actor=direction, course=course, session=0, day=0, slot=0, room=None)
        with pytest.raises(errors.SessionOutOfRange):
            services.lesson_place(actor=direction, course=course, session=1, day=0, slot=1, room=None)
        with pytest.raises(errors.LessonAlreadyPlaced):
            services.lesson_place(actor=direction, course=course, session=0, day=1, slot=1, room=None)
        assert Lesson.objects.filter(course=course).count() == 1


def test_change_record_cancels_then_edits_one_date_with_a_version(school_a: Any) -> None:
    with school_a.active():
        # given a Monday lesson
        cpe = person(Role.VIE_SCOLAIRE)
        lesson = LessonFactory(course=CourseFactory(), day=0, slot=0)
        # when it is cancelled on a Monday of week A, then given another room on the same date
        services.lesson_change_record(actor=cpe, lesson=lesson, on=MONDAY_A, is_cancelled=True)
        room = RoomFactory()
        change = services.lesson_change_record(actor=cpe, lesson=lesson, on=MONDAY_A, room=room)
        # then one record per date, its version counts the edits, both are audited
        assert LessonChange.objects.filter(lesson=lesson).count() == 1
        assert (change.is_cancelled, change.room_id, change.version) == (False, room.pk, 1)
        assert AuditEvent.objects.filter(action="timetable.change_recorded").count() == 2


@pytest.mark.parametrize(
    ("on", "reason"),
    [
        (date(2026, 9, 8), "a Tuesday"),
        (date(2026, 10, 19), "Toussaint holidays"),
        (date(2026, 9, 7), "a week-B Monday"),
    ],
)
def test_change_refused_on_a_date_the_lesson_does_not_happen(school_a: Any, on: Any, reason: Any) -> None:
    with school_a.active():
        cpe = person(Role.VIE_SCOLAIRE)
        lesson = LessonFactory(course=CourseFactory(week_pattern=pattern("A")), day=0, slot=0)
        with pytest.raises(errors.ChangeDateInvalid) as refused:
            services.lesson_change_record(actor=cpe, lesson=lesson, on=on, is_cancelled=True)
        assert refused.value.message == "Ce cours n'a pas lieu à cette date.", reason
        assert not LessonChange.objects.exists()


def test_substitute_must_be_a_free_teacher_that_day(school_a: Any) -> None:
    with school_a.active():
        cpe = person(Role.VIE_SCOLAIRE)
        busy = person(Role.TEACHER, display_name="M. Occupé")
        LessonFactory(course=CourseFactory(teachers=[busy]), day=0, slot=0)
        lesson = LessonFactory(course=CourseFactory(), day=0, slot=0)
        with pytest.raises(errors.SubstituteNotTeacher):
            services.lesson_change_record(
                actor=cpe, lesson=lesson, on=MONDAY_A, substitute=person(Role.STUDENT)
            )
        with pytest.raises(errors.LessonConflict) as refused:
            services.lesson_change_record(actor=cpe, lesson=lesson, on=MONDAY_A, substitute=busy)
        with pytest.raises(errors.ChangeEmpty):
            services.lesson_change_record(actor=cpe, lesson=lesson, on=MONDAY_A)
        assert "M. Occupé a déjà cours" in refused.value.message
        assert not LessonChange.objects.exists()


def test_week_patterns_overlap_as_week_sets() -> None:
    every = WeekPattern(pk=1, kind=PatternKind.EVERY)
    week_a = WeekPattern(pk=2, kind=PatternKind.WEEK_A, iso_weeks=[36, 38])
    week_b = WeekPattern(pk=3, kind=PatternKind.WEEK_B, iso_weeks=[37, 39])
    custom = WeekPattern(pk=4, kind=PatternKind.CUSTOM, iso_weeks=[38])
    assert every.overlaps(week_a)
    assert week_a.overlaps(custom)
    assert not week_a.overlaps(week_b)
    assert not custom.overlaps(week_b)
