"""The XHSTT solver's model details: hardened heavy soft constraints and warm starts from a timetable.

Instances are written on the tiny school of conftest.py (two days of four periods); the helpers that
write events, constraints and solution events are those of the evaluator tests.
"""

import dataclasses
import random
import time
from collections import Counter
from collections.abc import Callable

from ortools.sat.python import cp_model

from tenants.timetable.solver.xhstt import evaluate
from tenants.timetable.solver.xhstt.model import Archive, Instance, Solution
from tenants.timetable.solver.xhstt.solve import (
    _FREE_START,
    _Builder,
    _complete_hint,
    _first_timetable,
    _fixed_starts,
    _heavy_soft,
    _Incumbent,
    _Move,
    _neighbourhood_search,
    _Neighbourhoods,
    _rebase,
    _solve_move,
)
from tests.tenants.timetable.solver.test_xhstt_evaluator import constraint, event, fixed, limits, placed

Tiny = Callable[..., tuple[Instance, Solution]]

ONCE_A_DAY = (
    "<TimeGroups><TimeGroup Reference='Mo'>"
    + limits(0, 1)
    + "</TimeGroup><TimeGroup Reference='Tu'>"
    + limits(0, 1)
    + "</TimeGroup></TimeGroups>"
)
MONDAY_FIRST = "<Times><Time Reference='Mo1'/></Times>"


def _maths(count: int) -> str:
    return "".join(event(f"E{n}", course="Maths", resources=fixed("T1")) for n in range(1, count + 1))


def _spread_and_unavailable(spread_weight: int, unavailable_weight: int) -> str:
    return (
        constraint("AssignTime", event_groups=("Maths",))
        + constraint(
            "SpreadEvents",
            event_groups=("Maths",),
            body=ONCE_A_DAY,
            required=False,
            weight=spread_weight,
            constraint_id="Spread",
        )
        + constraint(
            "AvoidUnavailableTimes",
            resources=("T1",),
            body=MONDAY_FIRST,
            required=False,
            weight=unavailable_weight,
            constraint_id="NotMondayFirst",
        )
    )


def test_only_soft_constraints_that_dwarf_the_lightest_are_hardened(tiny: Tiny) -> None:
    # given a soft spread 100 times heavier than a soft unavailability, then only 9 times heavier
    dwarfing, _ = tiny(events=_maths(2), constraints=_spread_and_unavailable(100, 1))
    comparable, _ = tiny(events=_maths(2), constraints=_spread_and_unavailable(9, 1))

    # when / then only the dwarfing spread is demanded outright
    assert _heavy_soft(dwarfing) == frozenset({"Spread"})
    assert _heavy_soft(comparable) == frozenset()


def test_any_timetable_of_a_hardened_model_meets_the_hardened_soft_constraint(tiny: Tiny) -> None:
    # given two Maths lessons that should be on different days (soft, weight 100)
    instance, _ = tiny(events=_maths(2), constraints=_spread_and_unavailable(100, 1))
    built = _Builder(instance, relaxed=False, hardened=_heavy_soft(instance))

    # when any timetable of the model is asked for, the objective ignored
    feasibility = built.model.clone()
    feasibility.clear_objective()
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    status = solver.solve(feasibility)

    # then the spread costs nothing: one lesson on Monday, one on Tuesday
    assert status in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    evaluation = evaluate(instance, built.solution(solver.value, "test"))
    assert evaluation.infeasibility == 0
    assert evaluation.cost_of("Spread") == 0


def test_a_model_of_the_hard_constraints_alone_keeps_the_hardened_ones_and_leaves_the_others_out(
    tiny: Tiny,
) -> None:
    # given two Maths lessons that should be on different days (soft, weight 100, hardened) and a
    # teacher who would rather not teach first on Monday (soft, weight 1), in a model of the hard
    # constraints alone
    instance, _ = tiny(events=_maths(2), constraints=_spread_and_unavailable(100, 1))
    built = _Builder(instance, relaxed=False, hardened=_heavy_soft(instance), hard_only=True)

    def solve(*demands: tuple[str, str]) -> tuple[cp_model.CpSolverStatus, Solution | None]:
        model = built.model.clone()
        for event_id, time_id in demands:
            (sub,) = built.events[event_id].subs
            model.add(sub.starts[instance.time_index[time_id]] == 1)
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 1
        status = solver.solve(model)
        found = status in (cp_model.OPTIMAL, cp_model.FEASIBLE)
        return status, built.solution(solver.value, "test") if found else None

    # when a lesson is demanded first on Monday, then both lessons on Monday
    status, timetable = solve(("E1", "Mo1"))
    both_monday, _ = solve(("E1", "Mo1"), ("E2", "Mo2"))

    # then the model has no costs and takes the first (the light soft constraint is not in it) with the
    # lessons on two days, and the second is impossible (the hardened spread is in it)
    assert not built.objective
    assert status == cp_model.OPTIMAL
    assert timetable is not None
    evaluation = evaluate(instance, timetable)
    assert evaluation.infeasibility == 0
    assert evaluation.cost_of("Spread") == 0
    assert evaluation.cost_of("NotMondayFirst") == 1
    assert both_monday == cp_model.INFEASIBLE


