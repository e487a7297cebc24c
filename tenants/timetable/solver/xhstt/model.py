"""Typed, immutable view of an XHSTT-2014 archive: instances, solutions and their embedded reports.

Identifiers are the XML `Id` strings. Everything a solver or the evaluator needs is resolved at parse
time (group memberships, the timeline order of times, solution durations and preassigned times), so
nothing here looks at XML again.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field


class CostFunction(enum.Enum):
    LINEAR = "Linear"
    QUADRATIC = "Quadratic"
    STEP = "Step"

    def apply(self, deviation: int) -> int:
        """f(deviation) of the specification; the caller multiplies by the weight."""
        if self is CostFunction.LINEAR:
            return deviation
        if self is CostFunction.QUADRATIC:
            return deviation * deviation
        return 1 if deviation > 0 else 0


class TimeGroupKind(enum.Enum):
    WEEK = "Week"
    DAY = "Day"
    TIME_GROUP = "TimeGroup"


class EventGroupKind(enum.Enum):
    COURSE = "Course"
    EVENT_GROUP = "EventGroup"


@dataclass(frozen=True)
class Metadata:
    name: str = ""
    contributor: str = ""
    date: str = ""
    country: str = ""
    description: str = ""
    publication: str = ""
    remarks: str = ""


@dataclass(frozen=True)
class Time:
    id: str
    name: str
    index: int  # position on the timeline: an event of duration d starting here occupies index..index+d-1


@dataclass(frozen=True)
class TimeGroup:
    id: str
    name: str
    kind: TimeGroupKind
    time_ids: tuple[str, ...]  # in timeline order


@dataclass(frozen=True)
class ResourceType:
    id: str
    name: str


@dataclass(frozen=True)
class ResourceGroup:
    id: str
    name: str
    resource_type_id: str
    resource_ids: tuple[str, ...]


@dataclass(frozen=True)
class Resource:
    id: str
    name: str
    resource_type_id: str


@dataclass(frozen=True)
class EventResource:
    """One resource slot of an event: fixed when `resource_id` is set, open (to be assigned) otherwise."""

    resource_id: str | None
    role: str | None
    resource_type_id: str | None
    workload: int  # defaults to the event's workload, itself defaulting to the event's duration

    @property
    def is_open(self) -> bool:
        return self.resource_id is None


@dataclass(frozen=True)
class Event:
    id: str
    name: str
    duration: int
    workload: int
    preassigned_time_id: str | None
    resources: tuple[EventResource, ...]
    event_group_ids: tuple[str, ...]  # Course and EventGroups memberships together
    color: str | None = None


@dataclass(frozen=True)
class EventGroup:
    id: str
    name: str
    kind: EventGroupKind
    event_ids: tuple[str, ...]  # in the order of the instance's event list


@dataclass(frozen=True)
class AppliesTo:
    """The references of a constraint's <AppliesTo>, as written; expand them with Instance methods."""

    event_ids: tuple[str, ...] = ()
    event_group_ids: tuple[str, ...] = ()
    resource_ids: tuple[str, ...] = ()
    resource_group_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class LimitedTimeGroup:
    """A time group with its own bounds (SpreadEvents)."""

    time_group_id: str
    minimum: int
    maximum: int


@dataclass(frozen=True)
class Constraint:
    """Fields shared by all constraint types; `kind` is the XML element name without 'Constraint'."""

    id: str
    name: str
    required: bool
    weight: int
    cost_function: CostFunction
    applies_to: AppliesTo

    @property
    def kind(self) -> str:
        return type(self).__name__.removesuffix("Constraint")


@dataclass(frozen=True)
class AssignTimeConstraint(Constraint):
    pass


@dataclass(frozen=True)
class AssignResourceConstraint(Constraint):
    role: str


@dataclass(frozen=True)
class SplitEventsConstraint(Constraint):
    minimum_duration: int
    maximum_duration: int
    minimum_amount: int
    maximum_amount: int


@dataclass(frozen=True)
class DistributeSplitEventsConstraint(Constraint):
    duration: int
    minimum: int
    maximum: int


@dataclass(frozen=True)
class PreferTimesConstraint(Constraint):
    time_ids: frozenset[str]  # the union of the listed times and time groups
    duration: int | None  # when set, only solution events of this duration are constrained


