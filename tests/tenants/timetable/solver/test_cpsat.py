"""CP-SAT engine on small hand-written instances: each hard rule, each soft rule, the solve options.

Every solution is checked by ``check.verify``, which knows nothing of CP-SAT.
"""

from __future__ import annotations

import dataclasses

from tenants.timetable.solver import constraints as c
from tenants.timetable.solver.check import soft_costs, verify
from tenants.timetable.solver.cpsat import solve
from tenants.timetable.solver.problem import (
    Course,
    FixedPlacement,
    Grid,
    PlacedLesson,
    Problem,
    Progress,
    ResourceKind,
    Room,
    SolveResult,
    SolveStatus,
    StudentGroup,
    Teacher,
    TimeSlot,
    Unavailability,
    WeekPattern,
)

NO_SOFT = dict.fromkeys(c.SOFT_CODES, 0)


def grid(days: int = 1, slots: int = 4, lunch: tuple[int, ...] = ()) -> Grid:
    return Grid(
        days=("lundi", "mardi", "mercredi", "jeudi", "vendredi")[:days],
        slots=tuple(TimeSlot(480 + 60 * i, 540 + 60 * i, is_lunch=i in lunch) for i in range(slots)),
    )


def teachers(*ids: str) -> tuple[Teacher, ...]:
    return tuple(Teacher(teacher_id, f"Mme {teacher_id.capitalize()}") for teacher_id in ids)


def classes(*ids: str, size: int = 25) -> tuple[StudentGroup, ...]:
    return tuple(StudentGroup(class_id, f"Classe {class_id}", size) for class_id in ids)


def course(course_id: str, teacher: str, *groups: str, **fields: object) -> Course:
    return Course(course_id, course_id.upper(), (teacher,), groups, **fields)  # type: ignore[arg-type]  # test shorthand


def problem(**fields: object) -> Problem:
    values: dict[str, object] = {
        "name": "test",
        "grid": grid(),
        "teachers": (),
        "groups": (),
        "rooms": (),
        "courses": (),
        "weights": NO_SOFT,
    }
    values.update(fields)
    return Problem(**values)  # type: ignore[arg-type]  # test shorthand


def solved(instance: Problem, **options: object) -> SolveResult:
    result = solve(instance, time_limit_s=10, **options)  # type: ignore[arg-type]  # test shorthand
    assert result.solution is not None, result.explanation
    assert verify(instance, result.solution) == []
    return result


def slots_of(result: SolveResult, course_id: str) -> list[tuple[int, int]]:
    assert result.solution is not None
    return sorted((ls.day, ls.slot) for ls in result.solution.lessons if ls.course_id == course_id)


def infeasible_codes(instance: Problem) -> set[str]:
    result = solve(instance, time_limit_s=10)
    assert result.status is SolveStatus.INFEASIBLE
    assert result.solution is None
    assert result.explanation is not None
    assert result.explanation.conflicts
    return set(result.explanation.codes)


# ---- hard constraints ------------------------------------------------------------------------


def test_teacher_never_teaches_two_lessons_at_once() -> None:
    # given one teacher with two classes and two slots
    instance = problem(
        grid=grid(slots=2),
        teachers=teachers("martin"),
        groups=classes("6A", "6B"),
        courses=(course("ma", "martin", "6A"), course("mb", "martin", "6B")),
    )

    # when solving
    result = solved(instance)

    # then the two lessons take the two slots
    assert slots_of(result, "ma") + slots_of(result, "mb") in ([(0, 0), (0, 1)], [(0, 1), (0, 0)])


def test_teacher_overload_is_explained_with_hours_and_free_slots() -> None:
    # given a teacher with three hours in a two-slot week
    instance = problem(
        grid=grid(slots=2),
        teachers=teachers("martin"),
        groups=classes("6A", "6B", "6C"),
        courses=tuple(course(f"m{x}", "martin", f"6{x.upper()}") for x in "abc"),
    )

    # when solving
    result = solve(instance, time_limit_s=5)

    # then the explanation names the teacher, the hours and the free slots
    assert result.status is SolveStatus.INFEASIBLE
    assert result.explanation is not None
    assert result.explanation.codes == (c.TEACHER_CLASH,)
    assert result.explanation.conflicts[0].detail == "Mme Martin : 3 h de cours pour 2 créneaux disponibles"
    assert result.explanation.conflicts[0].label == c.label(c.TEACHER_CLASH)


