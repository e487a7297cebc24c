"""Plain-Python reading of the rules, independent of CP-SAT.

- ``verify``: the hard constraints a solution breaks (tests assert it returns nothing);
- ``soft_costs``: the weighted cost of each soft constraint for a solution;
- ``capacity_conflicts``: obvious infeasibilities found by counting, before any solving.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from tenants.timetable.solver import constraints as c
from tenants.timetable.solver.problem import (
    Conflict,
    Course,
    FixedPlacement,
    LessonKey,
    PlacedLesson,
    Problem,
    ResourceKind,
    Solution,
    Time,
    WeekPattern,
)

A, B = WeekPattern.WEEK_A, WeekPattern.WEEK_B


@dataclass(frozen=True)
class Violation:
    code: str
    message: str
    lessons: tuple[LessonKey, ...] = ()


def covered_times(course: Course, day: int, slot: int) -> tuple[Time, ...]:
    return tuple((day, slot + offset) for offset in range(course.duration))


def group_unavailable_times(problem: Problem, course: Course) -> set[Time]:
    """A group's own unavailabilities plus those of the classes its pupils come from."""
    times: set[Time] = set()
    for group_id in course.group_ids:
        for resource_id in {group_id, *problem.group_by_id[group_id].classes}:
            times |= problem.unavailable_times.get((ResourceKind.GROUP, resource_id), frozenset())
    return times


def teacher_unavailable_times(problem: Problem, course: Course) -> set[Time]:
    times: set[Time] = set()
    for teacher_id in course.teacher_ids:
        times |= problem.unavailable_times.get((ResourceKind.TEACHER, teacher_id), frozenset())
    return times


def room_unavailable_times(problem: Problem, room_id: str | None) -> frozenset[Time]:
    if room_id is None:
        return frozenset()
    return problem.unavailable_times.get((ResourceKind.ROOM, room_id), frozenset())


def grid_starts(problem: Problem, course: Course) -> list[Time]:
    """Starts where the session fits in one day on open slots."""
    grid = problem.grid
    return [
        (day, slot)
        for day in range(len(grid.days))
        for slot in range(len(grid.slots) - course.duration + 1)
        if all(grid.is_open(d, s) for d, s in covered_times(course, day, slot))
    ]


def possible_starts(problem: Problem, course: Course, room_id: str | None) -> list[Time]:
    """Grid starts that avoid every unavailability of the course's teachers, groups and fixed room."""
    blocked = (
        teacher_unavailable_times(problem, course)
        | group_unavailable_times(problem, course)
        | room_unavailable_times(problem, room_id)
    )
    return [
        start
        for start in grid_starts(problem, course)
        if not blocked.intersection(covered_times(course, *start))
    ]


def class_weekly_hours(problem: Problem, class_id: str, week: WeekPattern) -> int:
    """Hours a class is busy in ``week`` at the least: parallel groups counted by their busiest member."""
    whole = 0
    by_parallel_group: dict[str, int] = defaultdict(int)
    parallel_sets: dict[str, frozenset[str]] = {}
    for course in problem.courses:
        if class_id not in problem.classes_of(course) or week not in course.pattern.weeks:
            continue
        hours = course.duration * course.sessions_per_week
        term = problem.class_term(course, class_id)
        if term is None:
            whole += hours
            continue
        member = min(g for g in course.group_ids if g in term)
        by_parallel_group[member] += hours
        parallel_sets[member] = term
    busiest: dict[frozenset[str], int] = defaultdict(int)
    for member, hours in by_parallel_group.items():
        term = parallel_sets[member]
        busiest[term] = max(busiest[term], hours)
    return whole + sum(busiest.values())


def class_weeks(problem: Problem, class_id: str) -> tuple[WeekPattern, ...]:
    """Weeks to look at for a class: both if any of its courses alternates, else one stands for both."""
    for course in problem.courses:
        if course.pattern is not WeekPattern.EVERY and class_id in problem.classes_of(course):
            return (A, B)
    return (A,)


