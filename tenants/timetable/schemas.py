from __future__ import annotations

from datetime import date, datetime, time
from typing import Annotated, Any, Literal

from ninja import Field, Schema

from tenants.timetable.models import Day, FeedTarget, HolidayKind, RoomKind, Zone


class SlotOut(Schema):
    index: int
    starts_at: time
    ends_at: time
    is_lunch: bool


class DayOut(Schema):
    value: int
    label: str


class GridLessonOut(Schema):
    id: int
    day: int
    slot: int
    duration: int
    subject: str
    teachers: list[str]
    audience: list[str]
    room: str
    week_pattern: str
    week_label: str
    is_pinned: bool


class GridOut(Schema):
    kind: str
    target_id: int
    title: str
    week: str | None
    days: list[DayOut]
    slots: list[SlotOut]
    lessons: list[GridLessonOut]

    @staticmethod
    def resolve_days(grid: Any) -> list[dict[str, Any]]:
        return [{"value": value, "label": label} for value, label in grid.days]


class WeekFilter(Schema):
    week: Literal["A", "B"] | None = Field(default=None, description="Semaine A ou B ; absent : toutes")


class LessonOut(Schema):
    id: int
    course_id: int
    session: int
    day: int
    slot: int
    room_id: int | None
    week_pattern: str = Field(alias="week_pattern.code")
    subject: str = Field(alias="course.subject.label")
    is_pinned: bool


class LessonIn(Schema):
    course_id: int
    session: int = Field(ge=0, le=20)
    day: int = Field(ge=0, le=5)
    slot: int = Field(ge=0, le=20)
    room_id: int | None = None
    is_pinned: bool = False


class LessonMoveIn(Schema):
    day: int | None = Field(default=None, ge=0, le=5)
    slot: int | None = Field(default=None, ge=0, le=20)
    room_id: int | None = None
    keep_room: bool = Field(default=True, description="Garder la salle actuelle si room_id est absent")
    is_pinned: bool | None = None


class LessonSwapIn(Schema):
    other_id: int


class GenerationIn(Schema):
    time_limit_s: int = Field(default=60, ge=1, le=3600)
    seed: int = Field(default=0, ge=0, le=2**31 - 1)


class ConflictOut(Schema):
    code: str
    label: str
    detail: str


class ExplanationOut(Schema):
    is_complete: bool
    conflicts: list[ConflictOut]


class GenerationOut(Schema):
    id: int
    status: str
    status_label: str = Field(alias="get_status_display")
    time_limit_s: int
    seed: int
    requested_stop: bool
    progress: list[list[float]]
    best_cost: int | None
    lessons_placed: int | None
    explanation: ExplanationOut | None
    error: str
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


class ChangeIn(Schema):
    lesson_id: int
    on: date
    is_cancelled: bool = False
    substitute_id: int | None = None
    room_id: int | None = None
    note: str = Field(default="", max_length=200)
    is_published: bool = True


class ChangeOut(Schema):
    id: int
    lesson_id: int
    on: date
    subject: str = Field(alias="lesson.course.subject.label")
    slot: int = Field(alias="lesson.slot")
    is_cancelled: bool
    substitute: str | None = None
    room: str | None = None
    note: str
    is_published: bool

    @staticmethod
    def resolve_substitute(change: Any) -> str | None:
        return change.substitute.display_name if change.substitute else None

    @staticmethod
    def resolve_room(change: Any) -> str | None:
        return change.room.name if change.room else None


class FeedIn(Schema):
    target_kind: FeedTarget
    target_id: int


class FeedOut(Schema):
    id: int
    target_kind: str
    target_id: int
    url: str
    created_at: datetime
    revoked_at: datetime | None


# ---- imports -------------------------------------------------------------------------------------


class ImportRowOut(Schema):
    kind: str
    label: str
    created: int
    updated: int
    unchanged: int
    deleted: int
    ignored: int


class ImportReportOut(Schema):
    file_format: str
    file_name: str
    changed: bool
    summary: str
    totals: dict[str, int]
    rows: list[ImportRowOut]
    created: dict[str, int]
    updated: dict[str, int]
    unchanged: dict[str, int]
    deleted: dict[str, int]
    ignored: dict[str, int]
    warnings: list[str]
    unmatched_teachers: list[str]


class ImportErrorOut(Schema):
    code: str
    message: str
    file: str | None = None
    line: int | None = None
    element: str | None = None


class ImportProgressOut(Schema):
    done: int
    total: int
    phase: str


class ImportRunOut(Schema):
    id: int
    status: str
    status_label: str
    file_format: str
    file_name: str
    size: int
    report: ImportReportOut | None
    error: ImportErrorOut | None
    progress: ImportProgressOut | None
    created_at: datetime
    finished_at: datetime | None


# ---- setting up the timetable --------------------------------------------------------------------


class RoomIn(Schema):
    name: str = Field(min_length=1, max_length=60)
    kind: RoomKind = RoomKind.CLASSROOM
    capacity: int = Field(default=30, gt=0, le=1000)


class RoomOut(Schema):
    id: int
    name: str
    kind: str
    kind_label: str = Field(alias="get_kind_display")
    capacity: int


class CourseFilter(Schema):
    class_id: int | None = None
    teacher_id: int | None = None


class CourseIn(Schema):
    subject_id: int
    teacher_ids: list[int] = Field(default_factory=list, max_length=20)
    class_ids: list[int] = Field(default_factory=list, max_length=50)
    group_ids: list[int] = Field(default_factory=list, max_length=50)
    duration: int = Field(default=1, ge=1, le=6, description="Créneaux consécutifs par séance")
    sessions_per_week: int = Field(default=1, ge=1, le=20)
    week_pattern: str = Field(default="TOUTES", max_length=20, description="Code : TOUTES, A, B…")
    room_kind: RoomKind | Literal[""] = Field(default="", description="Vide : pas de salle demandée")
    fixed_room_id: int | None = None
    wants_double: bool = False


