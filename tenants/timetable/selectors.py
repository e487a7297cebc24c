"""Timetable reads, each scoped by the viewer: deny by default, then add what each role may see."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, time
from typing import TypeVar

from django.db.models import Case, Count, Model, Prefetch, Q, QuerySet, When

from mbn.errors import NotFound
from tenants.directory import selectors as directory_selectors
from tenants.directory.models import Person, Role, SchoolClass, Subject, TeachingGroup
from tenants.timetable.models import (
    Course,
    DailyLimit,
    Day,
    FeedTarget,
    FeedToken,
    GenerationRun,
    Holiday,
    ImportRun,
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
from tenants.timetable.solver import problem as solver

_M = TypeVar("_M", bound=Model)

# Who sees every timetable of the school; BUILDERS also edit it.
SCHOOL_WIDE = directory_selectors.SCHOOL_WIDE_ROLES
BUILDERS = (Role.DIRECTION, Role.SCHOOL_ADMIN)
ROOM_VIEWERS = (*SCHOOL_WIDE, Role.TEACHER, Role.STAFF)
# Staff read the rooms, the calendar and the weekly grid; pupils and parents see them in their grids.
SETUP_READERS = ROOM_VIEWERS


# ---- grids ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GridSlot:
    index: int
    starts_at: time
    ends_at: time
    is_lunch: bool

    @property
    def label(self) -> str:
        return f"{self.starts_at:%H:%M}–{self.ends_at:%H:%M}"


@dataclass(frozen=True)
class GridLesson:
    id: int
    day: int
    slot: int
    duration: int
    subject: str
    teachers: tuple[str, ...]
    audience: tuple[str, ...]
    room: str
    week_pattern: str  # code
    week_label: str
    is_pinned: bool

    def covers(self, day: int, slot: int) -> bool:
        return day == self.day and self.slot <= slot < self.slot + self.duration


@dataclass(frozen=True)
class GridCell:
    day: int
    day_label: str
    is_open: bool
    starting: tuple[GridLesson, ...]  # lessons starting here
    continuing: tuple[GridLesson, ...]  # lessons started in an earlier slot


@dataclass(frozen=True)
class GridRow:
    slot: GridSlot
    cells: tuple[GridCell, ...]


@dataclass(frozen=True)
class TimetableGrid:
    kind: str  # FeedTarget value
    target_id: int
    title: str
    week: str | None  # "A", "B" or None for every week
    days: tuple[tuple[int, str], ...]
    slots: tuple[GridSlot, ...]
    open_cells: frozenset[tuple[int, int]]
    lessons: tuple[GridLesson, ...]

    @property
    def rows(self) -> tuple[GridRow, ...]:
        """Row per slot, cell per day: what the HTML table renders."""
        return tuple(
            GridRow(
                slot=slot,
                cells=tuple(
                    GridCell(
                        day=day,
                        day_label=label,
                        is_open=(day, slot.index) in self.open_cells,
                        starting=tuple(ls for ls in self.lessons if ls.day == day and ls.slot == slot.index),
                        continuing=tuple(
                            ls for ls in self.lessons if ls.covers(day, slot.index) and ls.slot != slot.index
                        ),
                    )
                    for day, label in self.days
                ),
            )
            for slot in self.slots
        )


def grid_frame() -> tuple[tuple[tuple[int, str], ...], tuple[GridSlot, ...], frozenset[tuple[int, int]]]:
    """Days, slot rows (times of the fullest day) and open cells of the school's weekly grid."""
    cells = list(TimeSlot.objects.order_by("day", "index"))
    labels = dict(Day.choices)
    days = tuple((day, labels[day]) for day in sorted({cell.day for cell in cells}))
    slots: dict[int, GridSlot] = {}
    for cell in cells:
        slots.setdefault(cell.index, GridSlot(cell.index, cell.starts_at, cell.ends_at, cell.is_lunch))
    return days, tuple(slots[i] for i in sorted(slots)), frozenset((c.day, c.index) for c in cells)


