"""Cost of an XHSTT solution, as defined by the XHSTT-2014 specification (HSEval).

Every constraint has points of application (events, event groups or resources). At each point it
measures a non-negative integer deviation; the cost there is weight x f(deviation), f being the
constraint's cost function. Costs of required constraints add up to the infeasibility value, the
others to the objective value. A solution is feasible when its infeasibility value is 0. Where a
constraint measures several things at one point (the time groups of SpreadEvents, LimitBusyTimes,
LimitIdleTimes), they are added into one deviation before f is applied, as KHE does: a Quadratic
cost of two groups each off by one is 4, not 2.

The solution is first completed the way HSEval (KHE) does before evaluating: the part of an
instance event's duration that no solution event covers becomes one more sub-event, at the event's
preassigned time if it has one and without time otherwise (AU-TE-99 solutions leave out all their
preassigned, resource-free events this way); open resource slots a sub-event does not fill are
unassigned, fixed ones always hold their resource.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from functools import cached_property
from typing import Any

from .model import (
    AssignResourceConstraint,
    AssignTimeConstraint,
    AvoidClashesConstraint,
    AvoidSplitAssignmentsConstraint,
    AvoidUnavailableTimesConstraint,
    ClusterBusyTimesConstraint,
    Constraint,
    DistributeSplitEventsConstraint,
    Event,
    Instance,
    LimitBusyTimesConstraint,
    LimitIdleTimesConstraint,
    LimitWorkloadConstraint,
    LinkEventsConstraint,
    PreferResourcesConstraint,
    PreferTimesConstraint,
    Solution,
    SplitEventsConstraint,
    SpreadEventsConstraint,
)

EVENT = "Event"
EVENT_GROUP = "EventGroup"
RESOURCE = "Resource"


@dataclass(frozen=True)
class PointCost:
    """The deviation and cost of one constraint at one point of application."""

    point_kind: str  # EVENT, EVENT_GROUP or RESOURCE, as in the <Report> of an archive
    point_id: str
    deviation: int
    cost: int


@dataclass(frozen=True)
class ConstraintCost:
    constraint_id: str
    kind: str
    required: bool
    cost: int
    points: tuple[PointCost, ...]  # only the points with a non-zero deviation


@dataclass(frozen=True)
class Evaluation:
    infeasibility: int
    objective: int
    constraint_costs: tuple[ConstraintCost, ...]  # one per supported constraint, in instance order
    unsupported: tuple[str, ...]  # "<constraint id> (<kind>)" for each constraint left unevaluated

    @property
    def is_feasible(self) -> bool:
        return self.infeasibility == 0

    @property
    def is_complete(self) -> bool:
        """False when some constraints were not evaluated: the totals are then lower bounds."""
        return not self.unsupported

    def cost_of(self, constraint_id: str) -> int:
        for constraint_cost in self.constraint_costs:
            if constraint_cost.constraint_id == constraint_id:
                return constraint_cost.cost
        raise KeyError(constraint_id)


@dataclass(frozen=True)
class _SubEvent:
    """A completed solution event: `assigned` is aligned with the instance event's resources."""

    event: Event
    duration: int
    start: int | None  # timeline index, None when no time is assigned
    assigned: tuple[str | None, ...]

    def occupied(self) -> range:
        return range(0) if self.start is None else range(self.start, self.start + self.duration)