def day_targets(problem: Problem, total_hours: int) -> list[int]:
    """Each day's share of a weekly load, in proportion to its open slots, rounded up."""
    grid = problem.grid
    open_counts = [len(grid.open_slots(day)) for day in range(len(grid.days))]
    open_total = sum(open_counts) or 1
    return [math.ceil(total_hours * count / open_total) for count in open_counts]


def gap_cost(problem: Problem, day: int, busy_slots: set[int]) -> int:
    """Free open slots between the first and last busy ones; the first free lunch slot is not a gap."""
    if not busy_slots:
        return 0
    lunch = set(problem.grid.lunch_slots)
    first, last = min(busy_slots), max(busy_slots)
    free = [slot for slot in problem.grid.open_slots(day) if first < slot < last and slot not in busy_slots]
    lunch_free = sum(1 for slot in free if slot in lunch)
    return len(free) - lunch_free + max(0, lunch_free - 1)


def verify(problem: Problem, solution: Solution) -> list[Violation]:
    """Every hard constraint the solution breaks, with a French message."""
    violations: list[Violation] = []
    placed = _placed_lessons(problem, solution, violations)
    _check_rooms(problem, placed, violations)
    _check_fixed(problem, placed, violations)
    occupancy = _occupancy(problem, placed)
    _check_teachers(problem, placed, occupancy, violations)
    _check_groups(problem, placed, occupancy, violations)
    return violations


def soft_costs(problem: Problem, solution: Solution) -> dict[str, int]:
    """Weighted cost of each soft constraint (every code present, zero when respected)."""
    raw = dict.fromkeys(c.SOFT_CODES, 0)
    placed = [
        (problem.course_by_id[lesson.course_id], lesson)
        for lesson in solution.lessons
        if lesson.course_id in problem.course_by_id
    ]
    days = range(len(problem.grid.days))

    teacher_busy: dict[tuple[str, int], set[int]] = defaultdict(set)
    class_busy: dict[tuple[str, int], set[int]] = defaultdict(set)
    class_week_busy: dict[tuple[str, WeekPattern, int], set[int]] = defaultdict(set)
    course_busy: dict[tuple[str, int], set[int]] = defaultdict(set)
    course_days: dict[tuple[str, int], int] = defaultdict(int)
    for course, lesson in placed:
        times = covered_times(course, lesson.day, lesson.slot)
        course_days[(course.id, lesson.day)] += 1
        for teacher_id in course.teacher_ids:
            undesired = problem.teacher_by_id[teacher_id].undesired_times
            raw[c.PREFERRED_SLOTS] += sum(1 for time in times if time in undesired)
        if course.preferred_times and not set(times) <= course.preferred_times:
            raw[c.PREFERRED_SLOTS] += 1
        for day, slot in times:
            course_busy[(course.id, day)].add(slot)
            for teacher_id in course.teacher_ids:
                teacher_busy[(teacher_id, day)].add(slot)
            for class_id in problem.classes_of(course):
                class_busy[(class_id, day)].add(slot)
                for week in course.pattern.weeks:
                    class_week_busy[(class_id, week, day)].add(slot)

    for (_, day), slots in teacher_busy.items():
        raw[c.TEACHER_GAPS] += gap_cost(problem, day, slots)
    for (_, day), slots in class_busy.items():
        raw[c.STUDENT_GAPS] += gap_cost(problem, day, slots)
    for group in problem.groups:
        if not group.is_class:
            continue
        for week in class_weeks(problem, group.id):
            targets = day_targets(problem, class_weekly_hours(problem, group.id, week))
            for day in days:
                hours = len(class_week_busy.get((group.id, week, day), set()))
                raw[c.BALANCED_DAYS] += max(0, hours - targets[day])
    for course in problem.courses:
        if course.sessions_per_week < 2:
            continue
        if course.wants_double and course.duration == 1:
            pairs = sum(_pairs(course_busy.get((course.id, day), set())) for day in days)
            raw[c.DOUBLE_SLOTS] += course.sessions_per_week // 2 - pairs
        elif not course.wants_double:
            raw[c.SUBJECT_SPREAD] += sum(max(0, course_days[(course.id, day)] - 1) for day in days)
    return {code: problem.weight(code) * value for code, value in raw.items()}