def _lessons_with_details(lessons: QuerySet[Lesson]) -> QuerySet[Lesson]:
    return lessons.select_related("course__subject", "room", "week_pattern").prefetch_related(
        Prefetch("course__teachers", queryset=Person.objects.only("id", "display_name")),
        "course__classes",
        "course__groups",
    )


def _grid_lesson(lesson: Lesson) -> GridLesson:
    course = lesson.course
    return GridLesson(
        id=lesson.pk,
        day=lesson.day,
        slot=lesson.slot,
        duration=course.duration,
        subject=course.subject.label,
        teachers=tuple(t.display_name for t in course.teachers.all()),
        audience=tuple(c.label for c in course.classes.all()) + tuple(g.label for g in course.groups.all()),
        room=lesson.room.name if lesson.room else "",
        week_pattern=lesson.week_pattern.code,
        week_label="" if lesson.week_pattern.kind == PatternKind.EVERY else lesson.week_pattern.label,
        is_pinned=lesson.is_pinned,
    )


def _week_filter(lessons: QuerySet[Lesson], week: str | None) -> QuerySet[Lesson]:
    if week not in (PatternKind.WEEK_A, PatternKind.WEEK_B):
        return lessons
    chosen = WeekPattern.objects.filter(kind=week).first()
    if chosen is None:
        return lessons
    overlapping = [p.pk for p in WeekPattern.objects.all() if p.overlaps(chosen)]
    return lessons.filter(week_pattern__in=overlapping)


def _grid(
    *, kind: str, target_id: int, title: str, lessons: QuerySet[Lesson], week: str | None
) -> TimetableGrid:
    days, slots, open_cells = grid_frame()
    placed = _lessons_with_details(_week_filter(lessons, week)).order_by("day", "slot", "id")
    return TimetableGrid(
        kind=kind,
        target_id=target_id,
        title=title,
        week=week if week in (PatternKind.WEEK_A, PatternKind.WEEK_B) else None,
        days=days,
        slots=slots,
        open_cells=open_cells,
        lessons=tuple(_grid_lesson(lesson) for lesson in placed),
    )


# ---- whose timetable the viewer may read ---------------------------------------------------------


def _taught_class_ids(viewer: Person) -> set[int]:
    courses = Course.objects.filter(teachers=viewer)
    direct = SchoolClass.objects.filter(timetable_courses__in=courses).values_list("id", flat=True)
    through_groups = SchoolClass.objects.filter(groups__timetable_courses__in=courses).values_list(
        "id", flat=True
    )
    return set(direct) | set(through_groups)


def class_list_for(*, viewer: Person) -> QuerySet[SchoolClass]:
    """The directory's rule (directory.selectors.classes_visible_to), plus the classes a teacher has in the
    timetable even before the directory knows their teaching services."""
    visible = Q(pk__in=directory_selectors.classes_visible_to(viewer=viewer).values("pk"))
    if viewer.has_role(Role.TEACHER):
        visible |= Q(pk__in=_taught_class_ids(viewer))
    return SchoolClass.objects.filter(visible)


def class_get_for(*, viewer: Person, class_id: int) -> SchoolClass:
    school_class = class_list_for(viewer=viewer).filter(pk=class_id).first()
    if school_class is None:
        raise NotFound()
    return school_class


def teacher_list_for(*, viewer: Person) -> QuerySet[Person]:
    teachers = Person.objects.filter(roles__contains=[Role.TEACHER], is_active=True)
    if viewer.has_role(*SCHOOL_WIDE):
        return teachers
    return teachers.filter(pk=viewer.pk)


def teacher_get_for(*, viewer: Person, teacher_id: int) -> Person:
    teacher = teacher_list_for(viewer=viewer).filter(pk=teacher_id).first()
    if teacher is None:
        raise NotFound()
    return teacher


def student_get_for(*, viewer: Person, student_id: int) -> Person:
    student = directory_selectors.students_visible_to(viewer=viewer).filter(pk=student_id).first()
    if student is None:
        raise NotFound()
    return student


def room_list_for(*, viewer: Person) -> QuerySet[Room]:
    # Rooms hold no personal data; pupils and parents have no use for them.
    return Room.objects.all() if viewer.has_role(*ROOM_VIEWERS) else Room.objects.none()