def test_two_lessons_fixed_together_for_one_teacher_name_both_and_the_clash() -> None:
    # given two lessons of one teacher both fixed at 8:00 (no counting shows it, the solver must)
    instance = problem(
        grid=grid(slots=3),
        teachers=teachers("martin"),
        groups=classes("6A", "6B"),
        courses=(course("ma", "martin", "6A"), course("mb", "martin", "6B")),
        fixed=(FixedPlacement("ma", 0, 0, 0), FixedPlacement("mb", 0, 0, 0)),
    )

    # when solving
    result = solve(instance, time_limit_s=10)

    # then the explanation is exactly the two fixed lessons and the teacher clash
    assert result.status is SolveStatus.INFEASIBLE
    assert result.explanation is not None
    assert result.explanation.is_complete
    assert sorted(result.explanation.codes) == [c.FIXED_LESSON, c.FIXED_LESSON, c.TEACHER_CLASH]
    details = result.explanation.summary
    assert "MA (Classe 6A) : fixé le lundi 08:00" in details
    assert "Mme Martin" in details


def test_class_clash_with_unavailable_teachers_is_explained_by_the_solver() -> None:
    # given a class with two teachers who are both away at 8:00, in a two-slot day
    instance = problem(
        grid=grid(slots=2),
        teachers=teachers("martin", "durand"),
        groups=classes("6A"),
        courses=(course("ma", "martin", "6A"), course("fr", "durand", "6A")),
        unavailabilities=(
            Unavailability(ResourceKind.TEACHER, "martin", 0, 0),
            Unavailability(ResourceKind.TEACHER, "durand", 0, 0),
        ),
    )

    # when solving
    result = solve(instance, time_limit_s=10)

    # then the class clash and both unavailabilities are named
    assert result.status is SolveStatus.INFEASIBLE
    assert result.explanation is not None
    conflicts = {(conflict.code, conflict.resource_ids) for conflict in result.explanation.conflicts}
    assert conflicts == {
        (c.GROUP_CLASH, ("6A",)),
        (c.TEACHER_UNAVAILABLE, ("martin",)),
        (c.TEACHER_UNAVAILABLE, ("durand",)),
    }


def test_parallel_half_groups_share_a_slot_but_not_with_their_class() -> None:
    # given a class, its two half groups declared parallel, one slot for the halves and one for the class
    groups = (
        *classes("6A"),
        StudentGroup("6A-1", "6A gr. 1", 12, ("6A",)),
        StudentGroup("6A-2", "6A gr. 2", 13, ("6A",)),
    )
    instance = problem(
        grid=grid(slots=2),
        teachers=teachers("martin", "durand", "petit"),
        groups=groups,
        courses=(
            course("g1", "martin", "6A-1"),
            course("g2", "durand", "6A-2"),
            course("all", "petit", "6A"),
        ),
        parallel_groups=(frozenset({"6A-1", "6A-2"}),),
    )

    # when solving
    result = solved(instance)

    # then the halves are together and the whole class is at the other slot
    assert slots_of(result, "g1") == slots_of(result, "g2")
    assert slots_of(result, "all") != slots_of(result, "g1")


def test_half_groups_not_declared_parallel_never_overlap() -> None:
    # given the same half groups without a parallel declaration and a single slot
    groups = (
        *classes("6A"),
        StudentGroup("6A-1", "6A gr. 1", 12, ("6A",)),
        StudentGroup("6A-2", "6A gr. 2", 13, ("6A",)),
    )
    instance = problem(
        grid=grid(slots=1),
        teachers=teachers("martin", "durand"),
        groups=groups,
        courses=(course("g1", "martin", "6A-1"), course("g2", "durand", "6A-2")),
    )

    # when / then: the class is overbooked
    assert c.GROUP_CLASH in infeasible_codes(instance)