def capacity_conflicts(problem: Problem, pinned: Sequence[PlacedLesson] = ()) -> list[Conflict]:
    """Infeasibilities visible by counting alone (sound: each one really forbids any timetable)."""
    conflicts: list[Conflict] = []
    fixed_rooms = _fixed_rooms(problem, pinned)
    _precheck_rooms(problem, fixed_rooms, conflicts)
    _precheck_starts(problem, fixed_rooms, conflicts)
    _precheck_placements(problem, pinned, fixed_rooms, conflicts)
    _precheck_teacher_load(problem, conflicts)
    _precheck_class_load(problem, conflicts)
    _precheck_room_load(problem, conflicts)
    return conflicts


def _pairs(slots: set[int]) -> int:
    pairs, run = 0, 0
    for slot in range(max(slots, default=-1) + 2):
        if slot in slots:
            run += 1
        else:
            pairs += run // 2
            run = 0
    return pairs


def _placed_lessons(
    problem: Problem, solution: Solution, violations: list[Violation]
) -> list[tuple[Course, PlacedLesson]]:
    seen: set[LessonKey] = set()
    placed: list[tuple[Course, PlacedLesson]] = []
    expected = set(problem.lesson_keys)
    for lesson in solution.lessons:
        if lesson.key not in expected or lesson.key in seen:
            violations.append(
                Violation(c.LESSON_PLACEMENT, "Séance inconnue ou placée deux fois.", (lesson.key,))
            )
            continue
        seen.add(lesson.key)
        course = problem.course_by_id[lesson.course_id]
        label = problem.course_label(course)
        times = covered_times(course, lesson.day, lesson.slot)
        if not 0 <= lesson.day < len(problem.grid.days) or not all(problem.grid.is_open(*t) for t in times):
            violations.append(Violation(c.LESSON_PLACEMENT, f"{label} : hors de la grille.", (lesson.key,)))
            continue
        if lesson.pattern is not course.pattern:
            violations.append(
                Violation(c.LESSON_PLACEMENT, f"{label} : mauvaise alternance de semaines.", (lesson.key,))
            )
        placed.append((course, lesson))
    for key in sorted(expected - seen):
        course = problem.course_by_id[key[0]]
        violations.append(
            Violation(c.LESSON_PLACEMENT, f"{problem.course_label(course)} : séance non placée.", (key,))
        )
    return placed


def _check_rooms(
    problem: Problem, placed: list[tuple[Course, PlacedLesson]], violations: list[Violation]
) -> None:
    for course, lesson in placed:
        label = problem.course_label(course)
        if course.room_kind is None and course.fixed_room_id is None:
            continue
        room = problem.room_by_id.get(lesson.room_id or "")
        if room is None:
            violations.append(Violation(c.ROOM_CAPACITY, f"{label} : aucune salle.", (lesson.key,)))
            continue
        if course.fixed_room_id is not None and room.id != course.fixed_room_id:
            violations.append(
                Violation(c.FIXED_LESSON, f"{label} : pas dans sa salle imposée.", (lesson.key,))
            )
        if course.fixed_room_id is None and room.kind != course.room_kind:
            violations.append(Violation(c.ROOM_CAPACITY, f"{label} : salle du mauvais type.", (lesson.key,)))
        if room.capacity < problem.group_size(course):
            violations.append(
                Violation(c.ROOM_CAPACITY, f"{label} : salle {room.name} trop petite.", (lesson.key,))
            )
        blocked = room_unavailable_times(problem, room.id)
        if blocked.intersection(covered_times(course, lesson.day, lesson.slot)):
            violations.append(
                Violation(c.ROOM_UNAVAILABLE, f"{label} : salle {room.name} indisponible.", (lesson.key,))
            )