def test_a_timetable_listing_sub_events_out_of_time_order_is_taken_as_it_is(tiny: Tiny) -> None:
    # given a double lesson that must be split into singles, placed Tuesday then Monday in the file
    instance, solution = tiny(
        events=event("E1", 2, course="Maths", resources=fixed("T1")),
        constraints=constraint("AssignTime", event_groups=("Maths",))
        + constraint(
            "SplitEvents",
            events=("E1",),
            body="<MinimumDuration>1</MinimumDuration><MaximumDuration>1</MaximumDuration>"
            "<MinimumAmount>1</MinimumAmount><MaximumAmount>2</MaximumAmount>",
        ),
        solution=placed("E1", "Tu2", 1) + placed("E1", "Mo3", 1),
    )
    built = _Builder(instance, relaxed=False)

    # when every variable of the model is fixed to the values read from that timetable
    for own in built.assignment(solution).values():
        for literal, value in own:
            built.model.add(literal == value)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    status = solver.solve(built.model)

    # then the model accepts it (its sub-events are kept in time order) and gives it back unchanged
    assert status == cp_model.OPTIMAL
    again = built.solution(solver.value, "test")
    assert sorted(e.time_id or "" for e in again.events) == ["Mo3", "Tu2"]
    assert evaluate(instance, again).infeasibility == 0


def _published(benchmark: Callable[[str], Archive], file_name: str) -> tuple[Instance, list[Solution]]:
    archive = benchmark(file_name)
    instance = next(iter(archive.instances.values()))
    return instance, [solution for group in archive.solution_groups for solution in group.solutions]


def test_a_hardened_first_search_finds_a_timetable_meeting_the_hard_and_hardened_constraints(
    benchmark: Callable[[str], Archive],
) -> None:
    # given KS-PR-11, whose one lesson of a course a day (weight 100) is hardened, in a model of its hard
    # constraints alone
    instance, _ = _published(benchmark, "KS-PR-11.xml")
    heavy = _heavy_soft(instance)
    assert heavy
    strong = _Builder(instance, relaxed=False, aggregate=True, hardened=heavy, hard_only=True)

    # when a first timetable is sought with one worker (the local search first)
    solver, status = _first_timetable(strong.model, 120, seed=0, workers=1, hardened=True)

    # then one is found that breaks no hard constraint and none of the hardened ones
    assert status in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    evaluation = evaluate(instance, strong.solution(solver.value, "test"))
    assert evaluation.infeasibility == 0
    assert all(evaluation.cost_of(constraint_id) == 0 for constraint_id in heavy)


def _kosovo(benchmark: Callable[[str], Archive], cost: int) -> tuple[Instance, Solution, _Builder]:
    """KS-PR-11, its published timetable of that cost (10553, 3 or 0) and its whole model."""
    instance, solutions = _published(benchmark, "KS-PR-11.xml")
    timetable = next(s for s in solutions if evaluate(instance, s).objective == cost)
    return instance, timetable, _Builder(instance, relaxed=False, aggregate=True)


def _kept(
    instance: Instance, solution: Solution, freed: set[tuple[str, int]]
) -> dict[str, list[tuple[int, int | None]]]:
    """The solution's sub-events at their starts, the freed ones to be placed anew."""
    return {
        event_id: [(d, _FREE_START if (event_id, s) in freed else s) for d, s in subs]
        for event_id, subs in _fixed_starts(instance, solution).items()
    }


def test_a_model_with_every_sub_event_kept_costs_what_the_evaluator_says(
    benchmark: Callable[[str], Archive],
) -> None:
    # given KS-PR-11's three published timetables (costs 10553, 3 and 0: idle times of teachers, busy
    # times, spread), each kept whole in a neighbourhood model, where the constraints fold into constants
    instance, solutions = _published(benchmark, "KS-PR-11.xml")

    for solution in solutions:
        built = _Builder(instance, relaxed=False, aggregate=True, fixed=_fixed_starts(instance, solution))
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 1
        status = solver.solve(built.model)

        # then the model's objective is the evaluator's cost, constant part included
        assert status == cp_model.OPTIMAL
        assert solver.objective_value == evaluate(instance, solution).objective


