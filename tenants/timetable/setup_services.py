"""Setting up the timetable (direction, ENT admin): rooms, courses, calendar, weekly grid, constraints.

Each write checks its rules before writing and leaves the database as it was when it refuses. Placed
lessons themselves are written by ``services`` (by hand) and by the generation.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import date, time
from itertools import pairwise
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Model

from mbn.audit import audit_record
from mbn.errors import DomainError
from tenants.directory.models import Person, Role, SchoolClass, Subject, TeachingGroup
from tenants.timetable import errors
from tenants.timetable.models import (
    Course,
    DailyLimit,
    Holiday,
    Lesson,
    LessonChange,
    Period,
    Room,
    SchoolYear,
    TimeSlot,
    Unavailability,
    WeekPattern,
)

MAX_SLOTS_PER_DAY = 12


def _clean(instance: Model) -> None:
    """Field rules of the row (lengths, ranges, choices); uniqueness is left to the database."""
    try:
        instance.full_clean(validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        raise errors.InvalidValue(" ".join(exc.messages)) from exc


def _save(instance: Model, taken: type[DomainError]) -> None:
    try:
        with transaction.atomic():  # savepoint: a duplicate must not poison the caller's transaction
            instance.save()
    except IntegrityError as exc:
        raise taken() from exc


def _check_teachers(people: Sequence[Person]) -> None:
    if any(not person.is_active or not person.has_role(Role.TEACHER) for person in people):
        raise errors.NotATeacher()


# ---- rooms ---------------------------------------------------------------------------------------


def _room_fields(room: Room, *, name: str, kind: str, capacity: int) -> None:
    if capacity < 1:
        raise errors.InvalidValue("Une salle accueille au moins une personne : indiquez sa capacité.")
    room.name, room.kind, room.capacity = name.strip(), kind, capacity
    _clean(room)


@transaction.atomic
def room_create(*, actor: Person, name: str, kind: str, capacity: int) -> Room:
    """A new room: its name is unique in the school and it holds at least one person."""
    room = Room()
    _room_fields(room, name=name, kind=kind, capacity=capacity)
    _save(room, errors.RoomNameTaken)
    audit_record(
        actor=actor, action="timetable.room_created", target=room, data={"kind": kind, "capacity": capacity}
    )
    return room


@transaction.atomic
def room_update(*, actor: Person, room: Room, name: str, kind: str, capacity: int) -> Room:
    """Rename or resize a room; its type changes only if no course imposes or occupies it for its type."""
    room = Room.objects.select_for_update().get(pk=room.pk)
    before = {"name": room.name, "kind": room.kind, "capacity": room.capacity}
    if kind != room.kind:
        imposed = Course.objects.filter(fixed_room=room).exclude(room_kind="").exclude(room_kind=kind)
        occupied = Lesson.objects.filter(room=room).exclude(course__room_kind="")
        if imposed.exists() or occupied.exclude(course__room_kind=kind).exists():
            raise errors.RoomKindInUse()
    _room_fields(room, name=name, kind=kind, capacity=capacity)
    _save(room, errors.RoomNameTaken)
    audit_record(
        actor=actor,
        action="timetable.room_updated",
        target=room,
        data={"before": before, "after": {"name": room.name, "kind": kind, "capacity": capacity}},
    )
    return room


@transaction.atomic
def room_delete(*, actor: Person, room: Room) -> None:
    """Delete a room no lesson, course or dated change uses (its unavailabilities go with it)."""
    room = Room.objects.select_for_update().get(pk=room.pk)
    if (
        Lesson.objects.filter(room=room).exists()
        or Course.objects.filter(fixed_room=room).exists()
        or LessonChange.objects.filter(room=room).exists()
    ):
        raise errors.RoomInUse()
    audit_record(actor=actor, action="timetable.room_deleted", target=room, data={"name": room.name})
    room.delete()


# ---- courses -------------------------------------------------------------------------------------


def _longest_day() -> int:
    """Slots of the school's longest day (0 while the grid is empty)."""
    return max(Counter(TimeSlot.objects.values_list("day", flat=True)).values(), default=0)