def test_cross_class_option_group_avoids_the_lessons_of_its_classes() -> None:
    # given latin for pupils of 6A and 6B, and one lesson per class, in two slots
    groups = (*classes("6A", "6B"), StudentGroup("LAT", "Latin 6A-6B", 15, ("6A", "6B")))
    instance = problem(
        grid=grid(slots=2),
        teachers=teachers("martin", "durand", "petit"),
        groups=groups,
        courses=(course("a", "martin", "6A"), course("b", "durand", "6B"), course("lat", "petit", "LAT")),
    )

    # when solving
    result = solved(instance)

    # then both classes have their lesson together and latin takes the other slot
    assert slots_of(result, "a") == slots_of(result, "b")
    assert slots_of(result, "lat") != slots_of(result, "a")


def test_week_a_and_week_b_lessons_share_a_slot() -> None:
    # given one teacher, one slot, a week-A lesson and a week-B lesson
    instance = problem(
        grid=grid(slots=1),
        teachers=teachers("martin"),
        groups=classes("6A", "6B"),
        courses=(
            course("a", "martin", "6A", pattern=WeekPattern.WEEK_A),
            course("b", "martin", "6B", pattern=WeekPattern.WEEK_B),
        ),
    )

    # when solving
    result = solved(instance)

    # then both are at the only slot, with their pattern
    assert slots_of(result, "a") == slots_of(result, "b") == [(0, 0)]
    assert result.solution is not None
    assert {ls.course_id: ls.pattern for ls in result.solution.lessons} == {
        "a": WeekPattern.WEEK_A,
        "b": WeekPattern.WEEK_B,
    }


def test_every_week_lesson_does_not_share_with_week_a() -> None:
    # given one teacher, one slot, an every-week lesson and a week-A lesson
    instance = problem(
        grid=grid(slots=1),
        teachers=teachers("martin"),
        groups=classes("6A", "6B"),
        courses=(course("a", "martin", "6A"), course("b", "martin", "6B", pattern=WeekPattern.WEEK_A)),
    )

    # when / then
    assert c.TEACHER_CLASH in infeasible_codes(instance)


def test_rooms_match_kind_and_capacity_and_big_rooms_go_to_big_groups() -> None:
    # given one big and one small classroom, two big classes and one small group, two slots
    groups = (*classes("6A", "6B", size=28), StudentGroup("LAT", "Latin", 12, ("6A",)))
    instance = problem(
        grid=grid(slots=2),
        teachers=teachers("martin", "durand", "petit"),
        groups=groups,
        rooms=(Room("big", "Salle 1", "classroom", 30), Room("small", "Salle 2", "classroom", 15)),
        courses=(
            course("a", "martin", "6A", room_kind="classroom"),
            course("b", "durand", "6B", room_kind="classroom"),
            course("lat", "petit", "LAT", room_kind="classroom"),
        ),
    )

    # when solving
    result = solved(instance)

    # then the big classes use the big room at different times, latin the small one
    assert slots_of(result, "a") != slots_of(result, "b")
    assert result.solution is not None
    rooms = {ls.course_id: ls.room_id for ls in result.solution.lessons}
    assert rooms == {"a": "big", "b": "big", "lat": "small"}


def test_group_too_big_for_every_lab_is_explained() -> None:
    # given a 28-pupil practical and a 16-seat lab
    instance = problem(
        teachers=teachers("martin"),
        groups=classes("6A", size=28),
        rooms=(Room("lab", "Labo 1", "lab", 16),),
        courses=(course("tp", "martin", "6A", room_kind="lab"),),
    )

    # when / then
    assert infeasible_codes(instance) == {c.ROOM_CAPACITY}


def test_two_practicals_fixed_together_with_one_lab_name_the_labs() -> None:
    # given two practicals fixed at the same time and a single lab
    instance = problem(
        grid=grid(slots=2),
        teachers=teachers("martin", "durand"),
        groups=classes("6A", "6B", size=14),
        rooms=(Room("lab", "Labo 1", "lab", 16),),
        courses=(course("a", "martin", "6A", room_kind="lab"), course("b", "durand", "6B", room_kind="lab")),
        fixed=(FixedPlacement("a", 0, 0, 1), FixedPlacement("b", 0, 0, 1)),
    )

    # when / then
    assert infeasible_codes(instance) == {c.ROOM_CAPACITY, c.FIXED_LESSON}