def _check_fixed(
    problem: Problem, placed: list[tuple[Course, PlacedLesson]], violations: list[Violation]
) -> None:
    by_key = {lesson.key: lesson for _, lesson in placed}
    for fixed in problem.fixed:
        lesson = by_key.get((fixed.course_id, fixed.session))
        if lesson is None:
            continue
        moved = (lesson.day, lesson.slot) != (fixed.day, fixed.slot)
        if moved or (fixed.room_id is not None and lesson.room_id != fixed.room_id):
            course = problem.course_by_id[fixed.course_id]
            violations.append(
                Violation(
                    c.FIXED_LESSON, f"{problem.course_label(course)} : cours fixé déplacé.", (lesson.key,)
                )
            )


_Occupancy = dict[tuple[WeekPattern, int, int], list[tuple[Course, PlacedLesson]]]


def _occupancy(problem: Problem, placed: list[tuple[Course, PlacedLesson]]) -> _Occupancy:
    occupancy: _Occupancy = defaultdict(list)
    for course, lesson in placed:
        for week in course.pattern.weeks:
            for day, slot in covered_times(course, lesson.day, lesson.slot):
                occupancy[(week, day, slot)].append((course, lesson))
    return occupancy


def _check_teachers(
    problem: Problem,
    placed: list[tuple[Course, PlacedLesson]],
    occupancy: _Occupancy,
    violations: list[Violation],
) -> None:
    hours: dict[tuple[str, WeekPattern, int], int] = defaultdict(int)
    for (week, day, _slot), lessons in sorted(occupancy.items()):
        teachers: dict[str, list[LessonKey]] = defaultdict(list)
        rooms: dict[str, list[LessonKey]] = defaultdict(list)
        for course, lesson in lessons:
            for teacher_id in course.teacher_ids:
                teachers[teacher_id].append(lesson.key)
                hours[(teacher_id, week, day)] += 1
            if lesson.room_id is not None:
                rooms[lesson.room_id].append(lesson.key)
        for teacher_id, keys in teachers.items():
            if len(keys) > 1:
                name = problem.teacher_label(teacher_id)
                violations.append(
                    Violation(c.TEACHER_CLASH, f"{name} : deux cours en même temps.", tuple(keys))
                )
        for room_id, keys in rooms.items():
            if len(keys) > 1:
                name = problem.room_by_id[room_id].name
                violations.append(Violation(c.ROOM_CLASH, f"{name} : deux cours en même temps.", tuple(keys)))
    for course, lesson in placed:
        blocked = teacher_unavailable_times(problem, course)
        if blocked.intersection(covered_times(course, lesson.day, lesson.slot)):
            violations.append(
                Violation(
                    c.TEACHER_UNAVAILABLE,
                    f"{problem.course_label(course)} : enseignant indisponible.",
                    (lesson.key,),
                )
            )
    for (teacher_id, _week, day), count in sorted(hours.items()):
        limit = problem.teacher_by_id[teacher_id].max_hours_per_day
        if limit is not None and count > limit:
            name = problem.teacher_label(teacher_id)
            violations.append(
                Violation(c.TEACHER_MAX_HOURS, f"{name} : {count} h le {problem.grid.days[day]}.")
            )


