"""Weekly timetabling problem of a French school, and what the solver gives back.

Pure data: frozen dataclasses, no ORM, no solver import (ARCHITECTURE §3 rule 5).

Vocabulary:
- a *slot* is one cell of the daily grid (index in ``Grid.slots``); a *time* is a (day, slot) pair;
- a *class* (division) is a ``StudentGroup`` with no ``class_ids``; any other group (half group,
  LV2 group, cross-class option group) names the classes its pupils come from;
- two groups *share pupils* when they touch a common class, unless a ``Problem.parallel_groups``
  set holds both (half groups of one class, the LV2 groups of a pair of classes, the spécialités
  of one barrette): parallel groups may be taught at the same time;
- a *lesson* is one weekly session of a course, keyed by (course id, session index).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property

from tenants.timetable.solver.constraints import BY_CODE

Time = tuple[int, int]  # (day index, slot index)
LessonKey = tuple[str, int]  # (course id, session index)


class WeekPattern(StrEnum):
    EVERY = "every"
    WEEK_A = "A"
    WEEK_B = "B"

    @property
    def weeks(self) -> tuple[WeekPattern, ...]:
        """The weeks of the A/B cycle this pattern takes place in."""
        if self is WeekPattern.EVERY:
            return (WeekPattern.WEEK_A, WeekPattern.WEEK_B)
        return (self,)


class ResourceKind(StrEnum):
    TEACHER = "teacher"
    GROUP = "group"
    ROOM = "room"


@dataclass(frozen=True)
class TimeSlot:
    start_minute: int
    end_minute: int
    is_lunch: bool = False

    @property
    def label(self) -> str:
        return f"{_hhmm(self.start_minute)}–{_hhmm(self.end_minute)}"


@dataclass(frozen=True)
class Grid:
    days: tuple[str, ...]
    slots: tuple[TimeSlot, ...]
    # Times nobody works (Wednesday afternoon in a collège).
    closed: frozenset[Time] = frozenset()

    @property
    def lunch_slots(self) -> tuple[int, ...]:
        return tuple(index for index, slot in enumerate(self.slots) if slot.is_lunch)

    def is_open(self, day: int, slot: int) -> bool:
        return 0 <= slot < len(self.slots) and (day, slot) not in self.closed

    def open_slots(self, day: int) -> tuple[int, ...]:
        return tuple(slot for slot in range(len(self.slots)) if (day, slot) not in self.closed)

    def time_label(self, day: int, slot: int) -> str:
        return f"{self.days[day]} {_hhmm(self.slots[slot].start_minute)}"


@dataclass(frozen=True)
class Teacher:
    id: str
    name: str  # as shown to the school, e.g. "Mme Martin"
    max_hours_per_day: int | None = None
    # Wishes, not rules: costed under the ``preferred_slots`` soft constraint.
    undesired_times: frozenset[Time] = frozenset()


@dataclass(frozen=True)
class StudentGroup:
    id: str
    name: str
    size: int
    # Empty for a class; otherwise the classes whose pupils make up this group.
    class_ids: tuple[str, ...] = ()
    max_hours_per_day: int | None = None

    @property
    def is_class(self) -> bool:
        return not self.class_ids

    @property
    def classes(self) -> tuple[str, ...]:
        return self.class_ids or (self.id,)


@dataclass(frozen=True)
class Room:
    id: str
    name: str
    kind: str  # "classroom", "lab", "gym"… matched exactly against ``Course.room_kind``
    capacity: int


@dataclass(frozen=True)
class Course:
    id: str
    subject: str
    teacher_ids: tuple[str, ...]
    group_ids: tuple[str, ...]
    duration: int = 1  # consecutive slots per session
    sessions_per_week: int = 1
    pattern: WeekPattern = WeekPattern.EVERY
    room_kind: str | None = None  # None: no room to book (e.g. a sports field outside)
    fixed_room_id: str | None = None
    group_size: int | None = None  # pupils in the room; default: sum of the groups' sizes
    # Soft: a session outside these times costs under ``preferred_slots`` (empty = no wish).
    preferred_times: frozenset[Time] = frozenset()
    # Soft: pair the 1-slot sessions back to back (practicals), costed under ``double_slots``.
    wants_double: bool = False


@dataclass(frozen=True)
class Unavailability:
    kind: ResourceKind
    resource_id: str
    day: int
    slot: int


@dataclass(frozen=True)
class FixedPlacement:
    course_id: str
    session: int
    day: int
    slot: int  # first slot of the session
    room_id: str | None = None


@dataclass(frozen=True)
class Problem:
    name: str
    grid: Grid
    teachers: tuple[Teacher, ...]
    groups: tuple[StudentGroup, ...]
    rooms: tuple[Room, ...]
    courses: tuple[Course, ...]
    parallel_groups: tuple[frozenset[str], ...] = ()
    unavailabilities: tuple[Unavailability, ...] = ()
    fixed: tuple[FixedPlacement, ...] = ()
    # Every class keeps at least one free slot among the grid's lunch slots each day.
    lunch_break: bool = True
    # Soft-constraint weights by code; a missing code takes its default from ``constraints``.
    weights: Mapping[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        _validate(self)

    @cached_property
    def teacher_by_id(self) -> dict[str, Teacher]:
        return {teacher.id: teacher for teacher in self.teachers}

    @cached_property
    def group_by_id(self) -> dict[str, StudentGroup]:
        return {group.id: group for group in self.groups}

    @cached_property
    def room_by_id(self) -> dict[str, Room]:
        return {room.id: room for room in self.rooms}

    @cached_property
    def course_by_id(self) -> dict[str, Course]:
        return {course.id: course for course in self.courses}

    @cached_property
    def parallel_set_of(self) -> dict[str, frozenset[str]]:
        return {group_id: members for members in self.parallel_groups for group_id in members}

    @cached_property
    def lesson_keys(self) -> tuple[LessonKey, ...]:
        return tuple(
            (course.id, session) for course in self.courses for session in range(course.sessions_per_week)
        )

    @cached_property
    def unavailable_times(self) -> dict[tuple[ResourceKind, str], frozenset[Time]]:
        times: dict[tuple[ResourceKind, str], set[Time]] = {}
        for item in self.unavailabilities:
            times.setdefault((item.kind, item.resource_id), set()).add((item.day, item.slot))
        return {key: frozenset(value) for key, value in times.items()}

    def weight(self, code: str) -> int:
        default = BY_CODE[code].default_weight
        return self.weights.get(code, default if default is not None else 0)

    def group_size(self, course: Course) -> int:
        if course.group_size is not None:
            return course.group_size
        return sum(self.group_by_id[group_id].size for group_id in course.group_ids)

    def classes_of(self, course: Course) -> tuple[str, ...]:
        classes: list[str] = []
        for group_id in course.group_ids:
            for class_id in self.group_by_id[group_id].classes:
                if class_id not in classes:
                    classes.append(class_id)
        return tuple(classes)

    def class_term(self, course: Course, class_id: str) -> frozenset[str] | None:
        """The parallel set through which ``course`` occupies ``class_id``, or None if it occupies it whole.

        A course reaches a class through parallel groups only when all its groups touching that class
        sit in one parallel set; then other groups of that set may be taught at the same time.
        """
        touching = [g for g in course.group_ids if class_id in self.group_by_id[g].classes]
        sets = {self.parallel_set_of.get(group_id) for group_id in touching}
        if len(sets) == 1:
            return next(iter(sets))
        return None

    def groups_share_pupils(self, first_id: str, second_id: str) -> bool:
        if first_id == second_id:
            return True
        first, second = self.group_by_id[first_id], self.group_by_id[second_id]
        if not set(first.classes) & set(second.classes):
            return False
        parallel = self.parallel_set_of.get(first_id)
        return parallel is None or second_id not in parallel

    def teacher_label(self, teacher_id: str) -> str:
        return self.teacher_by_id[teacher_id].name

    def course_label(self, course: Course) -> str:
        groups = ", ".join(self.group_by_id[group_id].name for group_id in course.group_ids)
        return f"{course.subject} ({groups})" if groups else course.subject


@dataclass(frozen=True)
class PlacedLesson:
    course_id: str
    session: int
    day: int
    slot: int  # first slot
    room_id: str | None
    pattern: WeekPattern = WeekPattern.EVERY

    @property
    def key(self) -> LessonKey:
        return (self.course_id, self.session)


@dataclass(frozen=True)
class Solution:
    lessons: tuple[PlacedLesson, ...]

    @cached_property
    def by_key(self) -> dict[LessonKey, PlacedLesson]:
        return {lesson.key: lesson for lesson in self.lessons}


@dataclass(frozen=True)
class Conflict:
    """One named constraint taking part in an infeasibility."""

    code: str  # stable code from ``constraints``
    label: str  # French label of the constraint kind
    detail: str  # French sentence about this instance, e.g. "Mme X : 30 h de cours pour 26 créneaux…"
    resource_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class Explanation:
    conflicts: tuple[Conflict, ...]
    # False when the solver ran out of time before isolating a small set of causes.
    is_complete: bool = True

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(conflict.code for conflict in self.conflicts)

    @property
    def summary(self) -> str:
        return " ; ".join(conflict.detail for conflict in self.conflicts)


class SolveStatus(StrEnum):
    OPTIMAL = "optimal"
    FEASIBLE = "feasible"
    INFEASIBLE = "infeasible"
    STOPPED = "stopped"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Progress:
    seconds: float
    objective: int
    best_bound: float


@dataclass(frozen=True)
class SolveResult:
    status: SolveStatus
    solution: Solution | None
    objective: int | None  # sum of ``costs`` for the returned solution
    costs: Mapping[str, int]  # weighted cost per soft-constraint code
    history: tuple[Progress, ...]
    seconds: float
    explanation: Explanation | None = None


def _hhmm(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def _validate(problem: Problem) -> None:
    """Reject inputs that are malformed (not merely infeasible): unknown ids, overlapping parallel sets."""
    ids = {
        "teacher": [t.id for t in problem.teachers],
        "group": [g.id for g in problem.groups],
        "room": [r.id for r in problem.rooms],
        "course": [c.id for c in problem.courses],
    }
    for kind, values in ids.items():
        if len(values) != len(set(values)):
            raise ValueError(f"duplicate {kind} id")
    teachers, groups, rooms = set(ids["teacher"]), set(ids["group"]), set(ids["room"])
    classes = {g.id for g in problem.groups if g.is_class}
    for group in problem.groups:
        if not set(group.class_ids) <= classes:
            raise ValueError(f"group {group.id} refers to an unknown class")
    for course in problem.courses:
        if not set(course.teacher_ids) <= teachers or not set(course.group_ids) <= groups:
            raise ValueError(f"course {course.id} refers to an unknown teacher or group")
        if course.fixed_room_id is not None and course.fixed_room_id not in rooms:
            raise ValueError(f"course {course.id} refers to an unknown room")
        if course.duration < 1 or course.sessions_per_week < 0:
            raise ValueError(f"course {course.id} has a bad duration or session count")
    seen: set[str] = set()
    for members in problem.parallel_groups:
        if not members <= groups or members & seen:
            raise ValueError("parallel sets must name known groups, each group in one set at most")
        seen |= members
    courses = set(ids["course"])
    for placement in problem.fixed:
        if placement.course_id not in courses:
            raise ValueError(f"fixed placement of unknown course {placement.course_id}")