def test_unavailabilities_of_teacher_class_and_room_are_respected() -> None:
    # given three lessons and blocked times for a teacher, a class (so its half group) and a lab
    groups = (*classes("6A", "6B", "6C"), StudentGroup("6A-1", "6A gr. 1", 12, ("6A",)))
    instance = problem(
        grid=grid(slots=2),
        teachers=teachers("martin", "durand", "petit"),
        groups=groups,
        rooms=(Room("lab", "Labo", "lab", 30),),
        courses=(
            course("t", "martin", "6B"),
            course("g", "durand", "6A-1"),
            course("r", "petit", "6C", room_kind="lab"),
        ),
        unavailabilities=(
            Unavailability(ResourceKind.TEACHER, "martin", 0, 0),
            Unavailability(ResourceKind.GROUP, "6A", 0, 0),
            Unavailability(ResourceKind.ROOM, "lab", 0, 0),
        ),
    )

    # when solving
    result = solved(instance)

    # then all three are at the second slot
    assert slots_of(result, "t") == slots_of(result, "g") == slots_of(result, "r") == [(0, 1)]


def test_fixed_lesson_keeps_its_day_slot_and_room() -> None:
    # given a lesson fixed on Tuesday 10:00 in room 2
    instance = problem(
        grid=grid(days=2),
        teachers=teachers("martin"),
        groups=classes("6A"),
        rooms=(Room("r1", "Salle 1", "classroom", 30), Room("r2", "Salle 2", "classroom", 30)),
        courses=(course("ma", "martin", "6A", sessions_per_week=3, room_kind="classroom"),),
        fixed=(FixedPlacement("ma", 1, 1, 2, "r2"),),
    )

    # when solving
    result = solved(instance)

    # then session 1 is there
    assert result.solution is not None
    assert result.solution.by_key[("ma", 1)] == PlacedLesson("ma", 1, 1, 2, "r2")


def test_lunch_break_leaves_one_lunch_slot_free() -> None:
    # given three lessons in a four-slot day whose middle slots are the lunch window
    instance = problem(
        grid=grid(slots=4, lunch=(1, 2)),
        teachers=teachers("martin", "durand", "petit"),
        groups=classes("6A"),
        courses=(course("a", "martin", "6A"), course("b", "durand", "6A"), course("c", "petit", "6A")),
    )

    # when solving
    result = solved(instance)

    # then slots 0 and 3 are used and one lunch slot stays free
    used = sorted(slots_of(result, "a") + slots_of(result, "b") + slots_of(result, "c"))
    assert used[0] == (0, 0)
    assert used[-1] == (0, 3)


def test_lunch_break_that_cannot_fit_is_named() -> None:
    # given four lessons in the same four-slot day
    instance = problem(
        grid=grid(slots=4, lunch=(1, 2)),
        teachers=teachers("martin", "durand", "petit", "roux"),
        groups=classes("6A"),
        courses=tuple(
            course(x, t, "6A") for x, t in zip("abcd", ("martin", "durand", "petit", "roux"), strict=True)
        ),
    )

    # when / then
    assert {c.GROUP_CLASH, c.LUNCH_BREAK} <= infeasible_codes(instance)


def test_max_hours_per_day_for_teacher_and_class() -> None:
    # given a teacher (2 h a day at most) with four lessons and a class (2 h a day) with four lessons
    instance = problem(
        grid=grid(days=2, slots=4),
        teachers=(Teacher("martin", "Mme Martin", max_hours_per_day=2), *teachers("durand")),
        groups=(StudentGroup("6A", "6A", 25, max_hours_per_day=2), *classes("6B")),
        courses=(
            course("m", "martin", "6B", sessions_per_week=4),
            course("d", "durand", "6A", sessions_per_week=4),
        ),
    )

    # when solving
    result = solved(instance)

    # then each day holds exactly two of each
    assert [day for day, _ in slots_of(result, "m")] == [0, 0, 1, 1]
    assert [day for day, _ in slots_of(result, "d")] == [0, 0, 1, 1]


def test_max_hours_per_day_that_cannot_fit_is_named() -> None:
    # given a teacher allowed one hour a day, with three lessons over two days
    instance = problem(
        grid=grid(days=2, slots=4),
        teachers=(Teacher("martin", "Mme Martin", max_hours_per_day=1),),
        groups=classes("6A"),
        courses=(course("m", "martin", "6A", sessions_per_week=3),),
    )

    # when / then
    assert c.TEACHER_MAX_HOURS in infeasible_codes(instance)