def room_get_for(*, viewer: Person, room_id: int) -> Room:
    room = room_list_for(viewer=viewer).filter(pk=room_id).first()
    if room is None:
        raise NotFound()
    return room


# ---- lessons of one target -----------------------------------------------------------------------


def lessons_of_class(school_class: SchoolClass) -> QuerySet[Lesson]:
    return Lesson.objects.filter(
        Q(course__classes=school_class) | Q(course__groups__classes=school_class)
    ).distinct()


def lessons_of_student(student: Person) -> QuerySet[Lesson]:
    # A pupil follows their class's whole-class lessons and the lessons of the groups they belong to.
    return Lesson.objects.filter(
        Q(course__classes__memberships__student=student) | Q(course__groups__memberships__student=student)
    ).distinct()


def lessons_of_teacher(teacher: Person) -> QuerySet[Lesson]:
    return Lesson.objects.filter(course__teachers=teacher).distinct()


def lessons_of_room(room: Room) -> QuerySet[Lesson]:
    return Lesson.objects.filter(room=room)


def class_grid(*, school_class: SchoolClass, week: str | None = None) -> TimetableGrid:
    return _grid(
        kind=FeedTarget.CLASS,
        target_id=school_class.pk,
        title=f"Classe {school_class.label}",
        lessons=lessons_of_class(school_class),
        week=week,
    )


def teacher_grid(*, teacher: Person, week: str | None = None) -> TimetableGrid:
    return _grid(
        kind=FeedTarget.TEACHER,
        target_id=teacher.pk,
        title=teacher.display_name,
        lessons=lessons_of_teacher(teacher),
        week=week,
    )


def room_grid(*, room: Room, week: str | None = None) -> TimetableGrid:
    return _grid(
        kind=FeedTarget.ROOM,
        target_id=room.pk,
        title=f"Salle {room.name}",
        lessons=lessons_of_room(room),
        week=week,
    )


def student_grid(*, student: Person, week: str | None = None) -> TimetableGrid:
    return _grid(
        kind=FeedTarget.STUDENT,
        target_id=student.pk,
        title=student.display_name,
        lessons=lessons_of_student(student),
        week=week,
    )


def my_grids(*, viewer: Person, week: str | None = None) -> list[TimetableGrid]:
    """The viewer's own timetable: a teacher's, a pupil's, or one per child for a guardian."""
    grids: list[TimetableGrid] = []
    if viewer.has_role(Role.TEACHER):
        grids.append(teacher_grid(teacher=viewer, week=week))
    if viewer.has_role(Role.STUDENT):
        grids.append(student_grid(student=viewer, week=week))
    if viewer.has_role(Role.GUARDIAN):
        grids += [
            student_grid(student=child, week=week)
            for child in directory_selectors.children_of(guardian=viewer)
        ]
    return grids


# ---- building the timetable (direction) ----------------------------------------------------------


def lesson_list_for(*, viewer: Person) -> QuerySet[Lesson]:
    lessons = Lesson.objects.all() if viewer.has_role(*BUILDERS) else Lesson.objects.none()
    return _lessons_with_details(lessons).order_by("day", "slot", "id")


def lesson_get_for(*, viewer: Person, lesson_id: int) -> Lesson:
    lesson = lesson_list_for(viewer=viewer).filter(pk=lesson_id).first()
    if lesson is None:
        raise NotFound()
    return lesson


def lesson_get_for_changes(*, viewer: Person, lesson_id: int) -> Lesson:
    """A lesson whose daily changes the viewer records (direction, ENT admin, vie scolaire)."""
    lesson = Lesson.objects.filter(pk=lesson_id).first() if viewer.has_role(*SCHOOL_WIDE) else None
    if lesson is None:
        raise NotFound()
    return lesson


def course_get_for(*, viewer: Person, course_id: int) -> Course:
    course = Course.objects.select_related("week_pattern", "subject").filter(pk=course_id).first()
    if course is None or not viewer.has_role(*BUILDERS):
        raise NotFound()
    return course


