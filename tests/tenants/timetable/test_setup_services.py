"""Setting up the timetable: each rule of the set-up services, nothing written on refusal, audit rows."""

from __future__ import annotations

from datetime import date, time
from typing import Any

import pytest

from mbn.audit.models import AuditEvent
from tenants.directory.models import Role
from tenants.timetable import errors, setup_services
from tenants.timetable.models import (
    Course,
    DailyLimit,
    Holiday,
    HolidayKind,
    Lesson,
    LessonChange,
    Period,
    Room,
    TimeSlot,
    Unavailability,
)
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


def _course_args(**overrides: Any) -> dict[str, Any]:
    """What course_create needs, for one class and one teacher; a test overrides what it is about."""
    args: dict[str, Any] = {
        "subject": SubjectFactory(label="Physique"),
        "teachers": [person(Role.TEACHER)],
        "classes": [SchoolClassFactory()],
        "groups": [],
        "duration": 1,
        "sessions_per_week": 2,
        "week_pattern": pattern(),
    }
    return {**args, **overrides}


# ---- rooms ---------------------------------------------------------------------------------------


def test_room_is_created_with_an_audit_row_and_its_name_stays_unique(school_a: Any) -> None:
    with school_a.active():
        # given the head of school and a room named "B12"
        head = person(Role.DIRECTION)
        room = setup_services.room_create(actor=head, name=" B12 ", kind="lab", capacity=24)
        # when a second room gets the same name
        with pytest.raises(errors.RoomNameTaken) as refused:
            setup_services.room_create(actor=head, name="B12", kind="classroom", capacity=30)
        # then the first one is stored trimmed and audited, the second refused in French, nothing added
        assert (room.name, room.kind, room.capacity) == ("B12", "lab", 24)
        assert AuditEvent.objects.filter(action="timetable.room_created", target_id=str(room.pk)).exists()
        assert refused.value.code == "room_name_taken"
        assert refused.value.message == "Une salle porte déjà ce nom : choisissez-en un autre."
        assert Room.objects.count() == 1


def test_room_needs_a_capacity_and_a_known_kind(school_a: Any) -> None:
    with school_a.active():
        head = person(Role.DIRECTION)
        with pytest.raises(errors.InvalidValue) as no_seat:
            setup_services.room_create(actor=head, name="Vide", kind="classroom", capacity=0)
        with pytest.raises(errors.InvalidValue) as bad_kind:
            setup_services.room_create(actor=head, name="Piscine", kind="pool", capacity=10)
        assert "capacité" in no_seat.value.message
        assert bad_kind.value.code == "invalid_value"
        assert not Room.objects.exists()


@pytest.mark.parametrize("use", ["lesson", "fixed_room", "change"])
def test_a_room_in_use_is_not_deleted(school_a: Any, use: str) -> None:
    with school_a.active():
        # given a room used by a placed lesson, imposed by a course, or chosen for a dated change
        head = person(Role.DIRECTION)
        room = RoomFactory(name="Labo 1")
        if use == "lesson":
            LessonFactory(room=room)
        elif use == "fixed_room":
            CourseFactory(fixed_room=room)
        else:
            lesson = LessonFactory()
            LessonChange.objects.create(lesson=lesson, on=date(2026, 9, 7), room=room)
        # when the head deletes it
        with pytest.raises(errors.RoomInUse) as refused:
            setup_services.room_delete(actor=head, room=room)
        # then it is refused with a stable code and the room is still there, with no audit row
        assert refused.value.code == "room_in_use"
        assert refused.value.status == 409
        assert Room.objects.filter(pk=room.pk).exists()
        assert not AuditEvent.objects.filter(action="timetable.room_deleted").exists()


def test_a_free_room_is_deleted_with_its_unavailabilities(school_a: Any) -> None:
    with school_a.active():
        head = person(Role.DIRECTION)
        room = RoomFactory()
        setup_services.unavailability_create(actor=head, room=room, day=0, slot=0)
        setup_services.room_delete(actor=head, room=room)
        assert not Room.objects.exists()
        assert not Unavailability.objects.exists()
        assert AuditEvent.objects.filter(action="timetable.room_deleted").count() == 1


def test_room_kind_change_is_refused_while_a_course_imposes_it_for_that_kind(school_a: Any) -> None:
    with school_a.active():
        head = person(Role.DIRECTION)
        lab = RoomFactory(name="Labo", kind="lab")
        CourseFactory(fixed_room=lab, room_kind="lab")
        with pytest.raises(errors.RoomKindInUse):
            setup_services.room_update(actor=head, room=lab, name="Labo", kind="classroom", capacity=30)
        renamed = setup_services.room_update(actor=head, room=lab, name="Labo SVT", kind="lab", capacity=28)
        assert Room.objects.values_list("name", "kind", "capacity").get() == ("Labo SVT", "lab", 28)
        assert renamed.name == "Labo SVT"


