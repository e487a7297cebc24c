from __future__ import annotations

from datetime import date, datetime, time
from typing import Any, Literal

from ninja import Field, Schema

from tenants.timetable.models import FeedTarget


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