def _course_check(
    *,
    teachers: Sequence[Person],
    classes: Sequence[SchoolClass],
    groups: Sequence[TeachingGroup],
    duration: int,
    room_kind: str,
    fixed_room: Room | None,
    sessions_per_week: int,
) -> None:
    if not 1 <= duration <= 6 or not 1 <= sessions_per_week <= 20:
        raise errors.InvalidValue(
            "Une séance dure de 1 à 6 créneaux, et un cours a de 1 à 20 séances par semaine."
        )
    if not classes and not groups:
        raise errors.CourseAudienceMissing()
    _check_teachers(teachers)
    if fixed_room is not None and room_kind and fixed_room.kind != room_kind:
        raise errors.RoomUnsuitable()
    longest = _longest_day()
    if longest and duration > longest:
        raise errors.CourseTooLong()


def _course_write(
    course: Course,
    *,
    teachers: Sequence[Person],
    classes: Sequence[SchoolClass],
    groups: Sequence[TeachingGroup],
) -> None:
    _clean(course)
    course.save()
    course.teachers.set(teachers)
    course.classes.set(classes)
    course.groups.set(groups)


def _course_data(course: Course) -> dict[str, Any]:
    return {
        "subject_id": course.subject_id,
        "teacher_ids": sorted(t.pk for t in course.teachers.all()),
        "class_ids": sorted(c.pk for c in course.classes.all()),
        "group_ids": sorted(g.pk for g in course.groups.all()),
        "duration": course.duration,
        "sessions_per_week": course.sessions_per_week,
        "week_pattern_id": course.week_pattern_id,
        "room_kind": course.room_kind,
        "fixed_room_id": course.fixed_room_id,
        "wants_double": course.wants_double,
    }


# What a placed lesson depends on: changing one of these could leave it clashing or in the wrong room.
_PLACEMENT_KEYS = (
    "teacher_ids",
    "class_ids",
    "group_ids",
    "duration",
    "week_pattern_id",
    "room_kind",
    "fixed_room_id",
)


@transaction.atomic
def course_create(
    *,
    actor: Person,
    subject: Subject,
    teachers: Sequence[Person],
    classes: Sequence[SchoolClass],
    groups: Sequence[TeachingGroup],
    duration: int,
    sessions_per_week: int,
    week_pattern: WeekPattern,
    room_kind: str = "",
    fixed_room: Room | None = None,
    wants_double: bool = False,
) -> Course:
    """A course to place: taught by teachers of the school to at least one class or group, its sessions no
    longer than a day, its imposed room of the required type."""
    _course_check(
        teachers=teachers,
        classes=classes,
        groups=groups,
        duration=duration,
        room_kind=room_kind,
        fixed_room=fixed_room,
        sessions_per_week=sessions_per_week,
    )
    course = Course(
        subject=subject,
        duration=duration,
        sessions_per_week=sessions_per_week,
        week_pattern=week_pattern,
        room_kind=room_kind,
        fixed_room=fixed_room,
        wants_double=wants_double,
    )
    _course_write(course, teachers=teachers, classes=classes, groups=groups)
    audit_record(actor=actor, action="timetable.course_created", target=course, data=_course_data(course))
    return course