def _check_groups(
    problem: Problem,
    placed: list[tuple[Course, PlacedLesson]],
    occupancy: _Occupancy,
    violations: list[Violation],
) -> None:
    class_busy: dict[tuple[str, WeekPattern, int], set[int]] = defaultdict(set)
    group_hours: dict[tuple[str, WeekPattern, int], int] = defaultdict(int)
    for (week, day, slot), lessons in sorted(occupancy.items()):
        for index, (first_course, first) in enumerate(lessons):
            for second_course, second in lessons[index + 1 :]:
                if any(
                    problem.groups_share_pupils(g, h)
                    for g in first_course.group_ids
                    for h in second_course.group_ids
                ):
                    violations.append(
                        Violation(
                            c.GROUP_CLASH,
                            f"{problem.course_label(first_course)} et {problem.course_label(second_course)} "
                            f"en même temps ({problem.grid.time_label(day, slot)}).",
                            (first.key, second.key),
                        )
                    )
        for course, _lesson in lessons:
            for class_id in problem.classes_of(course):
                class_busy[(class_id, week, day)].add(slot)
            for group_id in course.group_ids:
                group_hours[(group_id, week, day)] += 1
    for course, lesson in placed:
        if group_unavailable_times(problem, course).intersection(
            covered_times(course, lesson.day, lesson.slot)
        ):
            violations.append(
                Violation(
                    c.GROUP_UNAVAILABLE,
                    f"{problem.course_label(course)} : groupe indisponible.",
                    (lesson.key,),
                )
            )
    lunch = problem.grid.lunch_slots
    for (class_id, _week, day), slots in sorted(class_busy.items()):
        group = problem.group_by_id[class_id]
        name = group.name
        lunch_open = lunch and all(problem.grid.is_open(day, slot) for slot in lunch)
        if problem.lunch_break and lunch_open and set(lunch) <= slots:
            violations.append(Violation(c.LUNCH_BREAK, f"{name} : pas de pause le {problem.grid.days[day]}."))
        if group.max_hours_per_day is not None and len(slots) > group.max_hours_per_day:
            violations.append(
                Violation(c.GROUP_MAX_HOURS, f"{name} : {len(slots)} h le {problem.grid.days[day]}.")
            )
    for (group_id, _week, day), count in sorted(group_hours.items()):
        group = problem.group_by_id[group_id]
        if not group.is_class and group.max_hours_per_day is not None and count > group.max_hours_per_day:
            violations.append(
                Violation(c.GROUP_MAX_HOURS, f"{group.name} : {count} h le {problem.grid.days[day]}.")
            )


def _fixed_rooms(problem: Problem, pinned: Sequence[PlacedLesson]) -> dict[LessonKey, str]:
    rooms: dict[LessonKey, str] = {}
    for course in problem.courses:
        if course.fixed_room_id is not None:
            for session in range(course.sessions_per_week):
                rooms[(course.id, session)] = course.fixed_room_id
    placements: list[FixedPlacement | PlacedLesson] = [*problem.fixed, *pinned]
    for placement in placements:
        if placement.room_id is not None:
            rooms[(placement.course_id, placement.session)] = placement.room_id
    return rooms


def _conflict(code: str, detail: str, resource_ids: Iterable[str] = ()) -> Conflict:
    return Conflict(code=code, label=c.label(code), detail=detail, resource_ids=tuple(resource_ids))


def _precheck_rooms(problem: Problem, fixed_rooms: dict[LessonKey, str], conflicts: list[Conflict]) -> None:
    reported: set[tuple[str, int]] = set()
    for course in problem.courses:
        size = problem.group_size(course)
        label = problem.course_label(course)
        fixed = {fixed_rooms[key] for key in fixed_rooms if key[0] == course.id}
        for room_id in sorted(fixed):
            room = problem.room_by_id[room_id]
            if room.capacity < size:
                detail = f"{label} : {size} élèves pour {room.capacity} places en salle {room.name}"
                conflicts.append(_conflict(c.ROOM_CAPACITY, detail, (room.id, course.id)))
        if course.room_kind is None or len(fixed) == course.sessions_per_week > 0:
            continue
        if (course.room_kind, size) in reported:
            continue
        capacities = [room.capacity for room in problem.rooms if room.kind == course.room_kind]
        if not capacities or max(capacities) < size:
            reported.add((course.room_kind, size))
            best = max(capacities, default=0)
            detail = (
                f"{label} : aucune salle « {course.room_kind} » pour {size} élèves "
                f"({len(capacities)} salle(s), {best} places au plus)"
            )
            conflicts.append(_conflict(c.ROOM_CAPACITY, detail, (course.id,)))


