"""Read an XHSTT-2014 archive (HighSchoolTimetableArchive) into the immutable model.

The parser checks structure and references (every Reference must name something declared in the
same instance) and resolves what a consumer would otherwise have to look up again: group memberships,
the timeline, omitted solution durations and preassigned times. It does not judge solution quality:
that is the evaluator's job.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, TypeVar

from lxml import etree

from .model import (
    AppliesTo,
    Archive,
    AssignResourceConstraint,
    AssignTimeConstraint,
    AvoidClashesConstraint,
    AvoidSplitAssignmentsConstraint,
    AvoidUnavailableTimesConstraint,
    ClusterBusyTimesConstraint,
    Constraint,
    CostFunction,
    DistributeSplitEventsConstraint,
    Event,
    EventGroup,
    EventGroupKind,
    EventResource,
    Instance,
    LimitBusyTimesConstraint,
    LimitedTimeGroup,
    LimitIdleTimesConstraint,
    LimitWorkloadConstraint,
    LinkEventsConstraint,
    Metadata,
    PreferResourcesConstraint,
    PreferTimesConstraint,
    Report,
    ReportCost,
    Resource,
    ResourceGroup,
    ResourceType,
    Solution,
    SolutionEvent,
    SolutionGroup,
    SolutionResource,
    SplitEventsConstraint,
    SpreadEventsConstraint,
    Time,
    TimeGroup,
    TimeGroupKind,
    UnsupportedConstraint,
)

ROOT_TAG = "HighSchoolTimetableArchive"

_Element = etree._Element
_T = TypeVar("_T")


class XhsttFormatError(ValueError):
    """The input is not a well-formed XHSTT archive; says where (element, line) and why."""

    def __init__(self, reason: str, *, element: str | None = None, line: int | None = None) -> None:
        self.reason = reason
        self.element = element
        self.line = line
        where = ", ".join(part for part in (f"line {line}" if line else "", element or "") if part)
        super().__init__(f"{where}: {reason}" if where else reason)


def parse_file(path: Path | str) -> Archive:
    """Parse an archive file; bytes are handed to lxml untouched so a UTF-8 BOM is handled."""
    return parse_bytes(Path(path).read_bytes())


def parse_bytes(data: bytes) -> Archive:
    # No entity expansion and no network: archives come from outside and must not be able to
    # read local files or blow up memory (XXE, billion laughs).
    xml_parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        remove_comments=True,
        remove_pis=True,
        huge_tree=False,
    )
    try:
        root = etree.fromstring(data, parser=xml_parser)
    except etree.XMLSyntaxError as exc:
        raise XhsttFormatError(f"not well-formed XML: {exc.msg}", line=exc.lineno) from exc
    if root is None:
        raise XhsttFormatError("empty document")
    if root.tag != ROOT_TAG:
        raise XhsttFormatError(
            f"root element must be <{ROOT_TAG}>, found <{root.tag}>",
            element=_describe(root),
            line=_line(root),
        )
    instances: dict[str, Instance] = {}
    instances_element = _child(root, "Instances")
    if instances_element is not None:
        for element in _children(instances_element, "Instance"):
            instance = _parse_instance(element)
            if instance.id in instances:
                raise _error(element, f"duplicate instance Id {instance.id!r}")
            instances[instance.id] = instance
    solution_groups: list[SolutionGroup] = []
    groups_element = _child(root, "SolutionGroups")
    if groups_element is not None:
        for element in _children(groups_element, "SolutionGroup"):
            solution_groups.append(_parse_solution_group(element, instances))
    return Archive(
        id=root.get("Id"),
        metadata=_parse_metadata(_child(root, "MetaData")),
        instances=instances,
        solution_groups=tuple(solution_groups),
    )


# --- instance -------------------------------------------------------------------------------------


def _parse_instance(element: _Element) -> Instance:
    instance_id = _id(element)
    times, time_groups = _parse_times(_require(element, "Times"))
    resource_types, resource_groups, resources = _parse_resources(_require(element, "Resources"))
    time_index = {time.id: time.index for time in times}
    events, event_groups = _parse_events(
        _require(element, "Events"), time_index=time_index, resources=resources, groups=resource_groups
    )
    scope = _Scope(
        times=time_index,
        time_groups=time_groups,
        resources=resources,
        resource_groups=resource_groups,
        events=events,
        event_groups=event_groups,
    )
    constraints_element = _child(element, "Constraints")
    constraints: list[Constraint] = []
    seen_constraint_ids: set[str] = set()
    if constraints_element is not None:
        for constraint_element in _elements(constraints_element):
            constraint = _parse_constraint(constraint_element, scope)
            if constraint.id in seen_constraint_ids:
                raise _error(constraint_element, f"duplicate constraint Id {constraint.id!r}")
            seen_constraint_ids.add(constraint.id)
            constraints.append(constraint)
    return Instance(
        id=instance_id,
        metadata=_parse_metadata(_child(element, "MetaData")),
        times=times,
        time_groups=time_groups,
        resource_types=resource_types,
        resource_groups=resource_groups,
        resources=resources,
        event_groups=event_groups,
        events=events,
        constraints=tuple(constraints),
    )


def _parse_times(element: _Element) -> tuple[tuple[Time, ...], dict[str, TimeGroup]]:
    declared: dict[str, tuple[str, TimeGroupKind]] = {}
    groups_element = _child(element, "TimeGroups")
    if groups_element is not None:
        for group in _elements(groups_element):
            try:
                kind = TimeGroupKind(group.tag)
            except ValueError:
                raise _error(group, "expected <Week>, <Day> or <TimeGroup>") from None
            group_id = _unique_id(group, declared)
            declared[group_id] = (_text(group, "Name", default=""), kind)
    members: dict[str, list[str]] = {group_id: [] for group_id in declared}
    times: list[Time] = []
    seen: dict[str, None] = {}
    for time_element in _children(element, "Time"):
        time_id = _unique_id(time_element, seen)
        seen[time_id] = None
        times.append(Time(id=time_id, name=_text(time_element, "Name", default=""), index=len(times)))
        references = [ref for tag in ("Week", "Day") for ref in _references(time_element, tag)]
        references += _references(_child(time_element, "TimeGroups"), "TimeGroup")
        for reference_element, group_id in references:
            if group_id not in declared:
                raise _dangling(reference_element, "time group", group_id)
            members[group_id].append(time_id)
    time_groups = {
        group_id: TimeGroup(id=group_id, name=name, kind=kind, time_ids=tuple(members[group_id]))
        for group_id, (name, kind) in declared.items()
    }
    return tuple(times), time_groups


def _parse_resources(
    element: _Element,
) -> tuple[dict[str, ResourceType], dict[str, ResourceGroup], dict[str, Resource]]:
    resource_types: dict[str, ResourceType] = {}
    types_element = _child(element, "ResourceTypes")
    if types_element is not None:
        for type_element in _children(types_element, "ResourceType"):
            type_id = _unique_id(type_element, resource_types)
            resource_types[type_id] = ResourceType(id=type_id, name=_text(type_element, "Name", default=""))
    declared: dict[str, tuple[str, str]] = {}
    groups_element = _child(element, "ResourceGroups")
    if groups_element is not None:
        for group in _children(groups_element, "ResourceGroup"):
            group_id = _unique_id(group, declared)
            type_id = _reference(_require(group, "ResourceType"), resource_types, "resource type")
            declared[group_id] = (_text(group, "Name", default=""), type_id)
    members: dict[str, list[str]] = {group_id: [] for group_id in declared}
    resources: dict[str, Resource] = {}
    for resource_element in _children(element, "Resource"):
        resource_id = _unique_id(resource_element, resources)
        type_id = _reference(_require(resource_element, "ResourceType"), resource_types, "resource type")
        for reference_element, group_id in _references(
            _child(resource_element, "ResourceGroups"), "ResourceGroup"
        ):
            if group_id not in declared:
                raise _dangling(reference_element, "resource group", group_id)
            members[group_id].append(resource_id)
        resources[resource_id] = Resource(
            id=resource_id, name=_text(resource_element, "Name", default=""), resource_type_id=type_id
        )
    resource_groups = {
        group_id: ResourceGroup(
            id=group_id, name=name, resource_type_id=type_id, resource_ids=tuple(members[group_id])
        )
        for group_id, (name, type_id) in declared.items()
    }
    return resource_types, resource_groups, resources


def _parse_events(
    element: _Element,
    *,
    time_index: Mapping[str, int],
    resources: Mapping[str, Resource],
    groups: Mapping[str, ResourceGroup],
) -> tuple[dict[str, Event], dict[str, EventGroup]]:
    declared: dict[str, tuple[str, EventGroupKind]] = {}
    groups_element = _child(element, "EventGroups")
    if groups_element is not None:
        for group in _elements(groups_element):
            try:
                kind = EventGroupKind(group.tag)
            except ValueError:
                raise _error(group, "expected <Course> or <EventGroup>") from None
            group_id = _unique_id(group, declared)
            declared[group_id] = (_text(group, "Name", default=""), kind)
    members: dict[str, list[str]] = {group_id: [] for group_id in declared}
    events: dict[str, Event] = {}
    for event_element in _children(element, "Event"):
        event_id = _unique_id(event_element, events)
        duration = _int(event_element, "Duration", minimum=1)
        workload = _optional_int(event_element, "Workload", minimum=0)
        event_workload = duration if workload is None else workload
        preassigned = _child(event_element, "Time")
        preassigned_time_id = None if preassigned is None else _reference(preassigned, time_index, "time")
        if preassigned_time_id is not None and time_index[preassigned_time_id] + duration > len(time_index):
            raise _error(event_element, "preassigned time leaves no room for the event's duration")
        event_resources: list[EventResource] = []
        for resource_element in _children(_child(event_element, "Resources"), "Resource"):
            event_resources.append(_parse_event_resource(resource_element, resources, event_workload))
        for _, group_id in _references(_child(event_element, "ResourceGroups"), "ResourceGroup"):
            if group_id not in groups:
                raise _dangling(event_element, "resource group", group_id)
            # an event-level resource group preassigns every resource of the group
            event_resources.extend(
                EventResource(
                    resource_id=resource_id, role=None, resource_type_id=None, workload=event_workload
                )
                for resource_id in groups[group_id].resource_ids
            )
        group_references = _references(event_element, "Course")
        group_references += _references(_child(event_element, "EventGroups"), "EventGroup")
        group_ids: dict[str, None] = {}
        for reference_element, group_id in group_references:
            if group_id not in declared:
                raise _dangling(reference_element, "event group", group_id)
            if group_id not in group_ids:
                group_ids[group_id] = None
                members[group_id].append(event_id)
        events[event_id] = Event(
            id=event_id,
            name=_text(event_element, "Name", default=""),
            duration=duration,
            workload=event_workload,
            preassigned_time_id=preassigned_time_id,
            resources=tuple(event_resources),
            event_group_ids=tuple(group_ids),
            color=event_element.get("Color"),
        )
    event_groups = {
        group_id: EventGroup(id=group_id, name=name, kind=kind, event_ids=tuple(members[group_id]))
        for group_id, (name, kind) in declared.items()
    }
    return events, event_groups


def _parse_event_resource(
    element: _Element, resources: Mapping[str, Resource], event_workload: int
) -> EventResource:
    resource_id = element.get("Reference")
    if resource_id is not None and resource_id not in resources:
        raise _dangling(element, "resource", resource_id)
    role = _text(element, "Role", default=None)
    type_element = _child(element, "ResourceType")
    type_id = None if type_element is None else type_element.get("Reference")
    if resource_id is None and (role is None or type_id is None):
        raise _error(element, "an open event resource (no Reference) needs a <Role> and a <ResourceType>")
    if resource_id is not None and type_id is not None and resources[resource_id].resource_type_id != type_id:
        raise _error(element, f"resource {resource_id!r} is not of resource type {type_id!r}")
    if type_id is None and resource_id is not None:
        type_id = resources[resource_id].resource_type_id
    workload = _optional_int(element, "Workload", minimum=0)
    return EventResource(
        resource_id=resource_id,
        role=role,
        resource_type_id=type_id,
        workload=event_workload if workload is None else workload,
    )


# --- constraints ----------------------------------------------------------------------------------


class _Scope:
    """What an instance declares, to check and expand constraint references."""

    def __init__(
        self,
        *,
        times: Mapping[str, int],
        time_groups: Mapping[str, TimeGroup],
        resources: Mapping[str, Resource],
        resource_groups: Mapping[str, ResourceGroup],
        events: Mapping[str, Event],
        event_groups: Mapping[str, EventGroup],
    ) -> None:
        self.times = times
        self.time_groups = time_groups
        self.resources = resources
        self.resource_groups = resource_groups
        self.events = events
        self.event_groups = event_groups

    def time_set(self, element: _Element) -> frozenset[str]:
        """Union of the <Times> and <TimeGroups> children of a constraint."""
        found = {time_id for _, time_id in self._checked(element, "Times", "Time", self.times, "time")}
        for _, group_id in self._checked(element, "TimeGroups", "TimeGroup", self.time_groups, "time group"):
            found.update(self.time_groups[group_id].time_ids)
        return frozenset(found)

    def time_group_ids(self, element: _Element) -> tuple[str, ...]:
        return tuple(
            group_id
            for _, group_id in self._checked(
                element, "TimeGroups", "TimeGroup", self.time_groups, "time group"
            )
        )

    def resource_set(self, element: _Element) -> frozenset[str]:
        """Union of the <Resources> and <ResourceGroups> children of a constraint."""
        found = {
            resource_id
            for _, resource_id in self._checked(element, "Resources", "Resource", self.resources, "resource")
        }
        for _, group_id in self._checked(
            element, "ResourceGroups", "ResourceGroup", self.resource_groups, "resource group"
        ):
            found.update(self.resource_groups[group_id].resource_ids)
        return frozenset(found)

    def applies_to(self, element: _Element) -> AppliesTo:
        target = _require(element, "AppliesTo")
        return AppliesTo(
            event_ids=self._ids(target, "Events", "Event", self.events, "event"),
            event_group_ids=self._ids(target, "EventGroups", "EventGroup", self.event_groups, "event group"),
            resource_ids=self._ids(target, "Resources", "Resource", self.resources, "resource"),
            resource_group_ids=self._ids(
                target, "ResourceGroups", "ResourceGroup", self.resource_groups, "resource group"
            ),
        )

    def _ids(
        self, element: _Element, container: str, tag: str, known: Mapping[str, object], what: str
    ) -> tuple[str, ...]:
        return tuple(reference for _, reference in self._checked(element, container, tag, known, what))

    @staticmethod
    def _checked(
        element: _Element, container: str, tag: str, known: Mapping[str, object], what: str
    ) -> list[tuple[_Element, str]]:
        references = _references(_child(element, container), tag)
        for reference_element, reference in references:
            if reference not in known:
                raise _dangling(reference_element, what, reference)
        return references


def _parse_constraint(element: _Element, scope: _Scope) -> Constraint:
    cost_name = _text(element, "CostFunction", default="Linear")
    try:
        cost_function = CostFunction(cost_name)
    except ValueError:
        raise _error(element, f"unknown cost function {cost_name!r} (Linear, Quadratic or Step)") from None
    required_text = _text(element, "Required", default=None)
    if required_text not in ("true", "false"):
        raise _error(element, "<Required> must be 'true' or 'false'")
    # Any: the shared fields are spread into whichever constraint class the tag selects
    common: dict[str, Any] = {
        "id": _id(element),
        "name": _text(element, "Name", default=""),
        "required": required_text == "true",
        "weight": _int(element, "Weight", minimum=0),
        "cost_function": cost_function,
        "applies_to": scope.applies_to(element),
    }
    match element.tag:
        case "AssignTimeConstraint":
            return AssignTimeConstraint(**common)
        case "AssignResourceConstraint":
            return AssignResourceConstraint(**common, role=_role(element))
        case "SplitEventsConstraint":
            return SplitEventsConstraint(
                **common,
                minimum_duration=_int(element, "MinimumDuration", minimum=1),
                maximum_duration=_int(element, "MaximumDuration", minimum=1),
                minimum_amount=_int(element, "MinimumAmount", minimum=0),
                maximum_amount=_int(element, "MaximumAmount", minimum=0),
            )
        case "DistributeSplitEventsConstraint":
            return DistributeSplitEventsConstraint(
                **common,
                duration=_int(element, "Duration", minimum=1),
                minimum=_minimum(element),
                maximum=_maximum(element),
            )
        case "PreferTimesConstraint":
            return PreferTimesConstraint(
                **common,
                time_ids=scope.time_set(element),
                duration=_optional_int(element, "Duration", minimum=1),
            )
        case "PreferResourcesConstraint":
            return PreferResourcesConstraint(
                **common, role=_role(element), resource_ids=scope.resource_set(element)
            )
        case "AvoidSplitAssignmentsConstraint":
            return AvoidSplitAssignmentsConstraint(**common, role=_role(element))
        case "SpreadEventsConstraint":
            return SpreadEventsConstraint(**common, time_groups=_spread_time_groups(element, scope))
        case "LinkEventsConstraint":
            return LinkEventsConstraint(**common)
        case "AvoidClashesConstraint":
            return AvoidClashesConstraint(**common)
        case "AvoidUnavailableTimesConstraint":
            return AvoidUnavailableTimesConstraint(**common, time_ids=scope.time_set(element))
        case "LimitIdleTimesConstraint":
            return LimitIdleTimesConstraint(
                **common,
                time_group_ids=scope.time_group_ids(element),
                minimum=_minimum(element),
                maximum=_maximum(element),
            )
        case "ClusterBusyTimesConstraint":
            return ClusterBusyTimesConstraint(
                **common,
                time_group_ids=scope.time_group_ids(element),
                minimum=_minimum(element),
                maximum=_maximum(element),
            )
        case "LimitBusyTimesConstraint":
            return LimitBusyTimesConstraint(
                **common,
                time_group_ids=scope.time_group_ids(element),
                minimum=_minimum(element),
                maximum=_maximum(element),
            )
        case "LimitWorkloadConstraint":
            return LimitWorkloadConstraint(**common, minimum=_minimum(element), maximum=_maximum(element))
        case _:
            return UnsupportedConstraint(**common, element=element.tag)


def _minimum(element: _Element) -> int:
    return _int(element, "Minimum", minimum=0)


def _maximum(element: _Element) -> int:
    return _int(element, "Maximum", minimum=0)


def _role(element: _Element) -> str:
    role = _text(element, "Role", default=None)
    if not role:
        raise _error(element, "<Role> is required for this constraint")
    return role


def _spread_time_groups(element: _Element, scope: _Scope) -> tuple[LimitedTimeGroup, ...]:
    limited = []
    for reference_element, group_id in _references(_require(element, "TimeGroups"), "TimeGroup"):
        if group_id not in scope.time_groups:
            raise _dangling(reference_element, "time group", group_id)
        limited.append(
            LimitedTimeGroup(
                time_group_id=group_id,
                minimum=_minimum(reference_element),
                maximum=_maximum(reference_element),
            )
        )
    return tuple(limited)


# --- solutions ------------------------------------------------------------------------------------


def _parse_solution_group(element: _Element, instances: Mapping[str, Instance]) -> SolutionGroup:
    return SolutionGroup(
        id=_id(element),
        metadata=_parse_metadata(_child(element, "MetaData")),
        solutions=tuple(_parse_solution(solution, instances) for solution in _children(element, "Solution")),
    )


def _parse_solution(element: _Element, instances: Mapping[str, Instance]) -> Solution:
    instance = instances[_reference(element, instances, "instance")]
    events: list[SolutionEvent] = []
    for event_element in _children(_child(element, "Events"), "Event"):
        events.append(_parse_solution_event(event_element, instance))
    report_element = _child(element, "Report")
    return Solution(
        instance_id=instance.id,
        description=_text(element, "Description", default=""),
        running_time=_text(element, "RunningTime", default=None),
        events=tuple(events),
        report=None if report_element is None else _parse_report(report_element),
    )


def _parse_solution_event(element: _Element, instance: Instance) -> SolutionEvent:
    event = instance.events[_reference(element, instance.events, "event")]
    duration = _optional_int(element, "Duration", minimum=1)
    time_element = _child(element, "Time")
    time_id = (
        event.preassigned_time_id
        if time_element is None
        else _reference(time_element, instance.time_index, "time")
    )
    if duration is None:
        duration = event.duration
    if time_id is not None and instance.time_index[time_id] + duration > len(instance.times):
        raise _error(element, f"a solution event of duration {duration} cannot start at {time_id!r}")
    roles = {event_resource.role for event_resource in event.resources if event_resource.role is not None}
    resources: list[SolutionResource] = []
    for resource_element in _children(_child(element, "Resources"), "Resource"):
        resource_id = _reference(resource_element, instance.resources, "resource")
        role = _text(resource_element, "Role", default=None)
        if role is None or role not in roles:
            raise _error(resource_element, f"role {role!r} is not a resource role of event {event.id!r}")
        resources.append(SolutionResource(role=role, resource_id=resource_id))
    return SolutionEvent(event_id=event.id, duration=duration, time_id=time_id, resources=tuple(resources))


def _parse_report(element: _Element) -> Report:
    costs: list[ReportCost] = []
    for container, point_kind in (
        ("Resources", "Resource"),
        ("Events", "Event"),
        ("EventGroups", "EventGroup"),
    ):
        for point in _children(_child(element, container), point_kind):
            point_id = _attribute(point, "Reference")
            for constraint in _children(point, "Constraint"):
                costs.append(
                    ReportCost(
                        point_kind=point_kind,
                        point_id=point_id,
                        constraint_id=_attribute(constraint, "Reference"),
                        cost=_int(constraint, "Cost", minimum=0),
                    )
                )
    return Report(
        infeasibility=_int(element, "InfeasibilityValue", minimum=0),
        objective=_int(element, "ObjectiveValue", minimum=0),
        costs=tuple(costs),
    )


def _parse_metadata(element: _Element | None) -> Metadata:
    if element is None:
        return Metadata()
    return Metadata(
        name=_text(element, "Name", default=""),
        contributor=_text(element, "Contributor", default=""),
        date=_text(element, "Date", default=""),
        country=_text(element, "Country", default=""),
        description=_text(element, "Description", default=""),
        publication=_text(element, "Publication", default=""),
        remarks=_text(element, "Remarks", default=""),
    )


# --- XML helpers ----------------------------------------------------------------------------------


def _elements(element: _Element | None) -> Iterator[_Element]:
    """Child elements only: with entities left unresolved, lxml also yields entity-reference nodes."""
    if element is None:
        return
    for child in element:
        if isinstance(child.tag, str):
            yield child


def _children(element: _Element | None, tag: str) -> Iterator[_Element]:
    return (child for child in _elements(element) if child.tag == tag)


def _child(element: _Element | None, tag: str) -> _Element | None:
    return next(_children(element, tag), None)


def _require(element: _Element, tag: str) -> _Element:
    child = _child(element, tag)
    if child is None:
        raise _error(element, f"missing <{tag}>")
    return child


def _text(element: _Element, tag: str, *, default: _T) -> str | _T:
    child = _child(element, tag)
    if child is None:
        return default
    return (child.text or "").strip()


def _optional_int(element: _Element, tag: str, *, minimum: int) -> int | None:
    child = _child(element, tag)
    if child is None:
        return None
    text = (child.text or "").strip()
    try:
        value = int(text)
    except ValueError:
        raise _error(child, f"<{tag}> must be an integer, found {text!r}") from None
    if value < minimum:
        raise _error(child, f"<{tag}> must be at least {minimum}, found {value}")
    return value


def _int(element: _Element, tag: str, *, minimum: int) -> int:
    value = _optional_int(element, tag, minimum=minimum)
    if value is None:
        raise _error(element, f"missing <{tag}>")
    return value


def _attribute(element: _Element, name: str) -> str:
    value = element.get(name)
    if not value:
        raise _error(element, f"missing attribute {name}")
    return value


def _id(element: _Element) -> str:
    return _attribute(element, "Id")


def _unique_id(element: _Element, seen: Mapping[str, object]) -> str:
    element_id = _id(element)
    if element_id in seen:
        raise _error(element, f"duplicate Id {element_id!r}")
    return element_id


def _reference(element: _Element, known: Mapping[str, object], what: str) -> str:
    reference = _attribute(element, "Reference")
    if reference not in known:
        raise _dangling(element, what, reference)
    return reference


def _references(element: _Element | None, tag: str) -> list[tuple[_Element, str]]:
    return [(child, _attribute(child, "Reference")) for child in _children(element, tag)]


def _describe(element: _Element) -> str:
    identity = element.get("Id") or element.get("Reference")
    return f"<{element.tag}>" if identity is None else f"<{element.tag} {identity!r}>"


def _line(element: _Element) -> int | None:
    # lxml-stubs declares sourceline as `...`; at runtime it is an int or None
    line = element.sourceline
    return line if isinstance(line, int) else None


def _error(element: _Element, reason: str) -> XhsttFormatError:
    return XhsttFormatError(reason, element=_describe(element), line=_line(element))


def _dangling(element: _Element, what: str, reference: str) -> XhsttFormatError:
    return _error(element, f"reference to unknown {what} {reference!r}")