# ---- courses -------------------------------------------------------------------------------------


def test_course_is_created_for_teachers_and_classes_with_an_audit_row(school_a: Any) -> None:
    with school_a.active():
        head = person(Role.DIRECTION)
        group = TeachingGroupFactory(label="3A LV2")
        args = _course_args(groups=[group], room_kind="lab", fixed_room=RoomFactory(kind="lab"))
        course = setup_services.course_create(actor=head, **args)
        assert set(course.teachers.all()) == set(args["teachers"])
        assert set(course.groups.all()) == {group}
        assert (course.sessions_per_week, course.room_kind) == (2, "lab")
        audit = AuditEvent.objects.get(action="timetable.course_created")
        assert audit.data["group_ids"] == [group.pk]


@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        ({"classes": [], "groups": []}, errors.CourseAudienceMissing),
        ({"teachers": "pupil"}, errors.NotATeacher),
        ({"room_kind": "gym", "fixed_room": "lab"}, errors.RoomUnsuitable),
        ({"duration": 6}, errors.CourseTooLong),
        ({"sessions_per_week": 0}, errors.InvalidValue),
    ],
)
def test_course_rules_across_rows_refuse_and_write_nothing(
    school_a: Any, overrides: dict[str, Any], error: type[errors.DomainError]
) -> None:
    with school_a.active():
        # given a grid whose longest day has 5 slots
        TimeSlot.objects.filter(index__gte=5).delete()
        head = person(Role.DIRECTION)
        if overrides.get("teachers") == "pupil":
            overrides = {**overrides, "teachers": [person(Role.STUDENT)]}
        if overrides.get("fixed_room") == "lab":
            overrides = {**overrides, "fixed_room": RoomFactory(kind="lab")}
        # when a course breaking one rule is created
        with pytest.raises(error) as refused:
            setup_services.course_create(actor=head, **_course_args(**overrides))
        # then it is refused with its code and a French message, and no course exists
        assert refused.value.code == error.code
        assert refused.value.message
        assert not Course.objects.exists()
        assert not AuditEvent.objects.filter(action="timetable.course_created").exists()


def test_fewer_sessions_take_the_extra_placed_lessons_off_the_timetable(school_a: Any) -> None:
    with school_a.active():
        # given a course with three placed sessions
        head = person(Role.DIRECTION)
        course = setup_services.course_create(actor=head, **_course_args(sessions_per_week=3))
        for session in range(3):
            LessonFactory(course=course, session=session, day=session, slot=0)
        args: dict[str, Any] = {
            "subject": course.subject,
            "teachers": list(course.teachers.all()),
            "classes": list(course.classes.all()),
            "groups": [],
            "duration": 1,
            "week_pattern": course.week_pattern,
        }
        # when it drops to one session a week and wants double sessions
        setup_services.course_update(
            actor=head, course=course, sessions_per_week=1, wants_double=True, **args
        )
        # then sessions 1 and 2 are gone, session 0 stays, and the audit says how many went
        assert list(Lesson.objects.filter(course=course).values_list("session", flat=True)) == [0]
        audit = AuditEvent.objects.get(action="timetable.course_updated")
        assert audit.data["lessons_removed"] == 2
        assert audit.data["after"]["wants_double"] is True


def test_what_placed_lessons_depend_on_cannot_change_until_they_are_removed(school_a: Any) -> None:
    with school_a.active():
        # given a placed course
        head = person(Role.DIRECTION)
        course = setup_services.course_create(actor=head, **_course_args())
        LessonFactory(course=course, session=0)
        other_teacher = person(Role.TEACHER)
        args: dict[str, Any] = {
            "subject": course.subject,
            "teachers": [other_teacher],
            "classes": list(course.classes.all()),
            "groups": [],
            "duration": 1,
            "sessions_per_week": 2,
            "week_pattern": course.week_pattern,
        }
        # when its teacher changes, or it is deleted
        with pytest.raises(errors.CoursePlaced) as refused:
            setup_services.course_update(actor=head, course=course, **args)
        with pytest.raises(errors.CoursePlaced):
            setup_services.course_delete(actor=head, course=course)
        # then both are refused and nothing moved
        assert refused.value.code == "course_placed"
        assert list(course.teachers.all()) != [other_teacher]
        assert Lesson.objects.filter(course=course).count() == 1
        # and once its sessions are removed, the change and the deletion go through
        assert setup_services.course_lessons_remove(actor=head, course=course) == 1
        setup_services.course_update(actor=head, course=course, **args)
        assert list(course.teachers.all()) == [other_teacher]
        setup_services.course_delete(actor=head, course=course)
        assert not Course.objects.exists()
        assert AuditEvent.objects.filter(action="timetable.course_lessons_removed").exists()


