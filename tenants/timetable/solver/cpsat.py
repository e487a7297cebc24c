"""CP-SAT timetable engine: ``solve(problem, …) -> SolveResult``.

Model, in short:
- one boolean per (lesson, start time) allowed by the grid, the unavailabilities and fixed placements;
- per resource (teacher, class, fixed room) and per week of the A/B cycle, at most one lesson per time;
  a class counts a parallel set (half groups, LV2 groups, a barrette) as one "busy" boolean;
- rooms are not chosen in the model: per room kind and capacity threshold, the lessons at a time never
  outnumber the suitable rooms (Hall's condition, exact because the suitable rooms of two lessons are
  nested); exact rooms are then chosen per day by a small assignment model;
- soft constraints are weighted sums (``constraints.CONSTRAINTS``), all minimised together.

Search, in two phases: (1) any timetable, objective removed, one sequential worker; (2) the full model
hinted with it; with one worker on a large school, phase 2 soon hands over to a large neighbourhood
search (free the lessons of a few classes or teachers, fix the rest, re-solve). Exact costs are
recomputed by ``check.soft_costs``, independent of the model's auxiliary variables.

When the model is infeasible it is rebuilt with one assumption literal per constraint family and
resource, and the sufficient assumptions (shrunk by deletion while time allows) name the conflict.
"""

from __future__ import annotations

import itertools
import logging
import random
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from tenants.timetable.solver import constraints as c
from tenants.timetable.solver.check import (
    capacity_conflicts,
    class_weekly_hours,
    class_weeks,
    covered_times,
    day_targets,
    grid_starts,
    possible_starts,
    room_unavailable_times,
    soft_costs,
    verify,
)
from tenants.timetable.solver.problem import (
    Conflict,
    Course,
    Explanation,
    FixedPlacement,
    LessonKey,
    PlacedLesson,
    Problem,
    Progress,
    ResourceKind,
    Solution,
    SolveResult,
    SolveStatus,
    Time,
    WeekPattern,
)

logger = logging.getLogger(__name__)

A, B = WeekPattern.WEEK_A, WeekPattern.WEEK_B
_POLL_SECONDS = 0.05
_MIN_EXPLAIN_SECONDS = 5.0
_SHRINK_MAX_CORE = 12
_LARGE_LESSON_COUNT = 300

LinearTerm = cp_model.LinearExpr | int


@dataclass
class _Lesson:
    key: LessonKey
    course: Course
    size: int
    room_id: str | None  # fixed room: the course's, a fixed placement's or a pinned lesson's
    fixed_start: Time | None
    fixed_code: str | None  # FIXED_LESSON or PINNED_LESSON
    x: dict[Time, cp_model.IntVar] = field(default_factory=dict)
    cover: dict[Time, list[cp_model.IntVar]] = field(default_factory=dict)

    @property
    def weeks(self) -> tuple[WeekPattern, ...]:
        return self.course.pattern.weeks