@dataclass(frozen=True)
class PreferResourcesConstraint(Constraint):
    role: str
    resource_ids: frozenset[str]  # the union of the listed resources and resource groups


@dataclass(frozen=True)
class AvoidSplitAssignmentsConstraint(Constraint):
    role: str


@dataclass(frozen=True)
class SpreadEventsConstraint(Constraint):
    time_groups: tuple[LimitedTimeGroup, ...]


@dataclass(frozen=True)
class LinkEventsConstraint(Constraint):
    pass


@dataclass(frozen=True)
class AvoidClashesConstraint(Constraint):
    pass


@dataclass(frozen=True)
class AvoidUnavailableTimesConstraint(Constraint):
    time_ids: frozenset[str]


@dataclass(frozen=True)
class LimitIdleTimesConstraint(Constraint):
    time_group_ids: tuple[str, ...]
    minimum: int
    maximum: int


@dataclass(frozen=True)
class ClusterBusyTimesConstraint(Constraint):
    time_group_ids: tuple[str, ...]
    minimum: int
    maximum: int


@dataclass(frozen=True)
class LimitBusyTimesConstraint(Constraint):
    time_group_ids: tuple[str, ...]
    minimum: int
    maximum: int


@dataclass(frozen=True)
class LimitWorkloadConstraint(Constraint):
    minimum: int
    maximum: int


@dataclass(frozen=True)
class UnsupportedConstraint(Constraint):
    """A constraint type this package does not model (e.g. OrderEvents): kept so it is never lost."""

    element: str  # the XML element name, e.g. "OrderEventsConstraint"

    @property
    def kind(self) -> str:
        return self.element.removesuffix("Constraint")


@dataclass(frozen=True)
class Instance:
    id: str
    metadata: Metadata
    times: tuple[Time, ...]  # timeline order
    time_groups: Mapping[str, TimeGroup]
    resource_types: Mapping[str, ResourceType]
    resource_groups: Mapping[str, ResourceGroup]
    resources: Mapping[str, Resource]
    event_groups: Mapping[str, EventGroup]
    events: Mapping[str, Event]  # insertion order = the instance's event list
    constraints: tuple[Constraint, ...]
    time_index: Mapping[str, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "time_index", {time.id: time.index for time in self.times})

    def events_of(self, applies_to: AppliesTo) -> tuple[str, ...]:
        """Events named directly or through an event group, each once, in first-mention order."""
        found = dict.fromkeys(applies_to.event_ids)
        for group_id in applies_to.event_group_ids:
            found.update(dict.fromkeys(self.event_groups[group_id].event_ids))
        return tuple(found)

    def resources_of(self, applies_to: AppliesTo) -> tuple[str, ...]:
        """Resources named directly or through a resource group, each once, in first-mention order."""
        found = dict.fromkeys(applies_to.resource_ids)
        for group_id in applies_to.resource_group_ids:
            found.update(dict.fromkeys(self.resource_groups[group_id].resource_ids))
        return tuple(found)


@dataclass(frozen=True)
class SolutionResource:
    role: str
    resource_id: str


@dataclass(frozen=True)
class SolutionEvent:
    """One (sub-)event of a solution. Duration and time are resolved: an omitted <Duration> is the
    instance event's duration and an omitted <Time> is its preassigned time (None if it has none)."""

    event_id: str
    duration: int
    time_id: str | None
    resources: tuple[SolutionResource, ...]


@dataclass(frozen=True)
class ReportCost:
    """One line of an embedded report: a constraint's cost at one resource, event or event group."""

    point_kind: str  # "Resource", "Event" or "EventGroup"
    point_id: str
    constraint_id: str
    cost: int


@dataclass(frozen=True)
class Report:
    infeasibility: int
    objective: int
    costs: tuple[ReportCost, ...]


@dataclass(frozen=True)
class Solution:
    instance_id: str
    description: str
    running_time: str | None
    events: tuple[SolutionEvent, ...]
    report: Report | None


@dataclass(frozen=True)
class SolutionGroup:
    id: str
    metadata: Metadata
    solutions: tuple[Solution, ...]


@dataclass(frozen=True)
class Archive:
    id: str | None
    metadata: Metadata
    instances: Mapping[str, Instance]
    solution_groups: tuple[SolutionGroup, ...]