class NamedOut(Schema):
    id: int
    label: str


class CourseOut(Schema):
    id: int
    subject_id: int
    subject: str = Field(alias="subject.label")
    teachers: list[NamedOut]
    classes: list[NamedOut]
    groups: list[NamedOut]
    duration: int
    sessions_per_week: int
    week_pattern: str = Field(alias="week_pattern.code")
    room_kind: str
    fixed_room_id: int | None
    wants_double: bool
    placed_lessons: int

    @staticmethod
    def resolve_teachers(course: Any) -> list[dict[str, Any]]:
        return [{"id": t.pk, "label": t.display_name} for t in course.teachers.all()]

    @staticmethod
    def resolve_classes(course: Any) -> list[dict[str, Any]]:
        return [{"id": c.pk, "label": c.label} for c in course.classes.all()]

    @staticmethod
    def resolve_groups(course: Any) -> list[dict[str, Any]]:
        return [{"id": g.pk, "label": g.label} for g in course.groups.all()]

    @staticmethod
    def resolve_placed_lessons(course: Any) -> int:
        placed = getattr(course, "placed_count", None)  # annotated by course_list_for
        return course.lessons.count() if placed is None else int(placed)


class PeriodIn(Schema):
    label: str = Field(min_length=1, max_length=60)
    starts_on: date
    ends_on: date


class PeriodOut(Schema):
    id: int
    label: str
    starts_on: date
    ends_on: date


class HolidayIn(Schema):
    label: str = Field(min_length=1, max_length=120)
    kind: HolidayKind = HolidayKind.VACATION
    starts_on: date
    ends_on: date


class HolidayOut(Schema):
    id: int
    label: str
    kind: str
    kind_label: str = Field(alias="get_kind_display")
    starts_on: date
    ends_on: date


class SchoolYearOut(Schema):
    id: int
    label: str
    starts_on: date
    ends_on: date
    zone: str
    periods: list[PeriodOut]
    holidays: list[HolidayOut]

    @staticmethod
    def resolve_periods(year: Any) -> list[Any]:
        return list(year.periods.all())

    @staticmethod
    def resolve_holidays(year: Any) -> list[Any]:
        return list(year.holidays.all())


class TimeSlotIn(Schema):
    day: Day
    index: int = Field(ge=0, le=20, description="Position dans la journée, à partir de 0")
    starts_at: time
    ends_at: time
    is_lunch: bool = False


class TimeSlotChangeIn(Schema):
    starts_at: time
    ends_at: time
    is_lunch: bool = False


class TimeSlotOut(Schema):
    id: int
    day: int
    day_label: str = Field(alias="get_day_display")
    index: int
    starts_at: time
    ends_at: time
    is_lunch: bool


class UnavailabilityIn(Schema):
    teacher_id: int | None = None
    class_id: int | None = None
    room_id: int | None = None
    day: Day
    slot: int = Field(ge=0, le=20)


class UnavailabilityOut(Schema):
    id: int
    teacher_id: int | None
    class_id: int | None = Field(alias="school_class_id")
    room_id: int | None
    target: str
    day: int
    slot: int

    @staticmethod
    def resolve_target(item: Any) -> str:
        if item.teacher is not None:
            return str(item.teacher.display_name)
        if item.school_class is not None:
            return f"Classe {item.school_class.label}"
        return f"Salle {item.room.name}"


class DailyLimitIn(Schema):
    teacher_id: int | None = None
    class_id: int | None = None
    max_slots: int = Field(ge=1, le=12)


class DailyLimitOut(Schema):
    id: int
    teacher_id: int | None
    class_id: int | None = Field(alias="school_class_id")
    target: str
    max_slots: int

    @staticmethod
    def resolve_target(limit: Any) -> str:
        if limit.teacher is not None:
            return str(limit.teacher.display_name)
        return f"Classe {limit.school_class.label}"


class SchoolYearIn(Schema):
    label: str = Field(min_length=1, max_length=20, description="Par exemple « 2027-2028 »")
    starts_on: date = Field(description="Premier jour de classe des élèves")
    ends_on: date = Field(description="Dernier jour de classe des élèves")
    zone: Zone = Zone.B


IsoWeek = Annotated[int, Field(ge=1, le=53)]


class WeekPatternIn(Schema):
    code: str = Field(min_length=1, max_length=20, description="Les semaines A et B gardent leur code")
    label: str = Field(min_length=1, max_length=60)
    iso_weeks: list[IsoWeek] = Field(min_length=1, max_length=53, description="Numéros de semaine ISO")


class WeekPatternOut(Schema):
    id: int
    code: str
    label: str
    kind: str
    kind_label: str = Field(alias="get_kind_display")
    iso_weeks: list[int]

    @staticmethod
    def resolve_iso_weeks(pattern: Any) -> list[int]:
        return sorted(pattern.iso_weeks)


class WeekAlternateIn(Schema):
    week_a: list[IsoWeek] = Field(min_length=1, max_length=53, description="Semaines A (numéros ISO)")
    week_b: list[IsoWeek] = Field(min_length=1, max_length=53, description="Semaines B (numéros ISO)")


class WeekAlternateRecomputeIn(Schema):
    school_year_id: int | None = Field(
        default=None, description="Année scolaire d'après laquelle alterner ; absente : l'année en cours"
    )