def _precheck_starts(problem: Problem, fixed_rooms: dict[LessonKey, str], conflicts: list[Conflict]) -> None:
    for course in problem.courses:
        label = problem.course_label(course)
        if course.sessions_per_week == 0:
            continue
        if not grid_starts(problem, course):
            detail = f"{label} : aucune plage de {course.duration} h consécutives ouverte dans la grille"
            conflicts.append(_conflict(c.LESSON_PLACEMENT, detail, (course.id,)))
            continue
        room_id = fixed_rooms.get((course.id, 0)) if course.fixed_room_id else None
        if possible_starts(problem, course, room_id):
            continue
        causes = [
            (c.TEACHER_UNAVAILABLE, teacher_unavailable_times(problem, course), course.teacher_ids),
            (c.GROUP_UNAVAILABLE, group_unavailable_times(problem, course), course.group_ids),
            (c.ROOM_UNAVAILABLE, room_unavailable_times(problem, room_id), (room_id,) if room_id else ()),
        ]
        for code, blocked, resource_ids in causes:
            if blocked:
                detail = f"{label} : aucun créneau de {course.duration} h hors des indisponibilités"
                conflicts.append(_conflict(code, detail, (*resource_ids, course.id)))


def _precheck_placements(
    problem: Problem,
    pinned: Sequence[PlacedLesson],
    fixed_rooms: dict[LessonKey, str],
    conflicts: list[Conflict],
) -> None:
    placements = [(c.FIXED_LESSON, p) for p in problem.fixed] + [(c.PINNED_LESSON, p) for p in pinned]
    for code, placement in placements:
        course = problem.course_by_id[placement.course_id]
        start = (placement.day, placement.slot)
        where = problem.grid.time_label(*start) if 0 <= placement.day < len(problem.grid.days) else "?"
        label = f"{problem.course_label(course)} le {where}"
        lesson_id = f"{course.id}#{placement.session}"
        if placement.session >= course.sessions_per_week or start not in grid_starts(problem, course):
            conflicts.append(_conflict(code, f"{label} : hors de la grille ouverte", (lesson_id,)))
            continue
        room_id = fixed_rooms.get((course.id, placement.session))
        times = covered_times(course, *start)
        causes: list[tuple[str, set[Time] | frozenset[Time]]] = [
            (c.TEACHER_UNAVAILABLE, teacher_unavailable_times(problem, course)),
            (c.GROUP_UNAVAILABLE, group_unavailable_times(problem, course)),
            (c.ROOM_UNAVAILABLE, room_unavailable_times(problem, room_id)),
        ]
        for cause, blocked in causes:
            if blocked.intersection(times):
                conflicts.append(_conflict(code, label, (lesson_id,)))
                conflicts.append(_conflict(cause, f"{label} : pendant une indisponibilité", (lesson_id,)))


def _available_per_day(problem: Problem, blocked: frozenset[Time], limit: int | None, lunch: bool) -> int:
    grid = problem.grid
    total = 0
    for day in range(len(grid.days)):
        free = [slot for slot in grid.open_slots(day) if (day, slot) not in blocked]
        count = len(free)
        if lunch and grid.lunch_slots and all(slot in free for slot in grid.lunch_slots):
            count -= 1
        total += count if limit is None else min(count, limit)
    return total