class _Timetable:
    """The completed solution with the derived facts every constraint type needs."""

    def __init__(self, instance: Instance, solution: Solution) -> None:
        self.instance = instance
        self.sub_events: dict[str, list[_SubEvent]] = {event_id: [] for event_id in instance.events}
        for solution_event in solution.events:
            event = instance.events[solution_event.event_id]
            by_role = {resource.role: resource.resource_id for resource in solution_event.resources}
            assigned = tuple(
                slot.resource_id if slot.resource_id is not None else by_role.get(slot.role or "")
                for slot in event.resources
            )
            start = None if solution_event.time_id is None else instance.time_index[solution_event.time_id]
            self.sub_events[event.id].append(_SubEvent(event, solution_event.duration, start, assigned))
        for event_id, subs in self.sub_events.items():
            event = instance.events[event_id]
            missing = event.duration - sum(sub.duration for sub in subs)
            if missing > 0:
                start = (
                    None
                    if event.preassigned_time_id is None
                    else instance.time_index[event.preassigned_time_id]
                )
                fixed = tuple(slot.resource_id for slot in event.resources)
                subs.append(_SubEvent(event, missing, start, fixed))

        time_count = len(instance.times)
        self.busy: dict[str, list[int]] = defaultdict(lambda: [0] * time_count)
        for subs in self.sub_events.values():
            for sub in subs:
                for resource_id in sub.assigned:
                    if resource_id is None:
                        continue
                    counts = self.busy[resource_id]
                    for index in sub.occupied():
                        counts[index] += 1
        self.group_indexes: dict[str, tuple[int, ...]] = {
            group.id: tuple(instance.time_index[time_id] for time_id in group.time_ids)
            for group in instance.time_groups.values()
        }

    @cached_property
    def workload(self) -> dict[str, Fraction]:
        """Each resource's workload: a sub-event carries its share of the slot's, by duration (only
        LimitWorkload constraints need it, and exact fractions are dear)."""
        workload: dict[str, Fraction] = defaultdict(Fraction)
        for subs in self.sub_events.values():
            for sub in subs:
                for slot, resource_id in zip(sub.event.resources, sub.assigned, strict=True):
                    if resource_id is not None:
                        workload[resource_id] += Fraction(slot.workload * sub.duration, sub.event.duration)
        return workload

    def busy_counts(self, resource_id: str) -> Sequence[int]:
        return self.busy.get(resource_id) or [0] * len(self.instance.times)

    def subs_of_group(self, group_id: str) -> list[_SubEvent]:
        return [
            sub
            for event_id in self.instance.event_groups[group_id].event_ids
            for sub in self.sub_events[event_id]
        ]


def evaluate(instance: Instance, solution: Solution) -> Evaluation:
    """Infeasibility and objective values of a solution, with the cost of each constraint."""
    if solution.instance_id != instance.id:
        raise ValueError(f"solution is for instance {solution.instance_id!r}, not {instance.id!r}")
    timetable = _Timetable(instance, solution)
    costs: list[ConstraintCost] = []
    unsupported: list[str] = []
    for constraint in instance.constraints:
        measure = _MEASURES.get(type(constraint))
        if measure is None:
            unsupported.append(f"{constraint.id} ({constraint.kind})")
            continue
        points = tuple(
            PointCost(
                kind, point_id, deviation, constraint.weight * constraint.cost_function.apply(deviation)
            )
            for kind, point_id, deviation in measure(constraint, timetable)
            if deviation > 0
        )
        costs.append(
            ConstraintCost(
                constraint_id=constraint.id,
                kind=constraint.kind,
                required=constraint.required,
                cost=sum(point.cost for point in points),
                points=points,
            )
        )
    return Evaluation(
        infeasibility=sum(cost.cost for cost in costs if cost.required),
        objective=sum(cost.cost for cost in costs if not cost.required),
        constraint_costs=tuple(costs),
        unsupported=tuple(unsupported),
    )


_Deviations = Iterable[tuple[str, str, int]]


def _outside(value: int | Fraction, minimum: int, maximum: int) -> int:
    """How far value lies below minimum or above maximum, rounded up (workloads may be fractional)."""
    if value < minimum:
        return math.ceil(minimum - value)
    if value > maximum:
        return math.ceil(value - maximum)
    return 0


# --- event constraints: one point per event -------------------------------------------------------


def _events(constraint: Constraint, timetable: _Timetable) -> Iterable[tuple[str, list[_SubEvent]]]:
    for event_id in timetable.instance.events_of(constraint.applies_to):
        yield event_id, timetable.sub_events[event_id]


def _assign_time(constraint: AssignTimeConstraint, timetable: _Timetable) -> _Deviations:
    for event_id, subs in _events(constraint, timetable):
        yield EVENT, event_id, sum(sub.duration for sub in subs if sub.start is None)


