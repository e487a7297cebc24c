"""Setting up the timetable (direction, ENT admin): rooms, courses, calendar, week patterns, weekly grid,
constraints.

Each write checks its rules before writing and leaves the database as it was when it refuses. Placed
lessons themselves are written by ``services`` (by hand) and by the generation.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import date, time, timedelta
from itertools import pairwise
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Model, Q
from django.utils import timezone

from mbn.audit import audit_record
from mbn.errors import DomainError
from tenants.directory.models import Person, Role, SchoolClass, Subject, TeachingGroup
from tenants.timetable import errors, selectors, services
from tenants.timetable.models import (
    Course,
    DailyLimit,
    Holiday,
    Lesson,
    LessonChange,
    PatternKind,
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


# ---- calendar: school years ----------------------------------------------------------------------

# ISO week numbers come back after 52 or 53 weeks: a longer year would give one number to two of its
# weeks, and week patterns (A, B, custom) name weeks by number only.
MAX_WEEKS_PER_YEAR = 52


def _weeks_spanned(starts_on: date, ends_on: date) -> int:
    """Calendar weeks (Monday to Sunday) the dates touch, both ends included."""
    first = starts_on - timedelta(days=starts_on.weekday())
    last = ends_on - timedelta(days=ends_on.weekday())
    return (last - first).days // 7 + 1


def _year_data(year: SchoolYear) -> dict[str, str]:
    return {
        "label": year.label,
        "starts_on": year.starts_on.isoformat(),
        "ends_on": year.ends_on.isoformat(),
        "zone": year.zone,
    }


def _years_locked() -> list[SchoolYear]:
    """Every school year, locked: writers of years go one at a time, and after the writers of periods and
    holidays (who lock their year), so that the checks across years and their contents hold."""
    return list(SchoolYear.objects.select_for_update().order_by("pk"))


def _year_write(
    year: SchoolYear, *, others: list[SchoolYear], label: str, starts_on: date, ends_on: date, zone: str
) -> None:
    if ends_on <= starts_on:
        raise errors.SchoolYearDatesReversed()
    if _weeks_spanned(starts_on, ends_on) > MAX_WEEKS_PER_YEAR:
        raise errors.SchoolYearTooLong()
    if any(other.starts_on <= ends_on and other.ends_on >= starts_on for other in others):
        raise errors.SchoolYearOverlap()
    if year.pk is not None:
        outside = Q(starts_on__lt=starts_on) | Q(ends_on__gt=ends_on)
        labels = [
            *Period.objects.filter(outside, school_year=year).values_list("label", flat=True),
            *Holiday.objects.filter(outside, school_year=year).values_list("label", flat=True),
        ]
        if labels:
            raise errors.SchoolYearContentOutside(labels)
    year.label, year.starts_on, year.ends_on, year.zone = label.strip(), starts_on, ends_on, zone
    _clean(year)
    _save(year, errors.SchoolYearLabelTaken)


@transaction.atomic
def school_year_create(*, actor: Person, label: str, starts_on: date, ends_on: date, zone: str) -> SchoolYear:
    """A new school year (with no period nor holiday yet): a unique name, at most 52 weeks long, and no day
    in common with another year."""
    year = SchoolYear()
    _year_write(year, others=_years_locked(), label=label, starts_on=starts_on, ends_on=ends_on, zone=zone)
    audit_record(actor=actor, action="timetable.school_year_created", target=year, data=_year_data(year))
    return year


@transaction.atomic
def school_year_update(
    *, actor: Person, school_year: SchoolYear, label: str, starts_on: date, ends_on: date, zone: str
) -> SchoolYear:
    """Rename a year, change its zone or move its dates by the rules of ``school_year_create``; its periods
    and holidays must stay inside its new dates (``school_year_content_outside`` names those that would not).

    Weeks A and B are not recomputed: the builders do it when they choose (``week_patterns_alternate``).
    """
    years = _years_locked()
    year = next(y for y in years if y.pk == school_year.pk)
    before = _year_data(year)
    others = [y for y in years if y.pk != year.pk]
    _year_write(year, others=others, label=label, starts_on=starts_on, ends_on=ends_on, zone=zone)
    audit_record(
        actor=actor,
        action="timetable.school_year_updated",
        target=year,
        data={"before": before, "after": _year_data(year)},
    )
    return year


@transaction.atomic
def school_year_delete(*, actor: Person, school_year: SchoolYear) -> None:
    """Delete a school year created by mistake or past: never the school's last year, and only once it is
    empty, since its periods and holidays would go with it (``school_year_not_empty``).

    Dated changes of lessons have no link to a year: they stay, as a record of what happened.
    """
    years = _years_locked()
    year = next(y for y in years if y.pk == school_year.pk)
    if len(years) == 1:
        raise errors.SchoolYearLast()
    if year.periods.exists() or year.holidays.exists():
        raise errors.SchoolYearNotEmpty()
    audit_record(actor=actor, action="timetable.school_year_deleted", target=year, data=_year_data(year))
    year.delete()


# ---- week patterns -------------------------------------------------------------------------------

MAX_ISO_WEEK = 53
ALTERNATE_KINDS = (PatternKind.WEEK_A, PatternKind.WEEK_B)


def _weeks_clean(iso_weeks: Iterable[int]) -> list[int]:
    """The ISO weeks as a sorted list without repeats; at least one, each from 1 to 53."""
    weeks = sorted(set(iso_weeks))
    if not weeks or weeks[0] < 1 or weeks[-1] > MAX_ISO_WEEK:
        raise errors.IsoWeeksInvalid()
    return weeks


def _pattern_data(pattern: WeekPattern) -> dict[str, Any]:
    return {
        "code": pattern.code,
        "label": pattern.label,
        "kind": pattern.kind,
        "iso_weeks": pattern.iso_weeks,
    }


def _pattern_use(pattern: WeekPattern) -> dict[str, int]:
    """What follows the pattern: a change of its weeks moves these lessons to other weeks."""
    return {
        "courses": Course.objects.filter(week_pattern=pattern).count(),
        "lessons": Lesson.objects.filter(week_pattern=pattern).count(),
    }


def _pattern_write(pattern: WeekPattern, *, code: str, label: str, iso_weeks: list[int]) -> None:
    pattern.code, pattern.label, pattern.iso_weeks = code.strip(), label.strip(), iso_weeks
    _clean(pattern)
    # Imports find a rhythm by its code whatever its case: "q1" and "Q1" would be one for them.
    if WeekPattern.objects.filter(code__iexact=pattern.code).exclude(pk=pattern.pk).exists():
        raise errors.WeekPatternCodeTaken()
    _save(pattern, errors.WeekPatternCodeTaken)


def _clashes_check(weeks_by_pattern: dict[int, list[int]]) -> None:
    """New weeks must not make placed lessons meet (a teacher, a class or a room twice in one week)."""
    clashes = services.week_pattern_clashes(weeks_by_pattern=weeks_by_pattern)
    if clashes:
        raise errors.WeekPatternClash(clashes)


def _alternates_locked() -> list[WeekPattern]:
    """Weeks A and B, locked together (always in the same order, so two writers never deadlock)."""
    return list(WeekPattern.objects.select_for_update().filter(kind__in=ALTERNATE_KINDS).order_by("pk"))


def _alternate_check(week_a: list[int], week_b: list[int]) -> None:
    """A week is A or B, never both: the solver places A and B lessons in the same slots."""
    common = sorted(set(week_a) & set(week_b))
    if common:
        raise errors.AlternateWeeksOverlap(common)


@transaction.atomic
def week_pattern_create(*, actor: Person, code: str, label: str, iso_weeks: Iterable[int]) -> WeekPattern:
    """A custom week pattern (« Semaines choisies »): a code unique whatever its case, a name, and its ISO
    weeks (at least one, from 1 to 53)."""
    pattern = WeekPattern(kind=PatternKind.CUSTOM)
    _pattern_write(pattern, code=code, label=label, iso_weeks=_weeks_clean(iso_weeks))
    audit_record(
        actor=actor, action="timetable.week_pattern_created", target=pattern, data=_pattern_data(pattern)
    )
    return pattern


@transaction.atomic
def week_pattern_update(
    *, actor: Person, week_pattern: WeekPattern, code: str, label: str, iso_weeks: Iterable[int]
) -> WeekPattern:
    """Change a custom pattern, or the name and weeks of weeks A or B (their code stays: imports and other
    software name them by it; a week A is never also a week B). « Toutes les semaines » never changes.

    Courses and placed lessons following the pattern take its new weeks: that is the point (a school swaps
    weeks or restarts the count after holidays), so the audit row counts them.
    """
    if week_pattern.kind == PatternKind.EVERY:
        raise errors.WeekPatternEveryWeek()
    weeks = _weeks_clean(iso_weeks)
    if week_pattern.kind in ALTERNATE_KINDS:
        alternates = _alternates_locked()
        pattern = next(p for p in alternates if p.pk == week_pattern.pk)
        if code.strip() != pattern.code:
            raise errors.WeekPatternCodeLocked()
        for other in alternates:
            if other.kind != pattern.kind:
                _alternate_check(weeks, other.iso_weeks)
    else:
        pattern = WeekPattern.objects.select_for_update().get(pk=week_pattern.pk)
    before = _pattern_data(pattern)
    _clashes_check({pattern.pk: weeks})
    _pattern_write(pattern, code=code, label=label, iso_weeks=weeks)
    audit_record(
        actor=actor,
        action="timetable.week_pattern_updated",
        target=pattern,
        data={"before": before, "after": _pattern_data(pattern), **_pattern_use(pattern)},
    )
    return pattern


def _alternates_write(
    actor: Person, weeks_by_kind: dict[str, list[int]], action: str, data: dict[str, Any]
) -> list[WeekPattern]:
    """Give weeks A and B their new weeks at once (creating a missing one), one audit row each."""
    alternates = {pattern.kind: pattern for pattern in _alternates_locked()}
    _clashes_check({alternates[k].pk: weeks for k, weeks in weeks_by_kind.items() if k in alternates})
    written = []
    for kind, weeks in weeks_by_kind.items():
        pattern = alternates.get(kind) or WeekPattern(code=kind, label=PatternKind(kind).label, kind=kind)
        before = pattern.iso_weeks if pattern.pk else None
        _pattern_write(pattern, code=pattern.code, label=pattern.label, iso_weeks=weeks)
        audit_record(
            actor=actor,
            action=action,
            target=pattern,
            data={**data, "before": before, "after": weeks, **_pattern_use(pattern)},
        )
        written.append(pattern)
    return written


@transaction.atomic
def week_patterns_alternate_set(
    *, actor: Person, week_a: Iterable[int], week_b: Iterable[int]
) -> list[WeekPattern]:
    """Weeks A and B in one go, to swap weeks or restart the count after holidays: each list has at least
    one week, and no week is in both. Placed lessons follow; each pattern's change is audited."""
    weeks_a, weeks_b = _weeks_clean(week_a), _weeks_clean(week_b)
    _alternate_check(weeks_a, weeks_b)
    return _alternates_write(
        actor,
        {PatternKind.WEEK_A: weeks_a, PatternKind.WEEK_B: weeks_b},
        "timetable.week_pattern_updated",
        {},
    )