def room_get_optional(*, viewer: Person, room_id: int | None) -> Room | None:
    return None if room_id is None else room_get_for(viewer=viewer, room_id=room_id)


def run_list_for(*, viewer: Person) -> QuerySet[GenerationRun]:
    runs = GenerationRun.objects.all() if viewer.has_role(*BUILDERS) else GenerationRun.objects.none()
    return runs.order_by("-created_at", "-id")


def run_get_for(*, viewer: Person, run_id: int) -> GenerationRun:
    run = run_list_for(viewer=viewer).filter(pk=run_id).first()
    if run is None:
        raise NotFound()
    return run


# ---- setting up the timetable (rooms, courses, calendar, grid, constraints) ----------------------


def _all_or_not_found(objects: QuerySet[_M], ids: Iterable[int]) -> list[_M]:
    """Every requested row, or NotFound if one of them is out of the viewer's reach."""
    wanted = set(ids)
    found = list(objects.filter(pk__in=wanted))
    if len(found) != len(wanted):
        raise NotFound()
    return found


def course_list_for(
    *, viewer: Person, class_id: int | None = None, teacher_id: int | None = None
) -> QuerySet[Course]:
    """Courses the builders set up, optionally those of one class (directly or by a group) or one teacher."""
    courses = Course.objects.all() if viewer.has_role(*BUILDERS) else Course.objects.none()
    if class_id is not None:
        of_class = Course.objects.filter(Q(classes=class_id) | Q(groups__classes=class_id))
        courses = courses.filter(pk__in=of_class.values("pk"))
    if teacher_id is not None:
        courses = courses.filter(pk__in=Course.objects.filter(teachers=teacher_id).values("pk"))
    return (
        courses.select_related("subject", "week_pattern", "fixed_room")
        .prefetch_related(
            Prefetch("teachers", queryset=Person.objects.only("id", "display_name")), "classes", "groups"
        )
        .annotate(placed_count=Count("lessons"))
        .order_by("subject__label", "id")
    )


def subject_list_for(*, viewer: Person) -> QuerySet[Subject]:
    return Subject.objects.all() if viewer.has_role(*BUILDERS) else Subject.objects.none()


def subject_get_for(*, viewer: Person, subject_id: int) -> Subject:
    subject = subject_list_for(viewer=viewer).filter(pk=subject_id).first()
    if subject is None:
        raise NotFound()
    return subject


def group_list_for(*, viewer: Person) -> QuerySet[TeachingGroup]:
    return TeachingGroup.objects.all() if viewer.has_role(*BUILDERS) else TeachingGroup.objects.none()


def week_pattern_list_for(*, viewer: Person) -> QuerySet[WeekPattern]:
    """Week patterns, "every week" first (the usual choice); the staff read them, the builders edit them."""
    patterns = WeekPattern.objects.all() if viewer.has_role(*SETUP_READERS) else WeekPattern.objects.none()
    return patterns.order_by(Case(When(kind=PatternKind.EVERY, then=0), default=1), "code")


def week_pattern_get_for(*, viewer: Person, code: str) -> WeekPattern:
    pattern = week_pattern_list_for(viewer=viewer).filter(code=code).first()
    if pattern is None:
        raise NotFound()
    return pattern


def week_pattern_get_by_id_for(*, viewer: Person, week_pattern_id: int) -> WeekPattern:
    pattern = week_pattern_list_for(viewer=viewer).filter(pk=week_pattern_id).first()
    if pattern is None:
        raise NotFound()
    return pattern


def members_get_for(*, viewer: Person, person_ids: Iterable[int]) -> list[Person]:
    """People of this school the builders may name in a course or a constraint (roles checked by services)."""
    people = Person.objects.all() if viewer.has_role(*BUILDERS) else Person.objects.none()
    return _all_or_not_found(people, person_ids)


def classes_get_for(*, viewer: Person, class_ids: Iterable[int]) -> list[SchoolClass]:
    return _all_or_not_found(class_list_for(viewer=viewer), class_ids)


def groups_get_for(*, viewer: Person, group_ids: Iterable[int]) -> list[TeachingGroup]:
    return _all_or_not_found(group_list_for(viewer=viewer), group_ids)