@transaction.atomic
def course_update(
    *,
    actor: Person,
    course: Course,
    subject: Subject,
    teachers: Sequence[Person],
    classes: Sequence[SchoolClass],
    groups: Sequence[TeachingGroup],
    duration: int,
    sessions_per_week: int,
    week_pattern: WeekPattern,
    room_kind: str = "",
    fixed_room: Room | None = None,
    wants_double: bool = False,
) -> Course:
    """Change a course by the rules of ``course_create``.

    Once sessions are placed, the subject, the number of sessions and the wish for double sessions may
    change: fewer sessions take the extra placed ones (the highest session numbers) off the timetable.
    What placed lessons depend on (teachers, classes, groups, duration, weeks, room type or imposed room)
    is refused with ``course_placed`` while any session is placed: remove them first
    (``course_lessons_remove``) or the change could leave clashes nobody checked.
    """
    course = Course.objects.select_for_update().get(pk=course.pk)
    _course_check(
        teachers=teachers,
        classes=classes,
        groups=groups,
        duration=duration,
        room_kind=room_kind,
        fixed_room=fixed_room,
        sessions_per_week=sessions_per_week,
    )
    before = _course_data(course)
    after = {
        **before,
        "subject_id": subject.pk,
        "teacher_ids": sorted(t.pk for t in teachers),
        "class_ids": sorted(c.pk for c in classes),
        "group_ids": sorted(g.pk for g in groups),
        "duration": duration,
        "sessions_per_week": sessions_per_week,
        "week_pattern_id": week_pattern.pk,
        "room_kind": room_kind,
        "fixed_room_id": fixed_room.pk if fixed_room else None,
        "wants_double": wants_double,
    }
    placed = Lesson.objects.filter(course=course)
    if any(before[key] != after[key] for key in _PLACEMENT_KEYS) and placed.exists():
        raise errors.CoursePlaced()
    course.subject, course.duration, course.sessions_per_week = subject, duration, sessions_per_week
    course.week_pattern, course.room_kind, course.fixed_room = week_pattern, room_kind, fixed_room
    course.wants_double = wants_double
    _course_write(course, teachers=teachers, classes=classes, groups=groups)
    removed, _ = placed.filter(session__gte=sessions_per_week).delete()
    audit_record(
        actor=actor,
        action="timetable.course_updated",
        target=course,
        data={"before": before, "after": after, "lessons_removed": removed},
    )
    return course


@transaction.atomic
def course_delete(*, actor: Person, course: Course) -> None:
    """Delete a course none of whose sessions is placed."""
    course = Course.objects.select_for_update().get(pk=course.pk)
    if Lesson.objects.filter(course=course).exists():
        raise errors.CoursePlaced()
    audit_record(actor=actor, action="timetable.course_deleted", target=course, data=_course_data(course))
    course.delete()


@transaction.atomic
def course_lessons_remove(*, actor: Person, course: Course) -> int:
    """Take every placed session of a course off the timetable (their dated changes go with them)."""
    removed = Lesson.objects.filter(course=course).count()
    Lesson.objects.filter(course=course).delete()
    audit_record(
        actor=actor, action="timetable.course_lessons_removed", target=course, data={"lessons": removed}
    )
    return removed


# ---- calendar: periods and holidays --------------------------------------------------------------


def _year_of(starts_on: date, ends_on: date) -> SchoolYear:
    """The school year holding both dates, locked so that its periods are checked one writer at a time."""
    if ends_on < starts_on:
        raise errors.DatesReversed()
    year = (
        SchoolYear.objects.select_for_update()
        .filter(starts_on__lte=starts_on, ends_on__gte=ends_on)
        .order_by("starts_on")
        .first()
    )
    if year is None:
        raise errors.DateOutsideYear()
    return year


def _period_write(period: Period, *, label: str, starts_on: date, ends_on: date) -> None:
    year = _year_of(starts_on, ends_on)
    overlapping = Period.objects.filter(school_year=year, starts_on__lte=ends_on, ends_on__gte=starts_on)
    if overlapping.exclude(pk=period.pk).exists():
        raise errors.PeriodOverlap()
    period.school_year, period.label, period.starts_on, period.ends_on = (
        year,
        label.strip(),
        starts_on,
        ends_on,
    )
    _clean(period)
    _save(period, errors.PeriodLabelTaken)


def _dates(item: Period | Holiday) -> dict[str, str]:
    return {"starts_on": item.starts_on.isoformat(), "ends_on": item.ends_on.isoformat()}


@transaction.atomic
def period_create(*, actor: Person, label: str, starts_on: date, ends_on: date) -> Period:
    """A term or semester inside one school year, overlapping none of that year's other periods."""
    period = Period()
    _period_write(period, label=label, starts_on=starts_on, ends_on=ends_on)
    audit_record(actor=actor, action="timetable.period_created", target=period, data=_dates(period))
    return period


@transaction.atomic
def period_update(*, actor: Person, period: Period, label: str, starts_on: date, ends_on: date) -> Period:
    """Rename a period or move its dates, by the rules of ``period_create``."""
    before = _dates(period)
    _period_write(period, label=label, starts_on=starts_on, ends_on=ends_on)
    audit_record(
        actor=actor,
        action="timetable.period_updated",
        target=period,
        data={"before": before, "after": _dates(period)},
    )
    return period