def _assign_resource(constraint: AssignResourceConstraint, timetable: _Timetable) -> _Deviations:
    for event_id, subs in _events(constraint, timetable):
        unassigned = 0
        for sub in subs:
            for slot, resource_id in zip(sub.event.resources, sub.assigned, strict=True):
                if slot.role == constraint.role and resource_id is None:
                    unassigned += sub.duration
        yield EVENT, event_id, unassigned


def _split_events(constraint: SplitEventsConstraint, timetable: _Timetable) -> _Deviations:
    for event_id, subs in _events(constraint, timetable):
        bad_durations = sum(
            1
            for sub in subs
            if not constraint.minimum_duration <= sub.duration <= constraint.maximum_duration
        )
        amount = _outside(len(subs), constraint.minimum_amount, constraint.maximum_amount)
        yield EVENT, event_id, bad_durations + amount


def _distribute_split_events(
    constraint: DistributeSplitEventsConstraint, timetable: _Timetable
) -> _Deviations:
    for event_id, subs in _events(constraint, timetable):
        count = sum(1 for sub in subs if sub.duration == constraint.duration)
        yield EVENT, event_id, _outside(count, constraint.minimum, constraint.maximum)


def _prefer_times(constraint: PreferTimesConstraint, timetable: _Timetable) -> _Deviations:
    preferred = {timetable.instance.time_index[time_id] for time_id in constraint.time_ids}
    for event_id, subs in _events(constraint, timetable):
        yield (
            EVENT,
            event_id,
            sum(
                sub.duration
                for sub in subs
                if sub.start is not None
                and sub.start not in preferred
                and (constraint.duration is None or sub.duration == constraint.duration)
            ),
        )


def _prefer_resources(constraint: PreferResourcesConstraint, timetable: _Timetable) -> _Deviations:
    for event_id, subs in _events(constraint, timetable):
        deviation = 0
        for sub in subs:
            for slot, resource_id in zip(sub.event.resources, sub.assigned, strict=True):
                if slot.role == constraint.role and resource_id not in (None, *constraint.resource_ids):
                    deviation += sub.duration
        yield EVENT, event_id, deviation


# --- event group constraints: one point per event group -------------------------------------------


def _avoid_split_assignments(
    constraint: AvoidSplitAssignmentsConstraint, timetable: _Timetable
) -> _Deviations:
    for group_id in constraint.applies_to.event_group_ids:
        distinct = {
            resource_id
            for sub in timetable.subs_of_group(group_id)
            for slot, resource_id in zip(sub.event.resources, sub.assigned, strict=True)
            if slot.role == constraint.role and resource_id is not None
        }
        yield EVENT_GROUP, group_id, max(0, len(distinct) - 1)


def _spread_events(constraint: SpreadEventsConstraint, timetable: _Timetable) -> _Deviations:
    for group_id in constraint.applies_to.event_group_ids:
        starts = [sub.start for sub in timetable.subs_of_group(group_id) if sub.start is not None]
        deviation = 0
        for limited in constraint.time_groups:
            members = set(timetable.group_indexes[limited.time_group_id])
            count = sum(1 for start in starts if start in members)
            deviation += _outside(count, limited.minimum, limited.maximum)
        yield EVENT_GROUP, group_id, deviation


def _link_events(constraint: LinkEventsConstraint, timetable: _Timetable) -> _Deviations:
    for group_id in constraint.applies_to.event_group_ids:
        event_ids = timetable.instance.event_groups[group_id].event_ids
        running: dict[int, int] = defaultdict(int)  # time index -> number of the group's events running
        for event_id in event_ids:
            for index in {index for sub in timetable.sub_events[event_id] for index in sub.occupied()}:
                running[index] += 1
        # a time counts once however many events miss it: it is linked or it is not
        yield EVENT_GROUP, group_id, sum(1 for count in running.values() if count < len(event_ids))


# --- resource constraints: one point per resource -------------------------------------------------