def school_year_list_for(*, viewer: Person) -> QuerySet[SchoolYear]:
    """School years with their periods and holidays, for the staff."""
    years = SchoolYear.objects.all() if viewer.has_role(*SETUP_READERS) else SchoolYear.objects.none()
    return years.prefetch_related("periods", "holidays").order_by("starts_on")


def school_year_get_for(*, viewer: Person, school_year_id: int) -> SchoolYear:
    year = school_year_list_for(viewer=viewer).filter(pk=school_year_id).first()
    if year is None:
        raise NotFound()
    return year


def period_get_for(*, viewer: Person, period_id: int) -> Period:
    period = Period.objects.filter(pk=period_id).first() if viewer.has_role(*SETUP_READERS) else None
    if period is None:
        raise NotFound()
    return period


def holiday_get_for(*, viewer: Person, holiday_id: int) -> Holiday:
    holiday = Holiday.objects.filter(pk=holiday_id).first() if viewer.has_role(*SETUP_READERS) else None
    if holiday is None:
        raise NotFound()
    return holiday


def time_slot_list_for(*, viewer: Person) -> QuerySet[TimeSlot]:
    slots = TimeSlot.objects.all() if viewer.has_role(*SETUP_READERS) else TimeSlot.objects.none()
    return slots.order_by("day", "index")


def time_slot_get_for(*, viewer: Person, time_slot_id: int) -> TimeSlot:
    slot = time_slot_list_for(viewer=viewer).filter(pk=time_slot_id).first()
    if slot is None:
        raise NotFound()
    return slot


def unavailability_list_for(*, viewer: Person) -> QuerySet[Unavailability]:
    # Builders only: a teacher's unavailabilities say something about their private life.
    items = Unavailability.objects.all() if viewer.has_role(*BUILDERS) else Unavailability.objects.none()
    return items.select_related("teacher", "school_class", "room").order_by("day", "slot", "id")


def unavailability_get_for(*, viewer: Person, unavailability_id: int) -> Unavailability:
    item = unavailability_list_for(viewer=viewer).filter(pk=unavailability_id).first()
    if item is None:
        raise NotFound()
    return item


def daily_limit_list_for(*, viewer: Person) -> QuerySet[DailyLimit]:
    limits = DailyLimit.objects.all() if viewer.has_role(*BUILDERS) else DailyLimit.objects.none()
    return limits.select_related("teacher", "school_class").order_by("id")


def daily_limit_get_for(*, viewer: Person, daily_limit_id: int) -> DailyLimit:
    limit = daily_limit_list_for(viewer=viewer).filter(pk=daily_limit_id).first()
    if limit is None:
        raise NotFound()
    return limit


# ---- daily changes -------------------------------------------------------------------------------


def lesson_change_list_for(*, viewer: Person, start_on: date, end_on: date) -> QuerySet[LessonChange]:
    """Changes between two dates (both included) to the lessons the viewer may see."""
    changes = LessonChange.objects.filter(on__gte=start_on, on__lte=end_on)
    if not viewer.has_role(*SCHOOL_WIDE):
        visible = Q(pk__in=[])
        if viewer.has_role(Role.TEACHER):
            visible |= Q(lesson__in=lessons_of_teacher(viewer)) | Q(substitute=viewer)
        if viewer.has_role(Role.STUDENT):
            visible |= Q(lesson__in=lessons_of_student(viewer))
        if viewer.has_role(Role.GUARDIAN):
            for child in directory_selectors.children_of(guardian=viewer):
                visible |= Q(lesson__in=lessons_of_student(child))
        changes = changes.filter(visible, is_published=True)
    return changes.select_related("lesson__course__subject", "substitute", "room", "lesson__room").order_by(
        "on", "lesson__slot", "id"
    )


# ---- calendar ------------------------------------------------------------------------------------


def school_year_current(*, on: date) -> SchoolYear | None:
    """The school year running on that date, else the next one, else the last one."""
    years = SchoolYear.objects.order_by("starts_on")
    return (
        years.filter(starts_on__lte=on, ends_on__gte=on).first()
        or years.filter(starts_on__gt=on).first()
        or years.last()
    )