@transaction.atomic
def period_delete(*, actor: Person, period: Period) -> None:
    """Delete a period; nothing else refers to it."""
    audit_record(actor=actor, action="timetable.period_deleted", target=period, data=_dates(period))
    period.delete()


def _holiday_write(holiday: Holiday, *, label: str, kind: str, starts_on: date, ends_on: date) -> None:
    holiday.school_year = _year_of(starts_on, ends_on)
    holiday.label, holiday.kind, holiday.starts_on, holiday.ends_on = label.strip(), kind, starts_on, ends_on
    _clean(holiday)
    _save(holiday, errors.HolidayDuplicate)


@transaction.atomic
def holiday_create(*, actor: Person, label: str, kind: str, starts_on: date, ends_on: date) -> Holiday:
    """Days without lessons (vacation, public holiday, closure) inside one school year.

    A/B weeks are explicit week sets (``WeekPattern``): a new holiday does not renumber them.
    """
    holiday = Holiday()
    _holiday_write(holiday, label=label, kind=kind, starts_on=starts_on, ends_on=ends_on)
    audit_record(actor=actor, action="timetable.holiday_created", target=holiday, data=_dates(holiday))
    return holiday


@transaction.atomic
def holiday_update(
    *, actor: Person, holiday: Holiday, label: str, kind: str, starts_on: date, ends_on: date
) -> Holiday:
    """Rename, retype or move days without lessons, by the rules of ``holiday_create``."""
    before = _dates(holiday)
    _holiday_write(holiday, label=label, kind=kind, starts_on=starts_on, ends_on=ends_on)
    audit_record(
        actor=actor,
        action="timetable.holiday_updated",
        target=holiday,
        data={"before": before, "after": _dates(holiday)},
    )
    return holiday


@transaction.atomic
def holiday_delete(*, actor: Person, holiday: Holiday) -> None:
    """Give back days to lessons (their dated changes, if any, keep their dates)."""
    audit_record(actor=actor, action="timetable.holiday_deleted", target=holiday, data=_dates(holiday))
    holiday.delete()


# ---- weekly grid ---------------------------------------------------------------------------------


def _day_check(slot: TimeSlot) -> None:
    """Slots of one day follow one another in index order without overlapping."""
    if slot.ends_at <= slot.starts_at:
        raise errors.TimesReversed()
    others = list(TimeSlot.objects.filter(day=slot.day).exclude(pk=slot.pk))
    if any(other.index == slot.index for other in others):
        raise errors.TimeSlotTaken()
    ordered = sorted([*others, slot], key=lambda s: s.index)
    if any(first.ends_at > second.starts_at for first, second in pairwise(ordered)):
        raise errors.TimeSlotOverlap()


def _slot_data(slot: TimeSlot) -> dict[str, Any]:
    return {
        "day": slot.day,
        "index": slot.index,
        "starts_at": slot.starts_at.isoformat(),
        "ends_at": slot.ends_at.isoformat(),
        "is_lunch": slot.is_lunch,
    }


@transaction.atomic
def time_slot_create(
    *, actor: Person, day: int, index: int, starts_at: time, ends_at: time, is_lunch: bool = False
) -> TimeSlot:
    """Open a cell of the weekly grid: its position in the day is free and its times fit between its
    neighbours'."""
    slot = TimeSlot(day=day, index=index, starts_at=starts_at, ends_at=ends_at, is_lunch=is_lunch)
    _clean(slot)
    _day_check(slot)
    _save(slot, errors.TimeSlotTaken)
    audit_record(actor=actor, action="timetable.time_slot_created", target=slot, data=_slot_data(slot))
    return slot