# ---- soft constraints ------------------------------------------------------------------------


def test_teacher_gaps_pull_lessons_together() -> None:
    # given a teacher who would rather not teach at 9:00 and 10:00, with two lessons in a morning
    martin = Teacher("martin", "Mme Martin", undesired_times=frozenset({(0, 1), (0, 2)}))
    base = problem(
        teachers=(martin,),
        groups=classes("6A", "6B"),
        courses=(course("a", "martin", "6A"), course("b", "martin", "6B")),
    )
    wishes_only = dataclasses.replace(base, weights={**NO_SOFT, c.PREFERRED_SLOTS: 1})
    with_gaps = dataclasses.replace(base, weights={**NO_SOFT, c.PREFERRED_SLOTS: 1, c.TEACHER_GAPS: 5})

    # when solving without and with the gap cost
    spread_out = solved(wishes_only)
    together = solved(with_gaps)

    # then the wishes alone leave a two-hour gap; the gap cost makes the lessons adjacent
    assert sorted(slots_of(spread_out, "a") + slots_of(spread_out, "b")) == [(0, 0), (0, 3)]
    first, second = sorted(slots_of(together, "a") + slots_of(together, "b"))
    assert second[1] - first[1] == 1
    assert together.costs[c.TEACHER_GAPS] == 0


def test_student_gaps_pull_a_class_day_together() -> None:
    # given two lessons of one class preferring 8:00 and 11:00
    ends = frozenset({(0, 0), (0, 3)})
    base = problem(
        teachers=teachers("martin", "durand"),
        groups=classes("6A"),
        courses=(
            course("a", "martin", "6A", preferred_times=ends),
            course("b", "durand", "6A", preferred_times=ends),
        ),
    )

    # when solving without and with the pupils' gap cost
    spread_out = solved(dataclasses.replace(base, weights={**NO_SOFT, c.PREFERRED_SLOTS: 1}))
    together = solved(dataclasses.replace(base, weights={**NO_SOFT, c.PREFERRED_SLOTS: 1, c.STUDENT_GAPS: 5}))

    # then the gap disappears once it costs more than a wish
    assert sorted(slots_of(spread_out, "a") + slots_of(spread_out, "b")) == [(0, 0), (0, 3)]
    first, second = sorted(slots_of(together, "a") + slots_of(together, "b"))
    assert second[1] - first[1] == 1


def test_balanced_days_move_hours_off_an_overloaded_day() -> None:
    # given four one-hour subjects of a class, all preferring Monday, over two four-slot days
    monday = frozenset((0, slot) for slot in range(4))
    base = problem(
        grid=grid(days=2),
        teachers=teachers("martin"),
        groups=classes("6A"),
        courses=tuple(course(x, "martin", "6A", preferred_times=monday) for x in "abcd"),
    )

    # when solving without and with the balance cost
    loaded = solved(dataclasses.replace(base, weights={**NO_SOFT, c.PREFERRED_SLOTS: 1}))
    balanced = solved(
        dataclasses.replace(base, weights={**NO_SOFT, c.PREFERRED_SLOTS: 1, c.BALANCED_DAYS: 5})
    )

    # then Monday holds four hours, then two
    days = [day for x in "abcd" for day, _ in slots_of(loaded, x)]
    assert days == [0, 0, 0, 0]
    days = [day for x in "abcd" for day, _ in slots_of(balanced, x)]
    assert sorted(days) == [0, 0, 1, 1]


def test_subject_spread_puts_sessions_on_different_days() -> None:
    # given a two-session course preferring Monday, over two days
    monday = frozenset((0, slot) for slot in range(4))
    base = problem(
        grid=grid(days=2),
        teachers=teachers("martin"),
        groups=classes("6A"),
        courses=(course("ma", "martin", "6A", sessions_per_week=2, preferred_times=monday),),
    )

    # when solving without and with the spread cost
    same_day = solved(dataclasses.replace(base, weights={**NO_SOFT, c.PREFERRED_SLOTS: 1}))
    spread = solved(dataclasses.replace(base, weights={**NO_SOFT, c.PREFERRED_SLOTS: 1, c.SUBJECT_SPREAD: 4}))

    # then the sessions go from one day to two
    assert [day for day, _ in slots_of(same_day, "ma")] == [0, 0]
    assert [day for day, _ in slots_of(spread, "ma")] == [0, 1]
    assert spread.costs[c.SUBJECT_SPREAD] == 0