def holidays_of(year: SchoolYear) -> list[Holiday]:
    return list(year.holidays.order_by("starts_on"))


# ---- feeds ---------------------------------------------------------------------------------------


def feed_token_list_for(*, viewer: Person) -> QuerySet[FeedToken]:
    return FeedToken.objects.filter(owner=viewer, revoked_at__isnull=True).order_by("-created_at", "-id")


def feed_token_get_for(*, viewer: Person, token_id: int) -> FeedToken:
    token = FeedToken.objects.filter(owner=viewer, pk=token_id).first()
    if token is None:
        raise NotFound()
    return token


def feed_token_active(*, token: str) -> FeedToken | None:
    """The live token with this secret whose owner is still an active member; None otherwise."""
    return (
        FeedToken.objects.select_related("owner")
        .filter(token=token, revoked_at__isnull=True, owner__is_active=True)
        .first()
    )


def feed_target_check(*, viewer: Person, target_kind: str, target_id: int) -> str:
    """The title of a feed target the viewer may read; NotFound otherwise."""
    if target_kind == FeedTarget.STUDENT:
        return student_get_for(viewer=viewer, student_id=target_id).display_name
    if target_kind == FeedTarget.CLASS:
        return f"Classe {class_get_for(viewer=viewer, class_id=target_id).label}"
    if target_kind == FeedTarget.TEACHER:
        return teacher_get_for(viewer=viewer, teacher_id=target_id).display_name
    if target_kind == FeedTarget.ROOM:
        return f"Salle {room_get_for(viewer=viewer, room_id=target_id).name}"
    raise NotFound()


def feed_lessons(*, token: FeedToken) -> tuple[str, QuerySet[Lesson]]:
    """Title and lessons of a feed, re-checked against the owner's rights of today."""
    owner, target_id = token.owner, token.target_id
    title = feed_target_check(viewer=owner, target_kind=token.target_kind, target_id=target_id)
    if token.target_kind == FeedTarget.STUDENT:
        lessons = lessons_of_student(Person.objects.get(pk=target_id))
    elif token.target_kind == FeedTarget.CLASS:
        lessons = lessons_of_class(SchoolClass.objects.get(pk=target_id))
    elif token.target_kind == FeedTarget.TEACHER:
        lessons = lessons_of_teacher(Person.objects.get(pk=target_id))
    else:
        lessons = lessons_of_room(Room.objects.get(pk=target_id))
    details = _lessons_with_details(lessons).prefetch_related(
        Prefetch(
            "changes",
            queryset=LessonChange.objects.filter(is_published=True).select_related("substitute", "room"),
        )
    )
    return title, details.order_by("day", "slot", "id")


def groups_with_classes(group_ids: Iterable[int]) -> dict[int, set[int]]:
    return {
        group.pk: {c.pk for c in group.classes.all()}
        for group in TeachingGroup.objects.filter(pk__in=list(group_ids)).prefetch_related("classes")
    }


# ---- generation input ----------------------------------------------------------------------------


@dataclass(frozen=True)
class GenerationInput:
    problem: solver.Problem
    pinned: tuple[solver.PlacedLesson, ...]
    hint: solver.Solution | None  # the current timetable (warm start), complete or not


_SOLVER_PATTERN = {
    PatternKind.EVERY: solver.WeekPattern.EVERY,
    PatternKind.WEEK_A: solver.WeekPattern.WEEK_A,
    PatternKind.WEEK_B: solver.WeekPattern.WEEK_B,
    # An irregular week set may meet both A and B weeks: the solver keeps its time free in both.
    PatternKind.CUSTOM: solver.WeekPattern.EVERY,
}


def solver_pattern(pattern: WeekPattern) -> solver.WeekPattern:
    return _SOLVER_PATTERN[PatternKind(pattern.kind)]