@transaction.atomic
def time_slot_update(
    *, actor: Person, time_slot: TimeSlot, starts_at: time, ends_at: time, is_lunch: bool
) -> TimeSlot:
    """Change a slot's times or lunch flag; its day and position stay (placed lessons refer to them)."""
    slot = TimeSlot.objects.select_for_update().get(pk=time_slot.pk)
    before = _slot_data(slot)
    slot.starts_at, slot.ends_at, slot.is_lunch = starts_at, ends_at, is_lunch
    _clean(slot)
    _day_check(slot)
    slot.save()
    audit_record(
        actor=actor,
        action="timetable.time_slot_updated",
        target=slot,
        data={"before": before, "after": _slot_data(slot)},
    )
    return slot


@transaction.atomic
def time_slot_delete(*, actor: Person, time_slot: TimeSlot) -> None:
    """Close a cell of the grid no placed lesson covers; the unavailabilities noted there go with it."""
    slot = TimeSlot.objects.select_for_update().get(pk=time_slot.pk)
    covering = Lesson.objects.filter(
        day=slot.day, slot__lte=slot.index, slot__gt=slot.index - F("course__duration")
    )
    if covering.exists():
        raise errors.TimeSlotInUse()
    Unavailability.objects.filter(day=slot.day, slot=slot.index).delete()
    audit_record(actor=actor, action="timetable.time_slot_deleted", target=slot, data=_slot_data(slot))
    slot.delete()


# ---- constraints: unavailabilities and daily limits ----------------------------------------------


@transaction.atomic
def unavailability_create(
    *,
    actor: Person,
    day: int,
    slot: int,
    teacher: Person | None = None,
    school_class: SchoolClass | None = None,
    room: Room | None = None,
) -> Unavailability:
    """One teacher, class or room cannot have lessons at one cell of the grid (hard constraint)."""
    if [teacher, school_class, room].count(None) != 2:
        raise errors.TargetRequired()
    if teacher is not None:
        _check_teachers([teacher])
    if not TimeSlot.objects.filter(day=day, index=slot).exists():
        raise errors.SlotOutsideGrid()
    item = Unavailability(teacher=teacher, school_class=school_class, room=room, day=day, slot=slot)
    same = Unavailability.objects.filter(
        teacher=teacher, school_class=school_class, room=room, day=day, slot=slot
    )
    if same.exists():
        raise errors.UnavailabilityDuplicate()
    _clean(item)
    item.save()
    audit_record(
        actor=actor,
        action="timetable.unavailability_created",
        target=item,
        data={
            "day": day,
            "slot": slot,
            "kind": "teacher" if teacher else "class" if school_class else "room",
        },
    )
    return item


@transaction.atomic
def unavailability_delete(*, actor: Person, unavailability: Unavailability) -> None:
    """Free the cell again for the next generation (placed lessons do not move)."""
    audit_record(
        actor=actor,
        action="timetable.unavailability_deleted",
        target=unavailability,
        data={"day": unavailability.day, "slot": unavailability.slot},
    )
    unavailability.delete()


@transaction.atomic
def daily_limit_set(
    *,
    actor: Person,
    max_slots: int,
    teacher: Person | None = None,
    school_class: SchoolClass | None = None,
) -> DailyLimit:
    """At most ``max_slots`` slots of lessons a day for one teacher or one class; replaces its former cap."""
    if (teacher is None) == (school_class is None):
        raise errors.TargetRequired("Choisissez un enseignant ou une classe, pas les deux.")
    if teacher is not None:
        _check_teachers([teacher])
    if not 1 <= max_slots <= MAX_SLOTS_PER_DAY:
        raise errors.InvalidValue(f"Indiquez un maximum entre 1 et {MAX_SLOTS_PER_DAY} créneaux par jour.")
    limit, created = DailyLimit.objects.update_or_create(
        teacher=teacher, school_class=school_class, defaults={"max_slots": max_slots}
    )
    audit_record(
        actor=actor,
        action="timetable.daily_limit_set",
        target=limit,
        data={"max_slots": max_slots, "created": created},
    )
    return limit


@transaction.atomic
def daily_limit_delete(*, actor: Person, daily_limit: DailyLimit) -> None:
    """Lift the cap of a teacher or a class for the next generation."""
    audit_record(
        actor=actor,
        action="timetable.daily_limit_deleted",
        target=daily_limit,
        data={"max_slots": daily_limit.max_slots},
    )
    daily_limit.delete()