def test_preferred_slot_is_chosen_and_its_cost_reported() -> None:
    # given a lesson that wishes 11:00 and a teacher who avoids 8:00 on the other course
    instance = problem(
        teachers=(Teacher("martin", "Mme Martin", undesired_times=frozenset({(0, 0)})), *teachers("durand")),
        groups=classes("6A", "6B"),
        courses=(
            course("a", "durand", "6A", preferred_times=frozenset({(0, 3)})),
            course("b", "martin", "6B", preferred_times=frozenset({(0, 0)})),
        ),
        weights={**NO_SOFT, c.PREFERRED_SLOTS: 2},
    )

    # when solving
    result = solved(instance)

    # then the first lesson is at 11:00; the second cannot please both wishes: one unit is paid
    assert slots_of(result, "a") == [(0, 3)]
    assert result.costs[c.PREFERRED_SLOTS] == 2
    assert result.objective == 2


def test_double_slots_put_practical_sessions_back_to_back() -> None:
    # given two one-hour practical sessions preferring 8:00, over two days
    eight = frozenset({(0, 0), (1, 0)})
    base = problem(
        grid=grid(days=2),
        teachers=teachers("martin"),
        groups=classes("6A"),
        courses=(
            course("tp", "martin", "6A", sessions_per_week=2, preferred_times=eight, wants_double=True),
        ),
    )

    # when solving without and with the double-slot cost
    apart = solved(dataclasses.replace(base, weights={**NO_SOFT, c.PREFERRED_SLOTS: 1}))
    paired = solved(dataclasses.replace(base, weights={**NO_SOFT, c.PREFERRED_SLOTS: 1, c.DOUBLE_SLOTS: 3}))

    # then the sessions are at 8:00 on both days, then one after the other
    assert slots_of(apart, "tp") == [(0, 0), (1, 0)]
    (day_1, slot_1), (day_2, slot_2) = slots_of(paired, "tp")
    assert day_1 == day_2
    assert slot_2 == slot_1 + 1
    assert paired.costs[c.DOUBLE_SLOTS] == 0


# ---- solving options -------------------------------------------------------------------------


def mini_school() -> Problem:
    """Two classes with halves and all soft constraints on, small enough to prove optimality."""
    groups = (
        *classes("6A", "6B"),
        StudentGroup("6A-1", "6A gr. 1", 12, ("6A",)),
        StudentGroup("6A-2", "6A gr. 2", 13, ("6A",)),
    )
    return Problem(
        name="mini",
        grid=grid(days=3, slots=5, lunch=(2, 3)),
        teachers=(
            Teacher("martin", "Mme Martin", max_hours_per_day=4, undesired_times=frozenset({(0, 0)})),
            *teachers("durand", "petit"),
        ),
        groups=groups,
        rooms=(Room("r1", "Salle 1", "classroom", 30), Room("lab", "Labo", "lab", 16)),
        courses=(
            course("fa", "martin", "6A", sessions_per_week=3, room_kind="classroom"),
            course("fb", "martin", "6B", sessions_per_week=3, room_kind="classroom"),
            course("ma", "durand", "6A", sessions_per_week=2, room_kind="classroom"),
            course(
                "mb",
                "durand",
                "6B",
                sessions_per_week=2,
                room_kind="classroom",
                preferred_times=frozenset({(1, 0)}),
            ),
            course("tp1", "petit", "6A-1", duration=2, pattern=WeekPattern.WEEK_A, room_kind="lab"),
            course("tp2", "petit", "6A-2", duration=2, pattern=WeekPattern.WEEK_B, room_kind="lab"),
            course("eps", "petit", "6B", sessions_per_week=2, wants_double=True),
        ),
        parallel_groups=(frozenset({"6A-1", "6A-2"}),),
    )