class _Model:
    """The CP-SAT model of one problem; ``explain`` guards every hard family with an assumption."""

    def __init__(self, problem: Problem, pinned: Sequence[PlacedLesson], *, explain: bool) -> None:
        self.problem = problem
        self.explain = explain
        self.model = cp_model.CpModel()
        self.guards: dict[tuple[str, str], cp_model.IntVar] = {}
        self.cost_terms: dict[str, list[LinearTerm]] = defaultdict(list)
        self.lessons = self._lessons(pinned)
        self.class_busy: dict[tuple[str, WeekPattern, Time], list[cp_model.IntVar]] = {}
        grid = problem.grid
        self.times = [(d, s) for d in range(len(grid.days)) for s in grid.open_slots(d)]
        self._placement()
        self._teachers()
        self._classes()
        self._rooms()
        self._symmetry()
        if not explain:
            self._soft()

    # ---- helpers -----------------------------------------------------------------------------

    def guard(self, code: str, resource_id: str) -> cp_model.IntVar | None:
        if not self.explain:
            return None
        key = (code, resource_id)
        if key not in self.guards:
            self.guards[key] = self.model.new_bool_var(f"assume_{code}_{resource_id}")
        return self.guards[key]

    def at_most_one(self, literals: list[cp_model.IntVar], guard: cp_model.IntVar | None) -> None:
        if len(literals) < 2:
            return
        if guard is None:
            self.model.add_at_most_one(literals)
        else:
            self.model.add(sum(literals) <= 1).only_enforce_if(guard)

    def add_le(self, expr: LinearTerm, bound: int, guard: cp_model.IntVar | None) -> None:
        constraint = self.model.add(expr <= bound)
        if guard is not None:
            constraint.only_enforce_if(guard)

    def _lessons(self, pinned: Sequence[PlacedLesson]) -> list[_Lesson]:
        problem = self.problem
        placements: dict[LessonKey, tuple[str, FixedPlacement | PlacedLesson]] = {
            (p.course_id, p.session): (c.FIXED_LESSON, p) for p in problem.fixed
        }
        placements |= {p.key: (c.PINNED_LESSON, p) for p in pinned}
        lessons = []
        for course_id, session in problem.lesson_keys:
            course = problem.course_by_id[course_id]
            code, placement = placements.get((course_id, session), (None, None))
            room_id = course.fixed_room_id
            if placement is not None and placement.room_id is not None:
                room_id = placement.room_id
            lessons.append(
                _Lesson(
                    key=(course_id, session),
                    course=course,
                    size=problem.group_size(course),
                    room_id=room_id,
                    fixed_start=(placement.day, placement.slot) if placement else None,
                    fixed_code=code,
                )
            )
        return lessons

    # ---- hard constraints --------------------------------------------------------------------

    def _placement(self) -> None:
        problem, model = self.problem, self.model
        for lesson in self.lessons:
            course = lesson.course
            if self.explain:
                starts = grid_starts(problem, course)
            elif lesson.fixed_start is not None:
                allowed = possible_starts(problem, course, lesson.room_id)
                starts = [lesson.fixed_start] if lesson.fixed_start in allowed else []
            else:
                starts = possible_starts(problem, course, lesson.room_id)
            if not self.explain and not self._room_exists(lesson):
                starts = []
            for start in starts:
                var = model.new_bool_var(f"x_{lesson.key[0]}_{lesson.key[1]}_{start[0]}_{start[1]}")
                lesson.x[start] = var
                for time_ in covered_times(course, *start):
                    lesson.cover.setdefault(time_, []).append(var)
            model.add_exactly_one(list(lesson.x.values()))
            if self.explain:
                self._explain_guards(lesson)

    def _room_exists(self, lesson: _Lesson) -> bool:
        kind = lesson.course.room_kind
        if lesson.room_id is not None or kind is None:
            return True
        return any(room.kind == kind and room.capacity >= lesson.size for room in self.problem.rooms)

    def _explain_guards(self, lesson: _Lesson) -> None:
        problem, course = self.problem, lesson.course
        if not self._room_exists(lesson) and lesson.course.room_kind is not None:
            guard = self.guard(c.ROOM_CAPACITY, lesson.course.room_kind)
            self.model.add_bool_and([var.Not() for var in lesson.x.values()]).only_enforce_if(guard)  # type: ignore[arg-type]
        if lesson.fixed_start is not None and lesson.fixed_code is not None:
            guard = self.guard(lesson.fixed_code, f"{lesson.key[0]}#{lesson.key[1]}")
            var = lesson.x.get(lesson.fixed_start)
            if var is None:
                self.model.add(guard == 0)  # type: ignore[arg-type]  # explain mode: guard is set
            else:
                self.model.add(var == 1).only_enforce_if(guard)  # type: ignore[arg-type]  # explain mode
        blocked_by: list[tuple[str, str, frozenset[Time]]] = []
        for teacher_id in course.teacher_ids:
            times = problem.unavailable_times.get((ResourceKind.TEACHER, teacher_id), frozenset())
            blocked_by.append((c.TEACHER_UNAVAILABLE, teacher_id, times))
        for group_id in sorted(
            {g for gid in course.group_ids for g in (gid, *problem.group_by_id[gid].classes)}
        ):
            times = problem.unavailable_times.get((ResourceKind.GROUP, group_id), frozenset())
            blocked_by.append((c.GROUP_UNAVAILABLE, group_id, times))
        if lesson.room_id is not None:
            blocked_by.append(
                (c.ROOM_UNAVAILABLE, lesson.room_id, room_unavailable_times(problem, lesson.room_id))
            )
        for code, resource_id, times in blocked_by:
            banned = [var for time_ in sorted(times) for var in lesson.cover.get(time_, [])]
            if banned:
                guard = self.guard(code, resource_id)
                self.model.add_bool_and([var.Not() for var in banned]).only_enforce_if(guard)  # type: ignore[arg-type]

    def _teachers(self) -> None:
        by_teacher: dict[str, list[_Lesson]] = defaultdict(list)
        for lesson in self.lessons:
            for teacher_id in lesson.course.teacher_ids:
                by_teacher[teacher_id].append(lesson)
        for teacher in self.problem.teachers:
            lessons = by_teacher.get(teacher.id, [])
            if not lessons:
                continue
            weeks = _weeks_of(lessons)
            clash = self.guard(c.TEACHER_CLASH, teacher.id)
            for week in weeks:
                current = [lesson for lesson in lessons if week in lesson.weeks]
                for time_ in self.times:
                    self.at_most_one([v for lesson in current for v in lesson.cover.get(time_, [])], clash)
                limit = teacher.max_hours_per_day
                if limit is not None and sum(lesson.course.duration for lesson in current) > limit:
                    guard = self.guard(c.TEACHER_MAX_HOURS, teacher.id)
                    for day in range(len(self.problem.grid.days)):
                        self.add_le(self._day_hours(current, day), limit, guard)

    def _day_hours(self, lessons: list[_Lesson], day: int) -> LinearTerm:
        return sum(
            lesson.course.duration * var for lesson in lessons for (d, _), var in lesson.x.items() if d == day
        )

    def _classes(self) -> None:
        problem = self.problem
        by_class: dict[str, list[_Lesson]] = defaultdict(list)
        by_group: dict[str, list[_Lesson]] = defaultdict(list)
        for lesson in self.lessons:
            for class_id in problem.classes_of(lesson.course):
                by_class[class_id].append(lesson)
            for group_id in lesson.course.group_ids:
                by_group[group_id].append(lesson)
        for group in problem.groups:
            lessons = by_group.get(group.id, [])
            if group.id in problem.parallel_set_of:
                clash = self.guard(c.GROUP_CLASH, group.id)
                for week in _weeks_of(lessons):
                    current = [lesson for lesson in lessons if week in lesson.weeks]
                    for time_ in self.times:
                        self.at_most_one(
                            [v for lesson in current for v in lesson.cover.get(time_, [])], clash
                        )
            if not group.is_class and group.max_hours_per_day is not None:
                guard = self.guard(c.GROUP_MAX_HOURS, group.id)
                for week in _weeks_of(lessons):
                    current = [lesson for lesson in lessons if week in lesson.weeks]
                    if sum(lesson.course.duration for lesson in current) > group.max_hours_per_day:
                        for day in range(len(problem.grid.days)):
                            self.add_le(self._day_hours(current, day), group.max_hours_per_day, guard)
        for group in problem.groups:
            if group.is_class:
                self._class(group.id, by_class.get(group.id, []))

    def _class(self, class_id: str, lessons: list[_Lesson]) -> None:
        problem, model, grid = self.problem, self.model, self.problem.grid
        clash = self.guard(c.GROUP_CLASH, class_id)
        for week in class_weeks(problem, class_id):
            direct: list[_Lesson] = []
            by_set: dict[frozenset[str], list[_Lesson]] = defaultdict(list)
            for lesson in lessons:
                if week not in lesson.weeks:
                    continue
                term = problem.class_term(lesson.course, class_id)
                if term is None:
                    direct.append(lesson)
                else:
                    by_set[term].append(lesson)
            for time_ in self.times:
                busy = [v for lesson in direct for v in lesson.cover.get(time_, [])]
                for members, set_lessons in sorted(by_set.items(), key=lambda item: sorted(item[0])):
                    covering = [v for lesson in set_lessons for v in lesson.cover.get(time_, [])]
                    if len(covering) == 1:
                        busy.append(covering[0])
                    elif covering:
                        flag = model.new_bool_var(f"busy_{class_id}_{min(members)}_{week}_{time_}")
                        for var in covering:
                            model.add_implication(var, flag)
                        model.add(flag <= sum(covering))
                        busy.append(flag)
                self.at_most_one(busy, clash)
                self.class_busy[(class_id, week, time_)] = busy
            group = problem.group_by_id[class_id]
            lunch = grid.lunch_slots
            for day in range(len(grid.days)):
                day_busy = [
                    v for s in grid.open_slots(day) for v in self.class_busy[(class_id, week, (day, s))]
                ]
                if group.max_hours_per_day is not None and len(day_busy) > group.max_hours_per_day:
                    self.add_le(
                        sum(day_busy), group.max_hours_per_day, self.guard(c.GROUP_MAX_HOURS, class_id)
                    )
                if not problem.lunch_break or not lunch or not all(grid.is_open(day, s) for s in lunch):
                    continue
                lunch_busy = [v for s in lunch for v in self.class_busy[(class_id, week, (day, s))]]
                if len(lunch_busy) >= len(lunch):
                    self.add_le(sum(lunch_busy), len(lunch) - 1, self.guard(c.LUNCH_BREAK, class_id))

    def _rooms(self) -> None:
        by_room: dict[str, list[_Lesson]] = defaultdict(list)
        for lesson in self.lessons:
            if lesson.room_id is not None:
                by_room[lesson.room_id].append(lesson)
        for room_id, lessons in sorted(by_room.items()):
            clash = self.guard(c.ROOM_CLASH, room_id)
            for week in _weeks_of(lessons):
                current = [lesson for lesson in lessons if week in lesson.weeks]
                for time_ in self.times:
                    self.at_most_one([v for lesson in current for v in lesson.cover.get(time_, [])], clash)
        kinds = sorted(
            {ls.course.room_kind for ls in self.lessons if ls.room_id is None and ls.course.room_kind}
        )
        for kind in kinds:
            self._room_kind(kind, by_room)

    def _room_kind(self, kind: str, by_room: dict[str, list[_Lesson]]) -> None:
        problem = self.problem
        flexible = [ls for ls in self.lessons if ls.room_id is None and ls.course.room_kind == kind]
        rooms = sorted((room for room in problem.rooms if room.kind == kind), key=lambda room: room.id)
        capacity = self.guard(c.ROOM_CAPACITY, kind)
        kept: list[tuple[int, list[str]]] = []
        for size in sorted({lesson.size for lesson in flexible}):
            suitable = [room.id for room in rooms if room.capacity >= size]
            if suitable and (not kept or suitable != kept[-1][1]):
                kept.append((size, suitable))
        for size, suitable in kept:
            users = [ls for ls in flexible if ls.size >= size]
            users += [ls for room_id in suitable for ls in by_room.get(room_id, [])]
            for week in _weeks_of(users):
                current = [lesson for lesson in users if week in lesson.weeks]
                for time_ in self.times:
                    using = [v for lesson in current for v in lesson.cover.get(time_, [])]
                    closed = [r for r in suitable if time_ in room_unavailable_times(problem, r)]
                    if self.explain:
                        if len(using) + len(closed) > len(suitable):
                            # A room's unavailability, when assumed, takes that room out of the count.
                            closed_guards = [
                                g for r in closed if (g := self.guard(c.ROOM_UNAVAILABLE, r)) is not None
                            ]
                            self.add_le(sum(using) + sum(closed_guards), len(suitable), capacity)
                    elif len(using) > len(suitable) - len(closed):
                        self.model.add(sum(using) <= len(suitable) - len(closed))

    def _symmetry(self) -> None:
        """Sessions of one course are interchangeable: free ones start in session order."""
        by_course: dict[str, list[_Lesson]] = defaultdict(list)
        for lesson in self.lessons:
            if lesson.fixed_start is None:
                by_course[lesson.course.id].append(lesson)
        width = len(self.problem.grid.slots)
        for lessons in by_course.values():
            starts = [sum((d * width + s) * var for (d, s), var in ls.x.items()) for ls in lessons]
            for first, second in itertools.pairwise(starts):
                self.model.add(first < second)

    # ---- soft constraints --------------------------------------------------------------------

    def _soft(self) -> None:
        problem = self.problem
        self._teacher_gaps()
        self._student_gaps_and_balance()
        for course in problem.courses:
            lessons = [ls for ls in self.lessons if ls.course.id == course.id]
            self._spread_and_double(course, lessons)
            if course.preferred_times:
                for lesson in lessons:
                    for start, var in lesson.x.items():
                        if not set(covered_times(course, *start)) <= course.preferred_times:
                            self.cost_terms[c.PREFERRED_SLOTS].append(var)
        for lesson in self.lessons:
            for teacher_id in lesson.course.teacher_ids:
                undesired = problem.teacher_by_id[teacher_id].undesired_times
                for time_ in sorted(undesired):
                    self.cost_terms[c.PREFERRED_SLOTS].extend(lesson.cover.get(time_, []))
        objective = []
        for code, terms in self.cost_terms.items():
            weight = problem.weight(code)
            if weight and terms:
                objective.append(weight * sum(terms))
        if objective:
            self.model.minimize(sum(objective))

    def _busy_any_week(self, name: str, per_week: list[list[cp_model.IntVar]]) -> LinearTerm | None:
        """1 when the resource is busy in at least one week; plain sum when one week stands for both."""
        literals = [v for week in per_week for v in week]
        if not literals:
            return None
        if len(per_week) == 1:
            return sum(per_week[0])
        flag = self.model.new_bool_var(name)
        for week in per_week:
            if week:
                self.model.add(flag >= sum(week))
        self.model.add(flag <= sum(literals))
        return flag

    def _gaps(self, code: str, name: str, day: int, busy: dict[int, LinearTerm]) -> None:
        """Free slots between the first and the last busy one, through prefix/suffix "seen" booleans."""
        model = self.model
        slots = list(self.problem.grid.open_slots(day))
        if len(slots) < 3:
            return
        zero = 0
        values = [busy.get(s, zero) for s in slots]
        before: list[LinearTerm] = [0]
        for index in range(1, len(slots)):
            flag = model.new_bool_var(f"{name}_before_{index}")
            model.add(flag >= values[index - 1])
            if index > 1:
                model.add(flag >= before[index - 1])
            before.append(flag)
        after: list[LinearTerm] = [0] * len(slots)
        for index in range(len(slots) - 2, -1, -1):
            flag = model.new_bool_var(f"{name}_after_{index}")
            model.add(flag >= values[index + 1])
            if index < len(slots) - 2:
                model.add(flag >= after[index + 1])
            after[index] = flag
        lunch = set(self.problem.grid.lunch_slots)
        lunch_gaps = []
        for index in range(1, len(slots) - 1):
            gap = model.new_bool_var(f"{name}_gap_{index}")
            model.add(gap >= before[index] + after[index] - values[index] - 1)
            if slots[index] in lunch:
                lunch_gaps.append(gap)
            else:
                self.cost_terms[code].append(gap)
        if len(lunch_gaps) > 1:
            extra = model.new_int_var(0, len(lunch_gaps), f"{name}_lunch_extra")
            model.add(extra >= sum(lunch_gaps) - 1)
            self.cost_terms[code].append(extra)

    def _teacher_gaps(self) -> None:
        if not self.problem.weight(c.TEACHER_GAPS):
            return
        by_teacher: dict[str, list[_Lesson]] = defaultdict(list)
        for lesson in self.lessons:
            for teacher_id in lesson.course.teacher_ids:
                by_teacher[teacher_id].append(lesson)
        for teacher in self.problem.teachers:
            lessons = by_teacher.get(teacher.id, [])
            weeks = _weeks_of(lessons)
            for day in range(len(self.problem.grid.days)):
                if sum(1 for ls in lessons if any(d == day for d, _ in ls.x)) < 2:
                    continue
                busy: dict[int, LinearTerm] = {}
                for slot in self.problem.grid.open_slots(day):
                    per_week = [
                        [v for ls in lessons if week in ls.weeks for v in ls.cover.get((day, slot), [])]
                        for week in weeks
                    ]
                    value = self._busy_any_week(f"tbusy_{teacher.id}_{day}_{slot}", per_week)
                    if value is not None:
                        busy[slot] = value
                self._gaps(c.TEACHER_GAPS, f"tgap_{teacher.id}_{day}", day, busy)

    def _student_gaps_and_balance(self) -> None:
        problem, grid = self.problem, self.problem.grid
        for group in problem.groups:
            if not group.is_class:
                continue
            weeks = class_weeks(problem, group.id)
            for day in range(len(grid.days)):
                if problem.weight(c.STUDENT_GAPS):
                    busy: dict[int, LinearTerm] = {}
                    for slot in grid.open_slots(day):
                        per_week = [self.class_busy.get((group.id, week, (day, slot)), []) for week in weeks]
                        value = self._busy_any_week(f"cbusy_{group.id}_{day}_{slot}", per_week)
                        if value is not None:
                            busy[slot] = value
                    self._gaps(c.STUDENT_GAPS, f"cgap_{group.id}_{day}", day, busy)
            if not problem.weight(c.BALANCED_DAYS):
                continue
            for week in weeks:
                targets = day_targets(problem, class_weekly_hours(problem, group.id, week))
                for day in range(len(grid.days)):
                    hours = [
                        v
                        for s in grid.open_slots(day)
                        for v in self.class_busy.get((group.id, week, (day, s)), [])
                    ]
                    if len(hours) <= targets[day]:
                        continue
                    excess = self.model.new_int_var(0, len(hours), f"excess_{group.id}_{week}_{day}")
                    self.model.add(excess >= sum(hours) - targets[day])
                    self.cost_terms[c.BALANCED_DAYS].append(excess)

    def _spread_and_double(self, course: Course, lessons: list[_Lesson]) -> None:
        model, grid = self.model, self.problem.grid
        if course.sessions_per_week < 2:
            return
        if not course.wants_double:
            for day in range(len(grid.days)):
                on_day = [var for ls in lessons for (d, _), var in ls.x.items() if d == day]
                if len(on_day) > 1:
                    excess = model.new_int_var(0, len(on_day) - 1, f"spread_{course.id}_{day}")
                    model.add(excess >= sum(on_day) - 1)
                    self.cost_terms[c.SUBJECT_SPREAD].append(excess)
            return
        if course.duration != 1:
            return
        pairs: list[cp_model.IntVar] = []
        for day in range(len(grid.days)):
            previous: cp_model.IntVar | None = None
            for slot in range(len(grid.slots) - 1):
                first = [v for ls in lessons for v in ls.cover.get((day, slot), [])]
                second = [v for ls in lessons for v in ls.cover.get((day, slot + 1), [])]
                if not first or not second:
                    previous = None
                    continue
                pair = model.new_bool_var(f"pair_{course.id}_{day}_{slot}")
                model.add(pair <= sum(first))
                model.add(pair <= sum(second))
                if previous is not None:
                    model.add(pair + previous <= 1)
                previous = pair
                pairs.append(pair)
        wanted = course.sessions_per_week // 2
        missing = model.new_int_var(0, wanted, f"unpaired_{course.id}")
        model.add(missing >= wanted - sum(pairs))
        self.cost_terms[c.DOUBLE_SLOTS].append(missing)

    # ---- reading a solution ------------------------------------------------------------------

    def placements(self, value: Callable[[cp_model.IntVar], int]) -> dict[LessonKey, Time]:
        placed = {}
        for lesson in self.lessons:
            for start, var in lesson.x.items():
                if value(var):
                    placed[lesson.key] = start
                    break
        return placed

    def add_hint(self, hint: Solution) -> None:
        by_course: dict[str, list[Time]] = defaultdict(list)
        for hinted in hint.lessons:
            if hinted.course_id in self.problem.course_by_id:
                by_course[hinted.course_id].append((hinted.day, hinted.slot))
        free: dict[str, list[_Lesson]] = defaultdict(list)
        for lesson in self.lessons:
            if lesson.fixed_start is None:
                free[lesson.course.id].append(lesson)
            elif lesson.fixed_start in by_course.get(lesson.course.id, []):
                by_course[lesson.course.id].remove(lesson.fixed_start)
        placed: dict[LessonKey, Time] = {}
        for course_id, lessons in free.items():
            # Sessions are ordered by start in the model (symmetry breaking): hint them in that order.
            for lesson, start in zip(lessons, sorted(by_course.get(course_id, [])), strict=False):
                placed[lesson.key] = start
        self.hint_placements(placed)

    def hint_placements(self, placed: dict[LessonKey, Time]) -> None:
        for lesson in self.lessons:
            start = placed.get(lesson.key)
            if start is None:
                continue
            for candidate, var in lesson.x.items():
                self.model.add_hint(var, candidate == start)