def test_sub_events_freed_on_some_days_are_placed_anew_and_the_others_stay(
    benchmark: Callable[[str], Archive],
) -> None:
    # given KS-PR-11's timetable of cost 3 and a neighbourhood of one teacher's days around it
    instance, goal, built = _kosovo(benchmark, 3)
    neighbourhoods = _Neighbourhoods(built, random.Random(7))
    freed, days = neighbourhoods.pick_days(40, evaluate(instance, goal), goal)
    assert 0 < len(freed) <= 60
    assert 1 <= len(days) <= 2
    assert {built.day_of[start] for _, start in freed} <= days
    kept = _kept(instance, goal, freed)

    # when the neighbourhood is solved to optimality, its sub-events placed anew on those days
    sub = _Builder(instance, relaxed=False, aggregate=True, fixed=kept, free_days=days)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = 30
    status = solver.solve(sub.model)
    assert status == cp_model.OPTIMAL
    found = sub.solution(solver.value, "test")

    # then it is no worse, its cost is the model's, the freed sub-events are on those days, and every
    # sub-event not freed kept its time
    time_index = instance.time_index
    assert Counter(e.event_id for e in found.events) == Counter(e.event_id for e in goal.events)
    moved = Counter(found.events) - Counter(goal.events)
    assert all(built.day_of[time_index[e.time_id or ""]] in days for e in moved.elements())
    evaluation = evaluate(instance, found)
    assert evaluation.infeasibility == 0
    assert evaluation.objective == solver.objective_value <= 3
    before = Counter((e.event_id, e.time_id) for e in goal.events)
    after = Counter((e.event_id, e.time_id) for e in found.events)
    time_ids = [t.id for t in instance.times]
    stayed = before - Counter({(event_id, time_ids[start]): 1 for event_id, start in freed})
    assert not stayed - after


def _moved(solution: Solution, event_id: str, time_id: str) -> Solution:
    """The solution with the first sub-event of the event at another time (feasible or not)."""
    events = list(solution.events)
    position = next(n for n, e in enumerate(events) if e.event_id == event_id)
    events[position] = dataclasses.replace(events[position], time_id=time_id)
    return dataclasses.replace(solution, events=tuple(events))


def _days_move(built: _Builder, incumbent: _Incumbent, seed: int) -> _Move:
    """A neighbourhood of some days, its model focused on the freed events' resources."""
    neighbourhoods = _Neighbourhoods(built, random.Random(seed))
    freed, days = neighbourhoods.pick_days(40, incumbent.evaluation, incumbent.solution)
    free = {event_id for event_id, _ in freed}
    return _Move(incumbent, free, freed, days, seed, neighbourhoods.focus(free))


def test_a_neighbourhood_model_is_hinted_with_every_variable_of_the_timetable(
    benchmark: Callable[[str], Archive],
) -> None:
    # given KS-PR-11's timetable of cost 3 and a neighbourhood of some days, its freed sub-events
    # hinted at their current times
    instance, goal, built = _kosovo(benchmark, 3)
    move = _days_move(built, _Incumbent(goal, evaluate(instance, goal)), seed=3)
    kept = _kept(instance, goal, move.freed)
    sub = _Builder(instance, relaxed=False, aggregate=True, fixed=kept, free_days=move.days)
    decisions = {
        literal.index: value
        for event_id, own in sub.assignment(goal).items()
        if event_id in move.free
        for literal, value in own
    }

    # when the hint is completed
    objective = _complete_hint(sub.model, decisions, seed=0)

    # then every variable is hinted, the decisions as given, the hint is that timetable (fixed to it, the
    # model finds the timetable's cost) and the cost returned is that one
    assert objective == 3
    hint = dict(zip(sub.model.proto.solution_hint.vars, sub.model.proto.solution_hint.values, strict=True))
    assert sorted(hint) == list(range(len(sub.model.proto.variables)))
    assert all(hint[index] == value for index, value in decisions.items())
    assert not sub.model.proto.assumptions
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.fix_variables_to_their_hinted_value = True
    assert solver.solve(sub.model) == cp_model.OPTIMAL
    assert solver.objective_value == 3


def test_a_solved_neighbourhood_never_costs_more_than_its_timetable_and_gives_it_back_as_no_candidate(
    benchmark: Callable[[str], Archive],
) -> None:
    # given KS-PR-11's timetable of cost 3 and neighbourhoods of some days
    instance, goal, built = _kosovo(benchmark, 3)
    incumbent = _Incumbent(goal, evaluate(instance, goal))
    unchanged = 0
    for seed in range(4):
        move = _days_move(built, incumbent, seed)

        # when each is solved with one worker
        outcome = _solve_move(built, move, compact=True, deadline=time.monotonic() + 30, workers=1)

        # then it costs no more than 3 by the model; when the timetable comes back as it was there is no
        # candidate to judge, else the candidate is feasible, costs to the evaluator what the model says,
        # and only freed events moved
        assert outcome.excess is not None
        assert outcome.excess <= 0
        if outcome.candidate is None:
            assert outcome.excess == 0
            unchanged += 1
            continue
        evaluation = evaluate(instance, outcome.candidate)
        assert evaluation.infeasibility == 0
        assert evaluation.objective == 3 + outcome.excess
        moved = {e.event_id for e in set(outcome.candidate.events) ^ set(goal.events)}
        assert moved
        assert moved <= move.free
    assert unchanged