@transaction.atomic
def week_patterns_alternate(*, actor: Person, school_year: SchoolYear | None = None) -> list[WeekPattern]:
    """Weeks A and B recomputed from a school year's calendar (by default the year in progress, else the
    next one, else the last one): its weeks with school days, alternately A and B from the first one,
    holiday weeks skipped (``services.school_weeks_alternate``, as when the school was created). Placed
    lessons follow; each pattern's change is audited."""
    # Locking the years keeps the holidays still while they are read (holiday writers lock their year).
    years = _years_locked()
    chosen = school_year or selectors.school_year_current(on=timezone.localdate())
    year = next((y for y in years if chosen is not None and y.pk == chosen.pk), None)
    if year is None:
        raise errors.NoSchoolYear()
    weeks_a, weeks_b = services.school_weeks_alternate(year=year)
    if not weeks_a or not weeks_b:
        raise errors.AlternateWeeksEmpty()
    return _alternates_write(
        actor,
        {PatternKind.WEEK_A: sorted(weeks_a), PatternKind.WEEK_B: sorted(weeks_b)},
        "timetable.week_pattern_recomputed",
        {"school_year": year.label},
    )


@transaction.atomic
def week_pattern_delete(*, actor: Person, week_pattern: WeekPattern) -> None:
    """Delete a custom pattern no course or placed lesson follows (« Toutes les semaines », weeks A and B
    stay: grids, imports and the generation rely on them)."""
    pattern = WeekPattern.objects.select_for_update().get(pk=week_pattern.pk)
    if pattern.kind == PatternKind.EVERY:
        raise errors.WeekPatternEveryWeek()
    if pattern.kind in ALTERNATE_KINDS:
        raise errors.WeekPatternAlternateKept()
    if (
        Course.objects.filter(week_pattern=pattern).exists()
        or Lesson.objects.filter(week_pattern=pattern).exists()
    ):
        raise errors.WeekPatternInUse()
    audit_record(
        actor=actor, action="timetable.week_pattern_deleted", target=pattern, data=_pattern_data(pattern)
    )
    pattern.delete()


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