# ---- calendar ------------------------------------------------------------------------------------


def test_period_dates_stay_inside_one_school_year_and_never_overlap(school_a: Any) -> None:
    with school_a.active():
        # given the seeded 2026-2027 year with its three terms
        head = person(Role.DIRECTION)
        Period.objects.filter(label="Trimestre 3").delete()
        before = Period.objects.count()
        # when periods are reversed, outside the year, overlapping, or named like another
        with pytest.raises(errors.DatesReversed):
            setup_services.period_create(
                actor=head, label="T3", starts_on=date(2027, 5, 1), ends_on=date(2027, 4, 1)
            )
        with pytest.raises(errors.DateOutsideYear):
            setup_services.period_create(
                actor=head, label="T3", starts_on=date(2027, 3, 13), ends_on=date(2027, 8, 31)
            )
        with pytest.raises(errors.PeriodOverlap) as overlap:
            setup_services.period_create(
                actor=head, label="T3", starts_on=date(2027, 3, 1), ends_on=date(2027, 7, 2)
            )
        with pytest.raises(errors.PeriodLabelTaken):
            setup_services.period_create(
                actor=head, label="Trimestre 2", starts_on=date(2027, 3, 13), ends_on=date(2027, 7, 2)
            )
        # then nothing was written; and a period that fits is created
        assert Period.objects.count() == before
        assert (
            overlap.value.message
            == "Cette période chevauche une autre période de l'année : ajustez les dates."
        )
        term = setup_services.period_create(
            actor=head, label="Trimestre 3", starts_on=date(2027, 3, 13), ends_on=date(2027, 7, 2)
        )
        assert term.school_year.label == "2026-2027"
        # and a period may move within its own dates without overlapping itself
        setup_services.period_update(
            actor=head, period=term, label="T3", starts_on=date(2027, 3, 14), ends_on=date(2027, 7, 2)
        )
        assert Period.objects.get(pk=term.pk).label == "T3"
        assert AuditEvent.objects.filter(action="timetable.period_updated").count() == 1


def test_holidays_are_added_changed_and_deleted_inside_the_year(school_a: Any) -> None:
    with school_a.active():
        head = person(Role.DIRECTION)
        friday = setup_services.holiday_create(
            actor=head,
            label="Vendredi saint",
            kind=HolidayKind.PUBLIC,
            starts_on=date(2027, 3, 26),
            ends_on=date(2027, 3, 26),
        )
        with pytest.raises(errors.HolidayDuplicate):
            setup_services.holiday_create(
                actor=head,
                label="Vendredi saint",
                kind=HolidayKind.PUBLIC,
                starts_on=date(2027, 3, 26),
                ends_on=date(2027, 3, 26),
            )
        with pytest.raises(errors.DateOutsideYear):
            setup_services.holiday_update(
                actor=head,
                holiday=friday,
                label="Vendredi saint",
                kind=HolidayKind.PUBLIC,
                starts_on=date(2027, 8, 1),
                ends_on=date(2027, 8, 2),
            )
        setup_services.holiday_update(
            actor=head,
            holiday=friday,
            label="Fermeture",
            kind=HolidayKind.CLOSURE,
            starts_on=date(2027, 3, 26),
            ends_on=date(2027, 3, 26),
        )
        assert Holiday.objects.get(pk=friday.pk).kind == HolidayKind.CLOSURE
        setup_services.holiday_delete(actor=head, holiday=friday)
        assert not Holiday.objects.filter(label__in=["Vendredi saint", "Fermeture"]).exists()


# ---- weekly grid ---------------------------------------------------------------------------------