def generation_input() -> GenerationInput:
    """The school's courses, grid, rooms and constraints as a pure solver problem (ids prefixed by kind)."""
    days, slots, open_cells = grid_frame()
    grid = solver.Grid(
        days=tuple(label for _, label in days),
        slots=tuple(
            solver.TimeSlot(
                s.starts_at.hour * 60 + s.starts_at.minute, s.ends_at.hour * 60 + s.ends_at.minute, s.is_lunch
            )
            for s in slots
        ),
        closed=frozenset(
            (day_pos, slot_pos)
            for day_pos, (day, _) in enumerate(days)
            for slot_pos, slot in enumerate(slots)
            if (day, slot.index) not in open_cells
        ),
    )
    day_pos = {day: pos for pos, (day, _) in enumerate(days)}
    slot_pos = {slot.index: pos for pos, slot in enumerate(slots)}
    courses = list(
        Course.objects.filter(sessions_per_week__gt=0)
        .select_related("subject", "week_pattern")
        .prefetch_related("teachers", "classes", "groups__classes")
        .order_by("id")
    )
    teachers = {t.pk: t for course in courses for t in course.teachers.all()}
    groups = {g.pk: g for course in courses for g in course.groups.all()}
    class_ids = {c.pk for course in courses for c in course.classes.all()}
    class_ids |= {c.pk for group in groups.values() for c in group.classes.all()}
    class_sizes = dict(
        SchoolClass.objects.filter(pk__in=class_ids).annotate(n=Count("memberships")).values_list("pk", "n")
    )
    group_sizes = dict(
        TeachingGroup.objects.filter(pk__in=groups).annotate(n=Count("memberships")).values_list("pk", "n")
    )
    teacher_caps, class_caps = _daily_limits()
    student_groups = [
        solver.StudentGroup(
            id=f"c{pk}", name=label, size=class_sizes.get(pk, 0), max_hours_per_day=class_caps.get(pk)
        )
        for pk, label in SchoolClass.objects.filter(pk__in=class_ids).values_list("pk", "label")
    ]
    # Groups drawn from the same classes (half groups, the LV2 groups of two classes) are taught in parallel.
    by_classes: dict[frozenset[int], list[str]] = {}
    for group in groups.values():
        members = frozenset(c.pk for c in group.classes.all())
        student_groups.append(
            solver.StudentGroup(
                id=f"g{group.pk}",
                name=group.label,
                size=group_sizes.get(group.pk, 0),
                class_ids=tuple(f"c{pk}" for pk in sorted(members)),
            )
        )
        if members:
            by_classes.setdefault(members, []).append(f"g{group.pk}")
    parallel = tuple(frozenset(ids) for ids in by_classes.values() if len(ids) > 1)
    rooms = list(Room.objects.order_by("id"))
    problem = solver.Problem(
        name="établissement",
        grid=grid,
        teachers=tuple(
            solver.Teacher(id=f"t{pk}", name=t.display_name, max_hours_per_day=teacher_caps.get(pk))
            for pk, t in sorted(teachers.items())
        ),
        groups=tuple(student_groups),
        rooms=tuple(solver.Room(id=f"r{r.pk}", name=r.name, kind=r.kind, capacity=r.capacity) for r in rooms),
        courses=tuple(
            solver.Course(
                id=f"k{course.pk}",
                subject=course.subject.label,
                teacher_ids=tuple(f"t{t.pk}" for t in course.teachers.all()),
                group_ids=tuple(f"c{c.pk}" for c in course.classes.all())
                + tuple(f"g{g.pk}" for g in course.groups.all()),
                duration=course.duration,
                sessions_per_week=course.sessions_per_week,
                pattern=solver_pattern(course.week_pattern),
                room_kind=(course.room_kind or None) if course.fixed_room_id is None else None,
                fixed_room_id=f"r{course.fixed_room_id}" if course.fixed_room_id else None,
                wants_double=course.wants_double,
            )
            for course in courses
        ),
        parallel_groups=parallel,
        unavailabilities=tuple(_unavailabilities(day_pos, slot_pos, teachers, class_ids)),
    )
    sessions = {f"k{course.pk}": course.sessions_per_week for course in courses}
    placed: list[tuple[bool, solver.PlacedLesson]] = []
    for lesson in Lesson.objects.select_related("course__week_pattern").order_by("id"):
        key = f"k{lesson.course_id}"
        if lesson.session >= sessions.get(key, 0) or lesson.day not in day_pos or lesson.slot not in slot_pos:
            continue
        placed.append(
            (
                lesson.is_pinned,
                solver.PlacedLesson(
                    course_id=key,
                    session=lesson.session,
                    day=day_pos[lesson.day],
                    slot=slot_pos[lesson.slot],
                    room_id=f"r{lesson.room_id}" if lesson.room_id else None,
                    pattern=solver_pattern(lesson.course.week_pattern),
                ),
            )
        )
    hint = solver.Solution(tuple(p for _, p in placed)) if placed else None
    return GenerationInput(
        problem=problem, pinned=tuple(p for is_pinned, p in placed if is_pinned), hint=hint
    )