def test_a_focused_neighbourhood_model_holds_the_freed_events_resources_and_gains_what_the_evaluator_says(
    benchmark: Callable[[str], Archive],
) -> None:
    # given KS-PR-11's published timetable of cost 10553 and neighbourhoods of some days around it
    instance, start, built = _kosovo(benchmark, 10553)
    incumbent = _Incumbent(start, evaluate(instance, start))
    held = {e.id: {s.resource_id for s in e.resources} for e in instance.events.values()}
    gains = []
    for seed in range(4):
        move = _days_move(built, incumbent, seed)

        # then each model is focused on the resources of the freed events and every event using them:
        # a fraction of the instance
        focus = move.focus
        assert focus is not None
        assert focus.resources == {r for event_id in move.free for r in held[event_id]}
        assert {e for e, resources in held.items() if resources & focus.resources} <= focus.events
        assert move.free <= focus.events
        assert len(focus.events) < len(instance.events) / 2

        # when it is solved with one worker
        outcome = _solve_move(built, move, compact=True, deadline=time.monotonic() + 30, workers=1)

        # then the candidate is a whole timetable in which only freed events moved, and what the model
        # says it gains (the cost of what it left out being constant) is what the evaluator finds
        assert outcome.excess is not None
        gains.append(-outcome.excess)
        if outcome.candidate is None:  # the timetable it started from
            assert outcome.excess == 0
            continue
        assert Counter(e.event_id for e in outcome.candidate.events) == Counter(
            e.event_id for e in start.events
        )
        assert {e.event_id for e in set(outcome.candidate.events) ^ set(start.events)} <= move.free
        evaluation = evaluate(instance, outcome.candidate)
        assert evaluation.infeasibility == 0
        assert evaluation.objective == 10553 + outcome.excess
    assert max(gains) > 0


def test_a_neighbourhood_finished_late_is_carried_onto_the_new_best_timetable_unless_it_overlaps(
    benchmark: Callable[[str], Archive],
) -> None:
    # given a timetable, a neighbourhood that moved event A, and meanwhile a new best that moved B
    instance, solutions = _published(benchmark, "KS-PR-11.xml")
    goal = next(s for s in solutions if evaluate(instance, s).objective == 3)
    first, second = (
        goal.events[0].event_id,
        next(e.event_id for e in goal.events[1:] if e.event_id != goal.events[0].event_id),
    )
    move = _Move(_Incumbent(goal, evaluate(instance, goal)), {first}, set(), None, seed=0)
    candidate = _moved(goal, first, "Fri_1")
    newer = _moved(goal, second, "Fri_2")

    # when the neighbourhood's result is carried onto the new best
    carried = _rebase(move, candidate, _Incumbent(newer, evaluate(instance, newer)))

    # then both moves are in it, and every other event is where it was
    assert carried is not None
    times = {(e.event_id, e.time_id) for e in carried.events}
    assert (first, "Fri_1") in times
    assert (second, "Fri_2") in times
    assert Counter(e.event_id for e in carried.events) == Counter(e.event_id for e in goal.events)
    assert len(set(carried.events) - set(goal.events)) == 2

    # and when the new best had moved the same event, nothing is carried
    overlapping = _moved(goal, first, "Fri_3")
    assert _rebase(move, candidate, _Incumbent(overlapping, evaluate(instance, overlapping))) is None


def test_two_workers_solve_neighbourhoods_side_by_side_and_keep_the_best_timetable(
    benchmark: Callable[[str], Archive],
) -> None:
    # given KS-PR-11's published timetable of cost 10553 and its whole model (large: neighbourhoods
    # get models of their own, two at a time)
    instance, start, built = _kosovo(benchmark, 10553)
    seen: list[int] = []

    # when the neighbourhood search runs for a few seconds with two workers
    best = _neighbourhood_search(
        built, _Incumbent(start, evaluate(instance, start)), time.monotonic() + 6, 0, 2, seen.append
    )

    # then it reports each better cost as found, the last one being the evaluator's cost of the
    # timetable kept, which meets every hard constraint
    assert seen
    assert seen == sorted(seen, reverse=True)
    assert best.evaluation.infeasibility == 0
    assert seen[-1] == best.evaluation.objective < 10553
