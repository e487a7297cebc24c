"""Objects of the timetable for the leak matrix (tests/leak_matrix.py): one per path parameter."""

from __future__ import annotations

from datetime import date, time
from typing import Any

from tenants.directory.models import Role
from tenants.timetable.models import (
    DailyLimit,
    FeedTarget,
    FeedToken,
    GenerationRun,
    Holiday,
    PatternKind,
    Period,
    RunStatus,
    SchoolYear,
    TimeSlot,
    Unavailability,
    WeekPattern,
)
from tests.leak_matrix import SecretObject, register_objects
from tests.tenants.timetable.factories import (
    CourseFactory,
    LessonFactory,
    RoomFactory,
    SchoolClassFactory,
    SubjectFactory,
    person,
)


def _lesson(school: Any) -> SecretObject:
    course = CourseFactory(subject=SubjectFactory(label="FUITE-lecon"), classes=[SchoolClassFactory()])
    return SecretObject(LessonFactory(course=course, day=4, slot=3).pk, "FUITE-lecon")


def _room(school: Any) -> SecretObject:
    return SecretObject(RoomFactory(name="FUITE-salle").pk, "FUITE-salle")


def _course(school: Any) -> SecretObject:
    teacher = person(Role.TEACHER, display_name="FUITE-prof-du-cours")
    course = CourseFactory(
        subject=SubjectFactory(label="FUITE-cours"), teachers=[teacher], classes=[SchoolClassFactory()]
    )
    return SecretObject(course.pk, "FUITE-cours")


def _teacher(school: Any) -> SecretObject:
    return SecretObject(person(Role.TEACHER, display_name="FUITE-enseignant").pk, "FUITE-enseignant")


def _run(school: Any) -> SecretObject:
    run = GenerationRun.objects.create(status=RunStatus.FAILED, error="FUITE-generation")
    return SecretObject(run.pk, "FUITE-generation")


def _feed(school: Any) -> SecretObject:
    owner = person(Role.TEACHER)
    feed = FeedToken.objects.create(
        owner=owner, target_kind=FeedTarget.TEACHER, target_id=owner.pk, token="FUITE-jeton-de-flux"
    )
    return SecretObject(feed.pk, "FUITE-jeton-de-flux")


def _year() -> SchoolYear:
    return SchoolYear.objects.get(label="2026-2027")


def _period(school: Any) -> SecretObject:
    period = Period.objects.create(
        school_year=_year(), label="FUITE-periode", starts_on=date(2027, 7, 1), ends_on=date(2027, 7, 2)
    )
    return SecretObject(period.pk, "FUITE-periode")


def _holiday(school: Any) -> SecretObject:
    holiday = Holiday.objects.create(
        school_year=_year(), label="FUITE-conges", starts_on=date(2027, 6, 1), ends_on=date(2027, 6, 1)
    )
    return SecretObject(holiday.pk, "FUITE-conges")


def _school_year(school: Any) -> SecretObject:
    # A later year with no period nor holiday: deletable by its own school's builders, never by others.
    year = SchoolYear.objects.create(
        label="FUITE-annee", starts_on=date(2031, 9, 1), ends_on=date(2032, 7, 2)
    )
    return SecretObject(year.pk, "FUITE-annee")


def _week_pattern(school: Any) -> SecretObject:
    pattern = WeekPattern.objects.create(
        code="FUITE", label="FUITE-rythme", kind=PatternKind.CUSTOM, iso_weeks=[40, 41]
    )
    return SecretObject(pattern.pk, "FUITE-rythme")


def _time_slot(school: Any) -> SecretObject:
    # A Saturday slot at an hour no school of these tests opens: its times are the marker.
    slot = TimeSlot.objects.create(day=5, index=0, starts_at=time(5, 47), ends_at=time(5, 53))
    return SecretObject(slot.pk, "05:47")


def _unavailability(school: Any) -> SecretObject:
    teacher = person(Role.TEACHER, display_name="FUITE-prof-indisponible")
    return SecretObject(
        Unavailability.objects.create(teacher=teacher, day=0, slot=0).pk, "FUITE-prof-indisponible"
    )


def _daily_limit(school: Any) -> SecretObject:
    school_class = SchoolClassFactory(label="FUITE-classe-plafonnee")
    return SecretObject(
        DailyLimit.objects.create(school_class=school_class, max_slots=5).pk, "FUITE-classe-plafonnee"
    )


register_objects("lesson_id", _lesson)
register_objects("room_id", _room)
register_objects("course_id", _course)
register_objects("teacher_id", _teacher)
register_objects("run_id", _run)
register_objects("feed_id", _feed)
register_objects("period_id", _period)
register_objects("holiday_id", _holiday)
register_objects("school_year_id", _school_year)
register_objects("week_pattern_id", _week_pattern)
register_objects("time_slot_id", _time_slot)
register_objects("unavailability_id", _unavailability)
register_objects("daily_limit_id", _daily_limit)