def _daily_limits() -> tuple[dict[int, int], dict[int, int]]:
    """Most slots per day, by teacher id and by class id (solver's ``max_hours_per_day``: hours are slots)."""
    teacher_caps: dict[int, int] = {}
    class_caps: dict[int, int] = {}
    for teacher_id, class_id, max_slots in DailyLimit.objects.values_list(
        "teacher_id", "school_class_id", "max_slots"
    ):
        if teacher_id is not None:
            teacher_caps[teacher_id] = max_slots
        else:
            class_caps[class_id] = max_slots
    return teacher_caps, class_caps


def _unavailabilities(
    day_pos: dict[int, int], slot_pos: dict[int, int], teachers: dict[int, Person], class_ids: set[int]
) -> list[solver.Unavailability]:
    items: list[solver.Unavailability] = []
    for item in Unavailability.objects.all():
        if item.day not in day_pos or item.slot not in slot_pos:
            continue
        if item.teacher_id in teachers:
            kind, resource = solver.ResourceKind.TEACHER, f"t{item.teacher_id}"
        elif item.school_class_id in class_ids:
            kind, resource = solver.ResourceKind.GROUP, f"c{item.school_class_id}"
        elif item.room_id is not None:
            kind, resource = solver.ResourceKind.ROOM, f"r{item.room_id}"
        else:
            continue
        items.append(solver.Unavailability(kind, resource, day_pos[item.day], slot_pos[item.slot]))
    return items


# ---- imports (STS-Web, EDT, UDT) -----------------------------------------------------------------


def import_run_list_for(*, viewer: Person) -> QuerySet[ImportRun]:
    runs = ImportRun.objects.all() if viewer.has_role(*BUILDERS) else ImportRun.objects.none()
    return runs.defer("content").order_by("-created_at", "-id")


def import_run_get_for(*, viewer: Person, run_id: int) -> ImportRun:
    run = import_run_list_for(viewer=viewer).filter(pk=run_id).first()
    if run is None:
        raise NotFound()
    return run


# ---- who a dated change concerns -----------------------------------------------------------------


def lesson_people_concerned(*, change: LessonChange) -> set[int]:
    """Person ids to tell about a change: the course's teachers and the substitute, its pupils (classes and
    groups) and their guardians with parental rights, and the school's vie scolaire."""
    course = change.lesson.course
    pupils = Person.objects.filter(is_active=True, roles__contains=[Role.STUDENT]).filter(
        Q(class_membership__school_class__in=course.classes.all())
        | Q(group_memberships__group__in=course.groups.all())
    )
    guardians = Person.objects.filter(
        is_active=True, guardianships_held__student__in=pupils, guardianships_held__has_parental_rights=True
    )
    vie_scolaire = Person.objects.filter(is_active=True, roles__contains=[Role.VIE_SCOLAIRE])
    ids = set(course.teachers.filter(is_active=True).values_list("pk", flat=True))
    for people in (pupils, guardians, vie_scolaire):
        ids |= set(people.values_list("pk", flat=True))
    if change.substitute_id:
        ids.add(change.substitute_id)
    return ids


def lesson_starts_at(*, lesson: Lesson) -> time | None:
    return (
        TimeSlot.objects.filter(day=lesson.day, index=lesson.slot).values_list("starts_at", flat=True).first()
    )
