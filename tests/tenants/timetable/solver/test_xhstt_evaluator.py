"""tenants/timetable/solver/xhstt/evaluator.py on the tiny hand-written school (two days of four periods).

Each test builds the smallest instance and solution that exercise one rule of the XHSTT specification.
"""

import dataclasses
from collections.abc import Callable

import pytest

from tenants.timetable.solver.xhstt import PointCost, evaluate
from tenants.timetable.solver.xhstt.model import Instance, Solution

Tiny = Callable[..., tuple[Instance, Solution]]


def event(
    event_id: str,
    duration: int = 1,
    *,
    resources: str = "",
    time: str | None = None,
    course: str | None = None,
    groups: tuple[str, ...] = (),
) -> str:
    parts = [f"<Name>{event_id}</Name><Duration>{duration}</Duration>"]
    if course:
        parts.append(f'<Course Reference="{course}"/>')
    if time:
        parts.append(f'<Time Reference="{time}"/>')
    if resources:
        parts.append(f"<Resources>{resources}</Resources>")
    if groups:
        parts.append(
            "<EventGroups>" + "".join(f'<EventGroup Reference="{g}"/>' for g in groups) + "</EventGroups>"
        )
    return f'<Event Id="{event_id}">{"".join(parts)}</Event>'


def fixed(resource_id: str, role: str | None = None, workload: int | None = None) -> str:
    role_xml = f"<Role>{role}</Role>" if role else ""
    workload_xml = f"<Workload>{workload}</Workload>" if workload is not None else ""
    return f'<Resource Reference="{resource_id}">{role_xml}{workload_xml}</Resource>'


def open_slot(role: str, resource_type: str, workload: int | None = None) -> str:
    workload_xml = f"<Workload>{workload}</Workload>" if workload is not None else ""
    return (
        f'<Resource><Role>{role}</Role><ResourceType Reference="{resource_type}"/>{workload_xml}</Resource>'
    )


def placed(event_id: str, time: str | None = None, duration: int | None = None, **roles: str) -> str:
    parts = []
    if duration is not None:
        parts.append(f"<Duration>{duration}</Duration>")
    if time:
        parts.append(f'<Time Reference="{time}"/>')
    if roles:
        assignments = "".join(
            f'<Resource Reference="{resource}"><Role>{role}</Role></Resource>'
            for role, resource in roles.items()
        )
        parts.append(f"<Resources>{assignments}</Resources>")
    return f'<Event Reference="{event_id}">{"".join(parts)}</Event>'


def constraint(
    kind: str,
    *,
    events: tuple[str, ...] = (),
    event_groups: tuple[str, ...] = (),
    resources: tuple[str, ...] = (),
    resource_groups: tuple[str, ...] = (),
    body: str = "",
    required: bool = True,
    weight: int = 1,
    cost: str = "Linear",
    constraint_id: str | None = None,
) -> str:
    def references(container: str, tag: str, ids: tuple[str, ...]) -> str:
        if not ids:
            return ""
        return f"<{container}>" + "".join(f'<{tag} Reference="{i}"/>' for i in ids) + f"</{container}>"

    applies_to = (
        references("Events", "Event", events)
        + references("EventGroups", "EventGroup", event_groups)
        + references("Resources", "Resource", resources)
        + references("ResourceGroups", "ResourceGroup", resource_groups)
    )
    return (
        f'<{kind}Constraint Id="{constraint_id or kind}"><Name>{kind}</Name>'
        f"<Required>{'true' if required else 'false'}</Required><Weight>{weight}</Weight>"
        f"<CostFunction>{cost}</CostFunction><AppliesTo>{applies_to}</AppliesTo>{body}</{kind}Constraint>"
    )


def limits(minimum: int, maximum: int) -> str:
    return f"<Minimum>{minimum}</Minimum><Maximum>{maximum}</Maximum>"


def time_groups(*group_ids: str) -> str:
    return "<TimeGroups>" + "".join(f'<TimeGroup Reference="{g}"/>' for g in group_ids) + "</TimeGroups>"


def test_assign_time_charges_the_duration_left_without_a_time(tiny: Tiny) -> None:
    # given E1 (2 periods) half placed, and E2 missing from the solution with no preassigned time
    instance, solution = tiny(
        events=event("E1", 2) + event("E2", 1),
        constraints=constraint("AssignTime", events=("E1", "E2"), weight=10),
        solution=placed("E1", "Mo1", duration=1) + placed("E1", duration=1),
    )

    # when
    evaluation = evaluate(instance, solution)

    # then each event misses one period: a required cost of 2 x 10
    assert (evaluation.infeasibility, evaluation.objective) == (20, 0)
    assert evaluation.constraint_costs[0].points == (
        PointCost("Event", "E1", deviation=1, cost=10),
        PointCost("Event", "E2", deviation=1, cost=10),
    )
    assert not evaluation.is_feasible