def _resources(constraint: Constraint, timetable: _Timetable) -> Iterable[tuple[str, Sequence[int]]]:
    for resource_id in timetable.instance.resources_of(constraint.applies_to):
        yield resource_id, timetable.busy_counts(resource_id)


def _avoid_clashes(constraint: AvoidClashesConstraint, timetable: _Timetable) -> _Deviations:
    for resource_id, busy in _resources(constraint, timetable):
        yield RESOURCE, resource_id, sum(count - 1 for count in busy if count > 1)


def _avoid_unavailable_times(
    constraint: AvoidUnavailableTimesConstraint, timetable: _Timetable
) -> _Deviations:
    unavailable = [timetable.instance.time_index[time_id] for time_id in constraint.time_ids]
    for resource_id, busy in _resources(constraint, timetable):
        yield RESOURCE, resource_id, sum(1 for index in unavailable if busy[index] > 0)


def _idle_times(busy: Sequence[int], indexes: Sequence[int]) -> int:
    """Times of the group, in timeline order, that are free but lie between two busy ones."""
    busy_positions = [position for position, index in enumerate(indexes) if busy[index] > 0]
    if not busy_positions:
        return 0
    return busy_positions[-1] - busy_positions[0] + 1 - len(busy_positions)


def _limit_idle_times(constraint: LimitIdleTimesConstraint, timetable: _Timetable) -> _Deviations:
    groups = [timetable.group_indexes[group_id] for group_id in constraint.time_group_ids]
    for resource_id, busy in _resources(constraint, timetable):
        idle = sum(_idle_times(busy, indexes) for indexes in groups)
        yield RESOURCE, resource_id, _outside(idle, constraint.minimum, constraint.maximum)


def _cluster_busy_times(constraint: ClusterBusyTimesConstraint, timetable: _Timetable) -> _Deviations:
    groups = [timetable.group_indexes[group_id] for group_id in constraint.time_group_ids]
    for resource_id, busy in _resources(constraint, timetable):
        active = sum(1 for indexes in groups if any(busy[index] > 0 for index in indexes))
        yield RESOURCE, resource_id, _outside(active, constraint.minimum, constraint.maximum)


def _limit_busy_times(constraint: LimitBusyTimesConstraint, timetable: _Timetable) -> _Deviations:
    groups = [timetable.group_indexes[group_id] for group_id in constraint.time_group_ids]
    for resource_id, busy in _resources(constraint, timetable):
        deviation = 0
        for indexes in groups:
            busy_times = sum(1 for index in indexes if busy[index] > 0)
            # a time group where the resource is free is not constrained (a day off is no violation)
            if busy_times > 0:
                deviation += _outside(busy_times, constraint.minimum, constraint.maximum)
        yield RESOURCE, resource_id, deviation


def _limit_workload(constraint: LimitWorkloadConstraint, timetable: _Timetable) -> _Deviations:
    for resource_id in timetable.instance.resources_of(constraint.applies_to):
        workload = timetable.workload.get(resource_id, Fraction(0))
        yield RESOURCE, resource_id, _outside(workload, constraint.minimum, constraint.maximum)


# Any: each measure takes its own constraint class, which a Callable over Constraint cannot express
_MEASURES: Mapping[type[Constraint], Callable[[Any, _Timetable], _Deviations]] = {
    AssignTimeConstraint: _assign_time,
    AssignResourceConstraint: _assign_resource,
    SplitEventsConstraint: _split_events,
    DistributeSplitEventsConstraint: _distribute_split_events,
    PreferTimesConstraint: _prefer_times,
    PreferResourcesConstraint: _prefer_resources,
    AvoidSplitAssignmentsConstraint: _avoid_split_assignments,
    SpreadEventsConstraint: _spread_events,
    LinkEventsConstraint: _link_events,
    AvoidClashesConstraint: _avoid_clashes,
    AvoidUnavailableTimesConstraint: _avoid_unavailable_times,
    LimitIdleTimesConstraint: _limit_idle_times,
    ClusterBusyTimesConstraint: _cluster_busy_times,
    LimitBusyTimesConstraint: _limit_busy_times,
    LimitWorkloadConstraint: _limit_workload,
}