def _weeks_of(lessons: list[_Lesson]) -> tuple[WeekPattern, ...]:
    """Both weeks when some lesson alternates, else week A stands for both."""
    if any(lesson.course.pattern is not WeekPattern.EVERY for lesson in lessons):
        return (A, B)
    return (A,)


class _Watcher(cp_model.CpSolverSolutionCallback):
    def __init__(
        self,
        started_at: float,
        on_progress: Callable[[Progress], None] | None,
        should_stop: Callable[[], bool] | None,
    ) -> None:
        super().__init__()
        self.started_at = started_at
        self.on_progress = on_progress
        self.should_stop = should_stop
        self.history: list[Progress] = []
        self.stopped = False
        self.with_objective = False

    def on_solution_callback(self) -> None:
        if self.with_objective:
            self.report(round(self.objective_value), self.best_objective_bound)
        if self.should_stop is not None and self.should_stop():
            self.stopped = True
            self.stop_search()

    def report(self, objective: int, best_bound: float) -> None:
        if self.history and objective >= self.history[-1].objective:
            return
        progress = Progress(round(time.monotonic() - self.started_at, 3), objective, best_bound)
        self.history.append(progress)
        if self.on_progress is not None:
            self.on_progress(progress)


def solve(
    problem: Problem,
    *,
    time_limit_s: float,
    seed: int = 0,
    workers: int = 1,
    hint: Solution | None = None,
    pinned: Sequence[PlacedLesson] = (),
    on_progress: Callable[[Progress], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> SolveResult:
    """Best timetable found within ``time_limit_s``; ``pinned`` lessons keep their day, slot and room.

    Deterministic for a given seed with ``workers=1`` when the search ends before the time limit
    (every sub-search of the neighbourhood search has a deterministic budget, but how many run
    depends on the wall clock). An infeasible problem comes back with an ``Explanation`` naming the
    conflicting constraints; a ``hint`` that breaks no hard constraint is never returned worse.
    """
    started_at = time.monotonic()
    deadline = started_at + time_limit_s
    obvious = capacity_conflicts(problem, pinned)
    if obvious:
        return _infeasible(started_at, Explanation(tuple(obvious)))

    built = _Model(problem, pinned, explain=False)
    if hint is not None:
        built.add_hint(hint)
    watcher = _Watcher(started_at, on_progress, should_stop)

    # Phase 1: any timetable, without the objective (the LP relaxation only slows this down).
    feasibility = built.model.clone()
    feasibility.clear_objective()
    # Measured on the generated collège: with two workers the portfolio found no first timetable in
    # 60 s where one sequential worker found it in 25 s; larger portfolios include that worker.
    solver = _solver(time_limit_s, seed, 1 if workers <= 2 else workers)
    solver.parameters.stop_after_first_solution = True
    status = _run(solver, feasibility, watcher, should_stop)
    if status == cp_model.INFEASIBLE:
        return _infeasible(started_at, _explain(problem, pinned, deadline, seed))
    if status == cp_model.MODEL_INVALID:
        raise RuntimeError(f"invalid CP-SAT model: {feasibility.validate()}")
    placed = built.placements(solver.value) if status in (cp_model.OPTIMAL, cp_model.FEASIBLE) else None
    is_optimal = False
    if placed is not None:
        first_cost = sum(soft_costs(problem, _unroomed(built, placed)).values())
        watcher.report(first_cost, 0.0)
        # Phase 2: improve from there, the first timetable given as a complete hint.
        remaining = deadline - time.monotonic()
        if should_stop is not None and should_stop():
            watcher.stopped = True
        if built.model.has_objective() and first_cost > 0 and remaining > 0.05 and not watcher.stopped:
            built.model.clear_hints()
            built.hint_placements(placed)
            # Phase 2 runs on the whole model. On a school of a few hundred lessons it stalled (24
            # classes: no improvement in 30 s with one worker; 40 classes: none in 250 s with two),
            # so there it gets a short slice and our neighbourhood search takes over; small schools
            # keep the whole model, which proves them optimal (4 classes: cost 0 in 11 s).
            is_large = len(built.lessons) > _LARGE_LESSON_COUNT
            whole_model_s = min(remaining, max(2.0, time_limit_s / 10)) if is_large else remaining
            solver = _solver(whole_model_s, seed, workers)
            watcher.with_objective = True
            status = _run(solver, built.model, watcher, should_stop)
            best_cost = first_cost
            if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                improved = built.placements(solver.value)
                improved_cost = sum(soft_costs(problem, _unroomed(built, improved)).values())
                if improved_cost <= first_cost:
                    placed, best_cost = improved, improved_cost
            is_optimal = status == cp_model.OPTIMAL
            if not is_optimal and is_large and not watcher.stopped:
                placed = _neighbourhood_search(
                    built, placed, best_cost, deadline, seed, workers, watcher, should_stop
                )
                # Costs are never negative: a zero-cost timetable is optimal.
                is_optimal = sum(soft_costs(problem, _unroomed(built, placed)).values()) == 0
        else:
            is_optimal = first_cost == 0
    logger.info(
        "timetable.solved",
        extra={"status": solver.status_name(status), "seconds": round(time.monotonic() - started_at, 2)},
    )

    solution = _with_rooms(problem, built, placed, seed) if placed is not None else None
    if hint is not None and _keeps_pins(hint, pinned) and not verify(problem, hint):
        hint_cost = sum(soft_costs(problem, hint).values())
        if solution is None or sum(soft_costs(problem, solution).values()) > hint_cost:
            solution = Solution(tuple(sorted(hint.lessons, key=lambda lesson: lesson.key)))

    if watcher.stopped:
        result_status = SolveStatus.STOPPED
    elif is_optimal and solution is not None:
        result_status = SolveStatus.OPTIMAL
    elif solution is not None:
        result_status = SolveStatus.FEASIBLE
    else:
        result_status = SolveStatus.UNKNOWN
    costs = soft_costs(problem, solution) if solution is not None else {}
    return SolveResult(
        status=result_status,
        solution=solution,
        objective=sum(costs.values()) if solution is not None else None,
        costs=costs,
        history=tuple(watcher.history),
        seconds=round(time.monotonic() - started_at, 3),
    )


def _neighbourhood_search(
    built: _Model,
    placed: dict[LessonKey, Time],
    cost: int,
    deadline: float,
    seed: int,
    workers: int,
    watcher: _Watcher,
    should_stop: Callable[[], bool] | None,
) -> dict[LessonKey, Time]:
    """Large neighbourhood search: free the lessons of a few classes or teachers, fix the rest, re-solve."""
    problem = built.problem
    rng = random.Random(seed)  # noqa: S311  # search diversification, not security
    class_ids = sorted(group.id for group in problem.groups if group.is_class)
    teacher_ids = sorted(teacher.id for teacher in problem.teachers)
    size = 2
    while cost > 0 and time.monotonic() < deadline - 0.1 and not watcher.stopped:
        if should_stop is not None and should_stop():
            watcher.stopped = True
            break
        if rng.random() < 0.6:
            chosen = set(rng.sample(class_ids, k=min(size, len(class_ids))))
            free = {ls.key for ls in built.lessons if chosen.intersection(problem.classes_of(ls.course))}
        else:
            chosen = set(rng.sample(teacher_ids, k=min(size + 1, len(teacher_ids))))
            free = {ls.key for ls in built.lessons if chosen.intersection(ls.course.teacher_ids)}
        neighbourhood = built.model.clone()
        neighbourhood.clear_hints()
        for lesson in built.lessons:
            for start, var in lesson.x.items():
                if lesson.key in free:
                    neighbourhood.add_hint(var, start == placed[lesson.key])
                else:
                    value = int(start == placed[lesson.key])
                    domain = neighbourhood.proto.variables[var.index].domain
                    domain[0], domain[1] = value, value
        solver = _solver(min(deadline - time.monotonic(), 10.0), rng.randrange(1 << 16), workers)
        solver.parameters.max_deterministic_time = 1.0
        status = _run(solver, neighbourhood, None, should_stop)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            size = max(1, size - 1)
            continue
        if status == cp_model.OPTIMAL:
            size = min(size + 1, max(1, len(class_ids) // 2))
        candidate = built.placements(solver.value)
        candidate_cost = sum(soft_costs(problem, _unroomed(built, candidate)).values())
        if candidate_cost < cost:
            placed, cost = candidate, candidate_cost
            watcher.report(cost, 0.0)
    return placed


def _unroomed(built: _Model, placed: dict[LessonKey, Time]) -> Solution:
    """Placement only: enough for the soft costs, which never look at rooms."""
    return Solution(
        tuple(
            PlacedLesson(key[0], key[1], day, slot, None, built.problem.course_by_id[key[0]].pattern)
            for key, (day, slot) in placed.items()
        )
    )


def _solver(time_limit_s: float, seed: int, workers: int) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(time_limit_s, 0.01)
    solver.parameters.random_seed = seed
    solver.parameters.num_workers = workers
    # Measured on generated collèges: the LP relaxation costs more than it prunes on this model.
    solver.parameters.linearization_level = 0
    return solver


def _run(
    solver: cp_model.CpSolver,
    model: cp_model.CpModel,
    watcher: _Watcher | None,
    should_stop: Callable[[], bool] | None,
) -> cp_model.CpSolverStatus:
    """Solve, polling ``should_stop`` from a side thread: solution callbacks alone may come too rarely."""
    finished = threading.Event()

    def poll() -> None:
        while not finished.wait(_POLL_SECONDS):
            if should_stop is not None and should_stop():
                if watcher is not None:
                    watcher.stopped = True
                solver.stop_search()
                return

    poller = threading.Thread(target=poll, daemon=True) if should_stop is not None else None
    if poller is not None:
        poller.start()
    try:
        return solver.solve(model, watcher)
    finally:
        finished.set()
        if poller is not None:
            poller.join()


def _keeps_pins(hint: Solution, pinned: Sequence[PlacedLesson]) -> bool:
    placed = hint.by_key
    return all(
        (lesson := placed.get(pin.key)) is not None
        and (lesson.day, lesson.slot) == (pin.day, pin.slot)
        and (pin.room_id is None or lesson.room_id == pin.room_id)
        for pin in pinned
    )


def _infeasible(started_at: float, explanation: Explanation) -> SolveResult:
    return SolveResult(
        status=SolveStatus.INFEASIBLE,
        solution=None,
        objective=None,
        costs={},
        history=(),
        seconds=round(time.monotonic() - started_at, 3),
        explanation=explanation,
    )


# ---- rooms -------------------------------------------------------------------------------------


def _with_rooms(problem: Problem, built: _Model, placed: dict[LessonKey, Time], seed: int) -> Solution:
    rooms: dict[LessonKey, str | None] = {lesson.key: lesson.room_id for lesson in built.lessons}
    for day in range(len(problem.grid.days)):
        todays = [ls for ls in built.lessons if placed[ls.key][0] == day]
        rooms.update(_assign_rooms(problem, todays, placed, seed))
    return Solution(
        tuple(
            PlacedLesson(
                course_id=lesson.key[0],
                session=lesson.key[1],
                day=placed[lesson.key][0],
                slot=placed[lesson.key][1],
                room_id=rooms[lesson.key],
                pattern=lesson.course.pattern,
            )
            for lesson in built.lessons
        )
    )


def _assign_rooms(
    problem: Problem, lessons: list[_Lesson], placed: dict[LessonKey, Time], seed: int
) -> dict[LessonKey, str | None]:
    """Exact rooms for one day's lessons, whose times are known: a small assignment model."""
    model = cp_model.CpModel()
    usage: dict[tuple[str, WeekPattern, Time], list[cp_model.IntVar | int]] = defaultdict(list)
    choices: dict[LessonKey, dict[str, cp_model.IntVar]] = {}
    for lesson in lessons:
        times = covered_times(lesson.course, *placed[lesson.key])
        if lesson.room_id is not None:
            for week in lesson.weeks:
                for time_ in times:
                    usage[(lesson.room_id, week, time_)].append(1)
            continue
        kind = lesson.course.room_kind
        if kind is None:
            continue
        candidates = [
            room
            for room in problem.rooms
            if room.kind == kind
            and room.capacity >= lesson.size
            and not room_unavailable_times(problem, room.id).intersection(times)
        ]
        # Smallest fitting rooms first: keeps the big rooms for the big groups.
        candidates.sort(key=lambda room: (room.capacity, room.id))
        choice = {room.id: model.new_bool_var(f"room_{lesson.key}_{room.id}") for room in candidates}
        model.add_exactly_one(list(choice.values()))
        choices[lesson.key] = choice
        for room_id, var in choice.items():
            for week in lesson.weeks:
                for time_ in times:
                    usage[(room_id, week, time_)].append(var)
    if not choices:
        return {}
    for terms in usage.values():
        if len(terms) > 1:
            model.add(sum(terms) <= 1)
    solver = _solver(10.0, seed, 1)
    status = solver.solve(model)
    assigned: dict[LessonKey, str | None] = {}
    for key, choice in choices.items():
        found = None
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            found = next((room_id for room_id, var in choice.items() if solver.value(var)), None)
        assigned[key] = found
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        logger.warning("timetable.room_assignment_failed", extra={"lessons": len(choices)})
    return assigned


# ---- explanations ------------------------------------------------------------------------------


def _explain(problem: Problem, pinned: Sequence[PlacedLesson], deadline: float, seed: int) -> Explanation:
    """Name a small set of constraint families that cannot hold together."""
    built = _Model(problem, pinned, explain=True)
    model = built.model
    guards = list(built.guards.items())
    by_index = {var.index: key for key, var in guards}
    model.add_assumptions([var for _, var in guards])
    budget = max(deadline - time.monotonic(), _MIN_EXPLAIN_SECONDS)
    solver = _solver(budget, seed, 1)
    status = solver.solve(model)
    if status != cp_model.INFEASIBLE:
        return _incomplete_explanation()
    core = [
        by_index[index] for index in solver.sufficient_assumptions_for_infeasibility() if index in by_index
    ]
    if len(core) <= _SHRINK_MAX_CORE:
        core = _shrink(built, core, deadline, seed)
    if not core:
        detail = "La grille ne permet pas de placer toutes les séances demandées"
        return Explanation((Conflict(c.LESSON_PLACEMENT, c.label(c.LESSON_PLACEMENT), detail),))
    return Explanation(
        tuple(_describe(problem, built, code, resource_id) for code, resource_id in sorted(core))
    )


def _shrink(built: _Model, core: list[tuple[str, str]], deadline: float, seed: int) -> list[tuple[str, str]]:
    """Deletion-based shrinking: drop each assumption whose removal keeps the model infeasible."""
    model = built.model
    by_index = {var.index: key for key, var in built.guards.items()}
    kept = list(core)
    for candidate in list(core):
        if candidate not in kept or len(kept) == 1:
            continue
        remaining = deadline - time.monotonic()
        if remaining <= 0.5:
            break
        trial = [key for key in kept if key != candidate]
        model.clear_assumptions()
        model.add_assumptions([built.guards[key] for key in trial])
        solver = _solver(min(remaining, 5.0), seed, 1)
        if solver.solve(model) == cp_model.INFEASIBLE:
            smaller = {
                by_index[i] for i in solver.sufficient_assumptions_for_infeasibility() if i in by_index
            }
            kept = [key for key in trial if key in smaller] or trial
    return kept


def _incomplete_explanation() -> Explanation:
    detail = (
        "Les contraintes ne peuvent pas toutes être respectées, mais le calcul n'a pas eu le temps "
        "d'isoler la cause : relancez avec plus de temps ou assouplissez des indisponibilités."
    )
    return Explanation(
        (Conflict(c.LESSON_PLACEMENT, c.label(c.LESSON_PLACEMENT), detail),), is_complete=False
    )


def _describe(problem: Problem, built: _Model, code: str, resource_id: str) -> Conflict:
    return Conflict(
        code=code,
        label=c.label(code),
        detail=_detail(problem, built, code, resource_id),
        resource_ids=(resource_id,),
    )


def _detail(problem: Problem, built: _Model, code: str, resource_id: str) -> str:
    grid = problem.grid
    open_count = sum(len(grid.open_slots(day)) for day in range(len(grid.days)))
    if code in (c.FIXED_LESSON, c.PINNED_LESSON):
        course_id, session = resource_id.rsplit("#", 1)
        lesson = next(ls for ls in built.lessons if ls.key == (course_id, int(session)))
        when = grid.time_label(*lesson.fixed_start) if lesson.fixed_start else "?"
        verb = "fixé" if code == c.FIXED_LESSON else "verrouillé"
        return f"{problem.course_label(lesson.course)} : {verb} le {when}"
    if code.startswith("teacher_"):
        teacher = problem.teacher_by_id[resource_id]
        blocked = problem.unavailable_times.get((ResourceKind.TEACHER, teacher.id), frozenset())
        if code == c.TEACHER_UNAVAILABLE:
            return f"{teacher.name} : indisponible sur {len(blocked)} créneaux"
        if code == c.TEACHER_MAX_HOURS:
            return f"{teacher.name} : au plus {teacher.max_hours_per_day} h de cours par jour"
        hours = _max_week_hours([ls for ls in built.lessons if teacher.id in ls.course.teacher_ids])
        return _load_detail(teacher.name, hours, open_count - len(blocked))
    if code in (c.GROUP_CLASH, c.GROUP_UNAVAILABLE, c.GROUP_MAX_HOURS, c.LUNCH_BREAK):
        group = problem.group_by_id[resource_id]
        blocked = problem.unavailable_times.get((ResourceKind.GROUP, group.id), frozenset())
        if code == c.GROUP_UNAVAILABLE:
            return f"{group.name} : indisponible sur {len(blocked)} créneaux"
        if code == c.GROUP_MAX_HOURS:
            return f"{group.name} : au plus {group.max_hours_per_day} h de cours par jour"
        if code == c.LUNCH_BREAK:
            lunch = grid.lunch_slots
            start, end = grid.slots[lunch[0]].label.split("–")[0], grid.slots[lunch[-1]].label.split("–")[1]
            return f"{group.name} : au moins un créneau libre entre {start} et {end} chaque jour"
        if group.is_class:
            hours = max(class_weekly_hours(problem, group.id, week) for week in (A, B))
        else:
            hours = _max_week_hours([ls for ls in built.lessons if group.id in ls.course.group_ids])
        return _load_detail(group.name, hours, open_count - len(blocked))
    if code == c.ROOM_CAPACITY:
        rooms = [room for room in problem.rooms if room.kind == resource_id]
        hours = _max_week_hours([ls for ls in built.lessons if ls.course.room_kind == resource_id])
        return f"Salles « {resource_id} » : {len(rooms)} salle(s) pour {hours} h de cours par semaine"
    room = problem.room_by_id[resource_id]
    if code == c.ROOM_UNAVAILABLE:
        blocked = room_unavailable_times(problem, room.id)
        return f"Salle {room.name} : indisponible sur {len(blocked)} créneaux"
    hours = _max_week_hours([ls for ls in built.lessons if ls.room_id == room.id])
    return f"Salle {room.name} : {hours} h de cours imposées dans cette salle"


def _load_detail(name: str, hours: int, available: int) -> str:
    if hours > available:
        return f"{name} : {hours} h de cours pour {available} créneaux disponibles"
    return f"{name} : un seul cours à la fois ({hours} h de cours, {available} créneaux disponibles)"


def _max_week_hours(lessons: list[_Lesson]) -> int:
    return max(
        (sum(ls.course.duration for ls in lessons if week in ls.weeks) for week in (A, B)),
        default=0,
    )