def test_an_event_left_out_of_the_solution_sits_at_its_preassigned_time(tiny: Tiny) -> None:
    # given E1 preassigned to Mo1 and absent from the solution, E2 placed at Mo1, both taught by T1
    instance, solution = tiny(
        events=event("E1", resources=fixed("T1"), time="Mo1") + event("E2", resources=fixed("T1")),
        constraints=constraint("AssignTime", events=("E1", "E2"))
        + constraint("AvoidClashes", resource_groups=("Teachers",)),
        solution=placed("E2", "Mo1"),
    )

    # when
    evaluation = evaluate(instance, solution)

    # then E1 counts as timed (no AssignTime cost) and T1 clashes at Mo1
    assert evaluation.cost_of("AssignTime") == 0
    assert evaluation.cost_of("AvoidClashes") == 1


def test_split_events_counts_sub_events_of_a_wrong_duration_and_a_wrong_amount(tiny: Tiny) -> None:
    # given E1 (4 periods) split 1 + 1 + 2 where only 2-period blocks, exactly two of them, are wanted
    instance, solution = tiny(
        events=event("E1", 4),
        constraints=constraint(
            "SplitEvents",
            events=("E1",),
            body="<MinimumDuration>2</MinimumDuration><MaximumDuration>2</MaximumDuration>"
            "<MinimumAmount>2</MinimumAmount><MaximumAmount>2</MaximumAmount>",
        ),
        solution=placed("E1", "Mo1", 1) + placed("E1", "Mo3", 1) + placed("E1", "Tu1", 2),
    )

    # when / then two short sub-events + one sub-event too many
    assert evaluate(instance, solution).infeasibility == 3


def test_distribute_split_events_counts_sub_events_of_one_duration(tiny: Tiny) -> None:
    # given E1 (4 periods) split 1 + 1 + 2; at most one single period and exactly two doubles wanted
    instance, solution = tiny(
        events=event("E1", 4),
        constraints=constraint(
            "DistributeSplitEvents",
            events=("E1",),
            body="<Duration>1</Duration>" + limits(0, 1),
            constraint_id="Singles",
        )
        + constraint(
            "DistributeSplitEvents",
            events=("E1",),
            body="<Duration>2</Duration>" + limits(2, 2),
            constraint_id="Doubles",
        ),
        solution=placed("E1", "Mo1", 1) + placed("E1", "Mo3", 1) + placed("E1", "Tu1", 2),
    )

    # when
    evaluation = evaluate(instance, solution)

    # then one single too many and one double missing
    assert (evaluation.cost_of("Singles"), evaluation.cost_of("Doubles")) == (1, 1)


def test_prefer_times_judges_start_times_and_honours_the_duration_filter(tiny: Tiny) -> None:
    # given E1 (3 periods) as a double starting Mo2 (runs into the afternoon) and a single at Tu4
    prefer_mornings = "<TimeGroups><TimeGroup Reference='Mornings'/></TimeGroups>"
    instance, solution = tiny(
        events=event("E1", 3),
        constraints=constraint("PreferTimes", events=("E1",), body=prefer_mornings, constraint_id="Any")
        + constraint(
            "PreferTimes",
            events=("E1",),
            body=prefer_mornings + "<Duration>2</Duration>",
            constraint_id="Doubles",
        ),
        solution=placed("E1", "Mo2", 2) + placed("E1", "Tu4", 1),
    )

    # when
    evaluation = evaluate(instance, solution)

    # then the double starts in the morning (fine); the single at Tu4 costs its duration, unless filtered out
    assert evaluation.cost_of("Any") == 1
    assert evaluation.cost_of("Doubles") == 0


def test_assign_and_prefer_resources_charge_durations_of_open_slots(tiny: Tiny) -> None:
    # given E1 (2 periods) needing a room: the first half gets R2 (not a lab), the second half nothing
    instance, solution = tiny(
        events=event("E1", 2, resources=open_slot("Room", "Room")),
        constraints=constraint("AssignResource", events=("E1",), body="<Role>Room</Role>", weight=100)
        + constraint(
            "PreferResources",
            events=("E1",),
            body="<ResourceGroups><ResourceGroup Reference='Labs'/></ResourceGroups><Role>Room</Role>",
            required=False,
            weight=3,
        ),
        solution=placed("E1", "Mo1", 1, Room="R2") + placed("E1", "Mo2", 1),
    )

    # when
    evaluation = evaluate(instance, solution)

    # then one unassigned period (hard) and one period in a non-preferred room (soft)
    assert (evaluation.infeasibility, evaluation.objective) == (100, 3)