def test_slots_of_a_day_follow_one_another_without_overlapping(school_a: Any) -> None:
    with school_a.active():
        # given the seeded Wednesday: 4 morning slots, 08:00 to 12:15
        head = person(Role.DIRECTION)
        count = TimeSlot.objects.count()
        # when slots are added on a taken position, overlapping, out of order or with reversed times
        with pytest.raises(errors.TimeSlotTaken):
            setup_services.time_slot_create(
                actor=head, day=2, index=3, starts_at=time(13, 0), ends_at=time(14, 0)
            )
        with pytest.raises(errors.TimeSlotOverlap):
            setup_services.time_slot_create(
                actor=head, day=2, index=4, starts_at=time(12, 0), ends_at=time(13, 0)
            )
        with pytest.raises(errors.TimeSlotOverlap):
            setup_services.time_slot_create(
                actor=head, day=2, index=9, starts_at=time(7, 0), ends_at=time(7, 50)
            )
        with pytest.raises(errors.TimesReversed):
            setup_services.time_slot_create(
                actor=head, day=2, index=4, starts_at=time(14, 0), ends_at=time(13, 0)
            )
        # then nothing was added; a slot after the last one is
        assert TimeSlot.objects.count() == count
        slot = setup_services.time_slot_create(
            actor=head, day=2, index=4, starts_at=time(12, 15), ends_at=time(13, 30), is_lunch=True
        )
        assert (slot.day, slot.index, slot.is_lunch) == (2, 4, True)
        # and changing its times is checked the same way
        with pytest.raises(errors.TimeSlotOverlap):
            setup_services.time_slot_update(
                actor=head, time_slot=slot, starts_at=time(12, 0), ends_at=time(13, 0), is_lunch=True
            )
        setup_services.time_slot_update(
            actor=head, time_slot=slot, starts_at=time(12, 30), ends_at=time(13, 30), is_lunch=False
        )
        assert TimeSlot.objects.values_list("starts_at", "is_lunch").get(pk=slot.pk) == (time(12, 30), False)


def test_a_slot_covered_by_a_lesson_is_not_deleted(school_a: Any) -> None:
    with school_a.active():
        # given a two-slot lesson on Monday starting at slot 1, so covering slot 2
        head = person(Role.DIRECTION)
        LessonFactory(course=CourseFactory(duration=2), day=0, slot=1)
        covered = TimeSlot.objects.get(day=0, index=2)
        free = TimeSlot.objects.get(day=0, index=7)
        with pytest.raises(errors.TimeSlotInUse) as refused:
            setup_services.time_slot_delete(actor=head, time_slot=covered)
        setup_services.time_slot_delete(actor=head, time_slot=free)
        assert refused.value.code == "time_slot_in_use"
        assert TimeSlot.objects.filter(pk=covered.pk).exists()
        assert not TimeSlot.objects.filter(pk=free.pk).exists()


# ---- unavailabilities and daily limits ------------------------------------------------------------


def test_unavailability_needs_one_target_an_open_cell_and_no_twin(school_a: Any) -> None:
    with school_a.active():
        head = person(Role.DIRECTION)
        teacher, school_class = person(Role.TEACHER), SchoolClassFactory()
        with pytest.raises(errors.TargetRequired):
            setup_services.unavailability_create(
                actor=head, teacher=teacher, school_class=school_class, day=0, slot=0
            )
        with pytest.raises(errors.TargetRequired):
            setup_services.unavailability_create(actor=head, day=0, slot=0)
        with pytest.raises(errors.SlotOutsideGrid):  # Wednesday afternoon is closed
            setup_services.unavailability_create(actor=head, teacher=teacher, day=2, slot=6)
        with pytest.raises(errors.NotATeacher):
            setup_services.unavailability_create(actor=head, teacher=person(Role.STAFF), day=0, slot=0)
        item = setup_services.unavailability_create(actor=head, teacher=teacher, day=0, slot=0)
        with pytest.raises(errors.UnavailabilityDuplicate):
            setup_services.unavailability_create(actor=head, teacher=teacher, day=0, slot=0)
        assert list(Unavailability.objects.all()) == [item]
        setup_services.unavailability_delete(actor=head, unavailability=item)
        assert not Unavailability.objects.exists()
        assert AuditEvent.objects.filter(action__startswith="timetable.unavailability_").count() == 2


def test_daily_limit_is_set_once_per_teacher_or_class_and_replaced(school_a: Any) -> None:
    with school_a.active():
        head = person(Role.DIRECTION)
        teacher, school_class = person(Role.TEACHER), SchoolClassFactory()
        first = setup_services.daily_limit_set(actor=head, teacher=teacher, max_slots=5)
        second = setup_services.daily_limit_set(actor=head, teacher=teacher, max_slots=4)
        setup_services.daily_limit_set(actor=head, school_class=school_class, max_slots=6)
        with pytest.raises(errors.TargetRequired) as both:
            setup_services.daily_limit_set(
                actor=head, teacher=teacher, school_class=school_class, max_slots=3
            )
        with pytest.raises(errors.InvalidValue):
            setup_services.daily_limit_set(actor=head, teacher=teacher, max_slots=0)
        assert first.pk == second.pk
        assert dict(DailyLimit.objects.values_list("teacher_id", "max_slots")) == {teacher.pk: 4, None: 6}
        assert both.value.message == "Choisissez un enseignant ou une classe, pas les deux."
        setup_services.daily_limit_delete(actor=head, daily_limit=second)
        assert DailyLimit.objects.count() == 1