def _precheck_teacher_load(problem: Problem, conflicts: list[Conflict]) -> None:
    for teacher in problem.teachers:
        blocked = problem.unavailable_times.get((ResourceKind.TEACHER, teacher.id), frozenset())
        available = _available_per_day(problem, blocked, teacher.max_hours_per_day, lunch=False)
        hours = max(
            sum(
                course.duration * course.sessions_per_week
                for course in problem.courses
                if teacher.id in course.teacher_ids and week in course.pattern.weeks
            )
            for week in (A, B)
        )
        if hours <= available:
            continue
        detail = f"{teacher.name} : {hours} h de cours pour {available} créneaux disponibles"
        conflicts.append(_conflict(c.TEACHER_CLASH, detail, (teacher.id,)))
        if blocked and hours <= _available_per_day(
            problem, frozenset(), teacher.max_hours_per_day, lunch=False
        ):
            detail = f"{teacher.name} : indisponible sur {len(blocked)} créneaux"
            conflicts.append(_conflict(c.TEACHER_UNAVAILABLE, detail, (teacher.id,)))
        if teacher.max_hours_per_day is not None and hours <= _available_per_day(
            problem, blocked, None, False
        ):
            detail = f"{teacher.name} : au plus {teacher.max_hours_per_day} h de cours par jour"
            conflicts.append(_conflict(c.TEACHER_MAX_HOURS, detail, (teacher.id,)))


def _precheck_class_load(problem: Problem, conflicts: list[Conflict]) -> None:
    for group in problem.groups:
        if not group.is_class:
            continue
        blocked = problem.unavailable_times.get((ResourceKind.GROUP, group.id), frozenset())
        lunch = problem.lunch_break
        available = _available_per_day(problem, blocked, group.max_hours_per_day, lunch)
        hours = max(class_weekly_hours(problem, group.id, week) for week in (A, B))
        if hours <= available:
            continue
        detail = f"{group.name} : {hours} h de cours pour {available} créneaux disponibles"
        conflicts.append(_conflict(c.GROUP_CLASH, detail, (group.id,)))
        if lunch and hours <= _available_per_day(problem, blocked, group.max_hours_per_day, lunch=False):
            detail = f"{group.name} : une heure libre pour déjeuner chaque jour"
            conflicts.append(_conflict(c.LUNCH_BREAK, detail, (group.id,)))
        if blocked and hours <= _available_per_day(problem, frozenset(), group.max_hours_per_day, lunch):
            detail = f"{group.name} : indisponible sur {len(blocked)} créneaux"
            conflicts.append(_conflict(c.GROUP_UNAVAILABLE, detail, (group.id,)))
        if group.max_hours_per_day is not None and hours <= _available_per_day(problem, blocked, None, lunch):
            detail = f"{group.name} : au plus {group.max_hours_per_day} h de cours par jour"
            conflicts.append(_conflict(c.GROUP_MAX_HOURS, detail, (group.id,)))


def _precheck_room_load(problem: Problem, conflicts: list[Conflict]) -> None:
    kinds = sorted(
        {course.room_kind for course in problem.courses if course.room_kind and not course.fixed_room_id}
    )
    for kind in kinds:
        rooms = [room for room in problem.rooms if room.kind == kind]
        room_ids = {room.id for room in rooms}
        if not rooms:
            continue
        available = sum(
            _available_per_day(
                problem, problem.unavailable_times.get((ResourceKind.ROOM, room.id), frozenset()), None, False
            )
            for room in rooms
        )
        hours = max(
            sum(
                course.duration * course.sessions_per_week
                for course in problem.courses
                if (course.room_kind == kind and not course.fixed_room_id) or course.fixed_room_id in room_ids
                if week in course.pattern.weeks
            )
            for week in (A, B)
        )
        if hours > available:
            detail = f"Salles « {kind} » : {hours} h de cours pour {available} heures-salles disponibles"
            conflicts.append(_conflict(c.ROOM_CAPACITY, detail, tuple(room.id for room in rooms)))