def test_avoid_split_assignments_counts_extra_distinct_resources(tiny: Tiny) -> None:
    # given the two Maths lessons, each needing a room, held in R1 and R2
    room = open_slot("Room", "Room")
    instance, solution = tiny(
        events=event("E1", course="Maths", resources=room) + event("E2", course="Maths", resources=room),
        constraints=constraint(
            "AvoidSplitAssignments",
            event_groups=("Maths",),
            body="<Role>Room</Role>",
            required=False,
            weight=5,
        ),
        solution=placed("E1", "Mo1", Room="R1") + placed("E2", "Tu1", Room="R2"),
    )

    # when / then two rooms where one is wanted
    assert evaluate(instance, solution).objective == 5


@pytest.mark.parametrize(("cost_function", "expected"), [("Linear", 3), ("Quadratic", 9), ("Step", 1)])
def test_spread_events_counts_starts_and_applies_the_cost_function_to_the_total(
    tiny: Tiny, cost_function: str, expected: int
) -> None:
    # given Maths (a double and two singles) all on Monday; at most 1 start on Monday, at least 1 on Tuesday
    spread = (
        "<TimeGroups><TimeGroup Reference='Mo'>"
        + limits(0, 1)
        + "</TimeGroup><TimeGroup Reference='Tu'>"
        + limits(1, 2)
        + "</TimeGroup></TimeGroups>"
    )
    instance, solution = tiny(
        events=event("E1", 2, course="Maths") + event("E2", course="Maths") + event("E3", course="Maths"),
        constraints=constraint("SpreadEvents", event_groups=("Maths",), body=spread, cost=cost_function),
        solution=placed("E1", "Mo1") + placed("E2", "Mo3") + placed("E3", "Mo4"),
    )

    # when
    (spread_cost,) = evaluate(instance, solution).constraint_costs

    # then Monday has 3 starts (the double counts once): 2 too many, Tuesday 1 too few, f(2 + 1)
    assert spread_cost.points[0].deviation == 3
    assert spread_cost.cost == expected


def test_link_events_counts_times_where_some_but_not_all_events_run(tiny: Tiny) -> None:
    # given linked E1 (double at Mo1-Mo2) and E2 (single at Mo2)
    instance, solution = tiny(
        events=event("E1", 2, groups=("Linked",)) + event("E2", groups=("Linked",)),
        constraints=constraint("LinkEvents", event_groups=("Linked",), weight=1000),
        solution=placed("E1", "Mo1") + placed("E2", "Mo2"),
    )

    # when / then only Mo1 is unlinked
    assert evaluate(instance, solution).infeasibility == 1000


def test_avoid_clashes_counts_every_extra_lesson_at_a_time(tiny: Tiny) -> None:
    # given T1 teaching a double at Mo1-Mo2 and two singles at Mo2
    teacher = fixed("T1")
    instance, solution = tiny(
        events=event("E1", 2, resources=teacher)
        + event("E2", resources=teacher)
        + event("E3", resources=teacher),
        constraints=constraint("AvoidClashes", resources=("T1", "T2")),
        solution=placed("E1", "Mo1") + placed("E2", "Mo2") + placed("E3", "Mo2"),
    )

    # when / then three lessons at Mo2 are two too many; T2 is free and costs nothing
    (clashes,) = evaluate(instance, solution).constraint_costs
    assert clashes.points == (PointCost("Resource", "T1", deviation=2, cost=2),)


def test_avoid_unavailable_times_counts_busy_unavailable_times_once(tiny: Tiny) -> None:
    # given T1 unavailable in the mornings and at Tu4, busy Mo2-Mo3 (twice at Mo2) and at Tu4
    teacher = fixed("T1")
    instance, solution = tiny(
        events=event("E1", 2, resources=teacher)
        + event("E2", resources=teacher)
        + event("E3", resources=teacher),
        constraints=constraint(
            "AvoidUnavailableTimes",
            resources=("T1",),
            body=time_groups("Mornings") + "<Times><Time Reference='Tu4'/></Times>",
        ),
        solution=placed("E1", "Mo2") + placed("E2", "Mo2") + placed("E3", "Tu4"),
    )

    # when / then Mo2 and Tu4
    assert evaluate(instance, solution).infeasibility == 2


def test_limit_idle_times_compares_the_total_over_all_days(tiny: Tiny) -> None:
    # given T1 with one gap on Monday (Mo1, Mo3) and one on Tuesday (Tu2, Tu4), at most one gap allowed
    teacher = fixed("T1")
    instance, solution = tiny(
        events="".join(event(f"E{i}", resources=teacher) for i in range(1, 5)),
        constraints=constraint(
            "LimitIdleTimes", resources=("T1",), body=time_groups("Mo", "Tu") + limits(0, 1), required=False
        ),
        solution=placed("E1", "Mo1") + placed("E2", "Mo3") + placed("E3", "Tu2") + placed("E4", "Tu4"),
    )

    # when / then two gaps in total, one too many (per day, each would have been fine)
    assert evaluate(instance, solution).objective == 1