def test_model_cost_matches_the_independent_checker_at_the_optimum() -> None:
    # given a small school with every soft constraint weighted
    instance = mini_school()

    # when solving to optimality
    result = solved(instance, seed=1)

    # then the solver's last objective equals the cost computed without CP-SAT
    assert result.status is SolveStatus.OPTIMAL
    assert result.objective == sum(soft_costs(instance, result.solution).values())  # type: ignore[arg-type]
    assert result.history[-1].objective == result.objective
    assert set(result.costs) == set(c.SOFT_CODES)


def test_same_seed_gives_the_same_timetable() -> None:
    # given the small school
    instance = mini_school()

    # when solving twice with the same seed and one worker
    first = solved(instance, seed=7, workers=1)
    second = solved(instance, seed=7, workers=1)

    # then timetables and progress are identical
    assert first.solution == second.solution
    assert [p.objective for p in first.history] == [p.objective for p in second.history]


def test_warm_start_keeps_a_feasible_hint_when_time_is_short() -> None:
    # given a solved small school
    instance = mini_school()
    reference = solved(instance)

    # when re-solving with that timetable as hint and almost no time
    result = solve(instance, time_limit_s=0.001, hint=reference.solution)

    # then a timetable at least as good comes back
    assert result.solution is not None
    assert verify(instance, result.solution) == []
    assert result.objective is not None
    assert reference.objective is not None
    assert result.objective <= reference.objective


def test_pinned_lessons_stay_when_the_rest_is_regenerated() -> None:
    # given a solved small school and half of its lessons pinned
    instance = mini_school()
    reference = solved(instance)
    assert reference.solution is not None
    pinned = reference.solution.lessons[::2]

    # when re-solving with another seed and a new undesired time for Mme Durand
    durand = Teacher("durand", "Mme Durand", undesired_times=frozenset((1, s) for s in range(5)))
    changed = dataclasses.replace(instance, teachers=(instance.teachers[0], durand, instance.teachers[2]))
    result = solved(changed, seed=3, pinned=pinned)

    # then every pinned lesson has the same day, slot and room
    assert result.solution is not None
    for lesson in pinned:
        assert result.solution.by_key[lesson.key] == lesson


def test_pinned_lesson_on_an_unavailable_slot_is_explained() -> None:
    # given a lesson pinned at 8:00 while its teacher is now away at 8:00
    instance = problem(
        grid=grid(slots=2),
        teachers=teachers("martin"),
        groups=classes("6A"),
        courses=(course("ma", "martin", "6A"),),
        unavailabilities=(Unavailability(ResourceKind.TEACHER, "martin", 0, 0),),
    )

    # when solving with that pin
    result = solve(instance, time_limit_s=5, pinned=(PlacedLesson("ma", 0, 0, 0, None),))

    # then both the pin and the unavailability are named
    assert result.status is SolveStatus.INFEASIBLE
    assert result.explanation is not None
    assert set(result.explanation.codes) == {c.PINNED_LESSON, c.TEACHER_UNAVAILABLE}


def test_should_stop_returns_the_best_timetable_so_far() -> None:
    # given the small school and a stop request as soon as one timetable is reported
    instance = mini_school()
    seen: list[Progress] = []

    # when solving with a generous time limit
    result = solve(instance, time_limit_s=30, on_progress=seen.append, should_stop=lambda: bool(seen))

    # then the search stops early with a valid timetable and its progress
    assert result.status is SolveStatus.STOPPED
    assert result.solution is not None
    assert verify(instance, result.solution) == []
    assert seen
    assert result.history[0] == seen[0]
    assert result.seconds < 10


# ---- the constraint table --------------------------------------------------------------------


def test_constraint_table_has_unique_codes_french_labels_and_soft_weights() -> None:
    # given the table rendered by the UI
    table = c.CONSTRAINTS

    # when / then: codes and labels are unique, only soft constraints carry a positive weight
    assert len({kind.code for kind in table}) == len(table)
    assert len({kind.label for kind in table}) == len(table)
    assert all(kind.default_weight is None for kind in table if kind.is_hard)
    assert all(
        kind.default_weight and kind.default_weight > 0 and kind.unit for kind in table if not kind.is_hard
    )
    assert set(c.SOFT_CODES) == {
        c.TEACHER_GAPS,
        c.STUDENT_GAPS,
        c.BALANCED_DAYS,
        c.SUBJECT_SPREAD,
        c.PREFERRED_SLOTS,
        c.DOUBLE_SLOTS,
    }
