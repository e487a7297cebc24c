"""Generated French schools: realistic structure, and a small collège solved without hard violation."""

from __future__ import annotations

from tenants.timetable.solver.check import class_weekly_hours, verify
from tenants.timetable.solver.cpsat import solve
from tenants.timetable.solver.french import generate_college, generate_lycee
from tenants.timetable.solver.problem import SolveStatus, WeekPattern


def test_college_grid_is_monday_to_friday_eight_to_five_with_wednesday_afternoon_off() -> None:
    # given a generated collège
    problem = generate_college(0, classes=4)

    # when reading its grid
    grid = problem.grid

    # then 9 hourly slots from 8:00, lunch window 11:00–14:00, Wednesday closed from noon
    assert grid.days == ("lundi", "mardi", "mercredi", "jeudi", "vendredi")
    assert [slot.start_minute for slot in grid.slots] == [h * 60 for h in range(8, 17)]
    assert [grid.slots[s].start_minute // 60 for s in grid.lunch_slots] == [11, 12, 13]
    assert grid.open_slots(2) == (0, 1, 2, 3)
    assert all(len(grid.open_slots(day)) == 9 for day in (0, 1, 3, 4))


def test_college_classes_have_about_26_hours_a_week() -> None:
    # given a generated collège with one class per level
    problem = generate_college(1, classes=4)

    # when counting each class's weekly hours in week A and week B
    hours = {
        group.id: [
            class_weekly_hours(problem, group.id, week) for week in (WeekPattern.WEEK_A, WeekPattern.WEEK_B)
        ]
        for group in problem.groups
        if group.is_class
    }

    # then one class per level, each between 25 and 30 hours (latin pupils block their class)
    assert sorted(hours) == ["3A", "4A", "5A", "6A"]
    assert all(25 <= h <= 30 for week_hours in hours.values() for h in week_hours), hours


def test_college_has_lv2_barrettes_latin_across_classes_and_practicals_in_labs() -> None:
    # given a generated collège with two classes per level
    problem = generate_college(2, classes=8, teachers=16, rooms=12)

    # when looking at its groups and courses
    lv2 = [group for group in problem.groups if "LV2" in group.name]
    latin = [group for group in problem.groups if group.name.startswith("Latin")]
    practicals = [course for course in problem.courses if course.subject.endswith("TP")]

    # then LV2 groups span two classes and are parallel two by two
    assert lv2
    assert all(len(group.class_ids) == 2 for group in lv2)
    assert all(
        frozenset({a.id, b.id}) in problem.parallel_groups for a, b in zip(lv2[::2], lv2[1::2], strict=True)
    )
    # latin spans classes and conflicts with them
    assert latin
    assert all(len(group.class_ids) >= 2 for group in latin)
    assert all(problem.groups_share_pupils(group.id, group.class_ids[0]) for group in latin)
    # practicals are two-hour lab sessions, one half group in week A, the other in week B
    assert practicals
    assert all(course.duration == 2 and course.room_kind == "lab" for course in practicals)
    assert {course.pattern for course in practicals} == {WeekPattern.WEEK_A, WeekPattern.WEEK_B}
    # every course has a teacher
    assert all(len(course.teacher_ids) == 1 for course in problem.courses)


def test_generation_is_reproducible_per_seed() -> None:
    # given two generations with the same seed and one with another
    first, again, other = (
        generate_college(5, classes=6),
        generate_college(5, classes=6),
        generate_college(6, classes=6),
    )

    # when / then
    assert first == again
    assert first != other


def test_lycee_has_specialities_in_parallel_barrettes() -> None:
    # given a generated lycée
    problem = generate_lycee(0, classes=12, teachers=30)

    # when looking at the spécialité groups
    specialities = [group for group in problem.groups if group.name.startswith("Spé")]

    # then each is a cross-class group in a parallel barrette, taught two hours at a time
    assert specialities
    assert all(len(group.class_ids) >= 3 for group in specialities)
    assert all(group.id in problem.parallel_set_of for group in specialities)
    spe_courses = [course for course in problem.courses if course.subject.startswith("Spécialité")]
    assert spe_courses
    assert all(course.duration == 2 for course in spe_courses)
    assert sum(1 for group in problem.groups if group.is_class) == 12


def test_small_college_solves_without_hard_violation() -> None:
    # given a generated collège of four classes
    problem = generate_college(0, classes=4, teachers=9, rooms=6)

    # when solving with one worker
    result = solve(problem, time_limit_s=20, seed=0, workers=1)

    # then a complete timetable comes back that breaks no hard constraint
    assert result.status in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE)
    assert result.solution is not None
    assert len(result.solution.lessons) == len(problem.lesson_keys)
    assert verify(problem, result.solution) == []
    assert result.objective == sum(result.costs.values())
    assert result.history
    assert result.history[-1].objective >= 0