def test_cluster_busy_times_counts_the_time_groups_a_resource_works_in(tiny: Tiny) -> None:
    # given T1 working both days where one day is the maximum, and T2 never working where two days are wanted
    instance, solution = tiny(
        events=event("E1", resources=fixed("T1")) + event("E2", resources=fixed("T1")),
        constraints=constraint(
            "ClusterBusyTimes", resources=("T1",), body=time_groups("Mo", "Tu") + limits(0, 1)
        )
        + constraint(
            "ClusterBusyTimes",
            resources=("T2",),
            body=time_groups("Mo", "Tu") + limits(2, 2),
            constraint_id="T2Days",
        ),
        solution=placed("E1", "Mo1") + placed("E2", "Tu1"),
    )

    # when
    evaluation = evaluate(instance, solution)

    # then one day too many for T1, two days missing for T2
    assert (evaluation.cost_of("ClusterBusyTimes"), evaluation.cost_of("T2Days")) == (1, 2)


@pytest.mark.parametrize(("cost_function", "expected"), [("Linear", 2), ("Quadratic", 4)])
def test_limit_busy_times_ignores_free_days_and_sums_the_others(
    tiny: Tiny, cost_function: str, expected: int
) -> None:
    # given T1 wanted 2 to 3 periods a day: 1 period on Monday, all 4 on Tuesday
    teacher = fixed("T1")
    instance, solution = tiny(
        events=event("E1", resources=teacher) + event("E2", 4, resources=teacher),
        constraints=constraint(
            "LimitBusyTimes",
            resources=("T1",),
            body=time_groups("Mo", "Tu") + limits(2, 3),
            cost=cost_function,
        ),
        solution=placed("E1", "Mo1") + placed("E2", "Tu1"),
    )

    # when / then one missing on Monday plus one extra on Tuesday, f applied to that total of 2
    assert evaluate(instance, solution).infeasibility == expected


def test_limit_busy_times_costs_nothing_on_a_day_off(tiny: Tiny) -> None:
    # given T1 wanted 2 to 3 periods a day and not working at all on Tuesday
    teacher = fixed("T1")
    instance, solution = tiny(
        events=event("E1", 2, resources=teacher),
        constraints=constraint(
            "LimitBusyTimes", resources=("T1",), body=time_groups("Mo", "Tu") + limits(2, 3)
        ),
        solution=placed("E1", "Mo1"),
    )

    # when / then
    assert evaluate(instance, solution).infeasibility == 0


def test_limit_workload_shares_a_slot_workload_by_duration_and_rounds_up(tiny: Tiny) -> None:
    # given a 3-period event whose teacher slot weighs 2, taught 1 period by T1 and 2 periods by T2
    instance, solution = tiny(
        events=event("E1", 3, resources=open_slot("Teacher", "Teacher", workload=2)),
        constraints=constraint("LimitWorkload", resource_groups=("Teachers",), body=limits(1, 1)),
        solution=placed("E1", "Mo1", 1, Teacher="T1") + placed("E1", "Tu1", 2, Teacher="T2"),
    )

    # when
    (workload,) = evaluate(instance, solution).constraint_costs

    # then T1 carries 2/3 (1/3 short) and T2 4/3 (1/3 over): each a deviation of 1 once rounded up
    assert [(point.point_id, point.deviation) for point in workload.points] == [("T1", 1), ("T2", 1)]


def test_constraint_types_without_an_evaluator_are_reported_not_ignored(tiny: Tiny) -> None:
    # given an order-events constraint next to a supported one
    instance, solution = tiny(
        events=event("E1"),
        constraints=constraint("AssignTime", events=("E1",))
        + """<OrderEventsConstraint Id="Order"><Name>O</Name><Required>true</Required><Weight>1</Weight>
          <CostFunction>Linear</CostFunction><AppliesTo><EventPairs/></AppliesTo></OrderEventsConstraint>""",
        solution=placed("E1"),
    )

    # when
    evaluation = evaluate(instance, solution)

    # then the supported one is costed and the other is listed as unsupported
    assert evaluation.infeasibility == 1
    assert evaluation.unsupported == ("Order (OrderEvents)",)
    assert not evaluation.is_complete


def test_a_solution_of_another_instance_is_refused(tiny: Tiny) -> None:
    # given a solution that claims to be for another instance
    instance, solution = tiny()
    stranger = dataclasses.replace(solution, instance_id="Elsewhere")

    # when / then
    with pytest.raises(ValueError, match="solution is for instance 'Elsewhere', not 'Tiny'"):
        evaluate(instance, stranger)
