"""Write an XHSTT-2014 archive: one instance and one solution group, readable by ``parser.parse_file``.

The instance is written back from the model (not copied from its source file), so the archive stands
alone: HSEval and our parser both read an instance and its solutions from the same archive.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from lxml import etree

from .model import (
    AppliesTo,
    AssignResourceConstraint,
    AvoidSplitAssignmentsConstraint,
    AvoidUnavailableTimesConstraint,
    ClusterBusyTimesConstraint,
    Constraint,
    DistributeSplitEventsConstraint,
    EventGroupKind,
    Instance,
    LimitBusyTimesConstraint,
    LimitIdleTimesConstraint,
    LimitWorkloadConstraint,
    Metadata,
    PreferResourcesConstraint,
    PreferTimesConstraint,
    Solution,
    SplitEventsConstraint,
    SpreadEventsConstraint,
    TimeGroupKind,
    UnsupportedConstraint,
)

_Element = etree._Element


def write_solution(
    instance: Instance,
    solution: Solution,
    path: Path | str,
    *,
    group_id: str = "MBN-CPSAT",
    contributor: str = "Mon Bureau Numérique (OR-Tools CP-SAT)",
    date: str = "",
) -> None:
    """Write ``instance`` and ``solution`` as one archive file (UTF-8, no BOM)."""
    Path(path).write_bytes(
        solution_bytes(instance, solution, group_id=group_id, contributor=contributor, date=date)
    )


def solution_bytes(
    instance: Instance, solution: Solution, *, group_id: str, contributor: str, date: str
) -> bytes:
    root = etree.Element("HighSchoolTimetableArchive", Id=f"{instance.id}_{group_id}")
    instances = etree.SubElement(root, "Instances")
    instances.append(_instance(instance))
    groups = etree.SubElement(root, "SolutionGroups")
    group = etree.SubElement(groups, "SolutionGroup", Id=group_id)
    _metadata(group, Metadata(contributor=contributor, date=date, description=solution.description))
    group.append(_solution(instance, solution))
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))


def _text(parent: _Element, tag: str, value: object) -> _Element:
    child = etree.SubElement(parent, tag)
    child.text = str(value)
    return child


def _refs(parent: _Element, container: str, tag: str, ids: Iterable[str]) -> None:
    ids = list(ids)
    if not ids:
        return
    holder = etree.SubElement(parent, container)
    for reference in ids:
        etree.SubElement(holder, tag, Reference=reference)


def _metadata(parent: _Element, metadata: Metadata, *, instance: bool = False) -> None:
    element = etree.SubElement(parent, "MetaData")
    if instance:
        _text(element, "Name", metadata.name)
    _text(element, "Contributor", metadata.contributor)
    _text(element, "Date", metadata.date)
    if instance:
        _text(element, "Country", metadata.country)
    _text(element, "Description", metadata.description)
    if metadata.publication:
        _text(element, "Publication", metadata.publication)
    if metadata.remarks:
        _text(element, "Remarks", metadata.remarks)


def _instance(instance: Instance) -> _Element:
    element = etree.Element("Instance", Id=instance.id)
    _metadata(element, instance.metadata, instance=True)
    _times(element, instance)
    _resources(element, instance)
    _events(element, instance)
    constraints = etree.SubElement(element, "Constraints")
    for constraint in instance.constraints:
        constraints.append(_constraint(instance, constraint))
    return element


def _times(parent: _Element, instance: Instance) -> None:
    times = etree.SubElement(parent, "Times")
    groups = etree.SubElement(times, "TimeGroups")
    memberships: dict[str, list[tuple[TimeGroupKind, str]]] = {t.id: [] for t in instance.times}
    for group in instance.time_groups.values():
        declared = etree.SubElement(groups, group.kind.value, Id=group.id)
        _text(declared, "Name", group.name)
        for time_id in group.time_ids:
            memberships[time_id].append((group.kind, group.id))
    for time in instance.times:
        element = etree.SubElement(times, "Time", Id=time.id)
        _text(element, "Name", time.name)
        others = []
        for kind, group_id in memberships[time.id]:
            if kind is TimeGroupKind.TIME_GROUP:
                others.append(group_id)
            else:
                etree.SubElement(element, kind.value, Reference=group_id)
        _refs(element, "TimeGroups", "TimeGroup", others)


def _resources(parent: _Element, instance: Instance) -> None:
    resources = etree.SubElement(parent, "Resources")
    types = etree.SubElement(resources, "ResourceTypes")
    for resource_type in instance.resource_types.values():
        _text(etree.SubElement(types, "ResourceType", Id=resource_type.id), "Name", resource_type.name)
    groups = etree.SubElement(resources, "ResourceGroups")
    memberships: dict[str, list[str]] = {r: [] for r in instance.resources}
    for group in instance.resource_groups.values():
        element = etree.SubElement(groups, "ResourceGroup", Id=group.id)
        _text(element, "Name", group.name)
        etree.SubElement(element, "ResourceType", Reference=group.resource_type_id)
        for resource_id in group.resource_ids:
            memberships[resource_id].append(group.id)
    for resource in instance.resources.values():
        element = etree.SubElement(resources, "Resource", Id=resource.id)
        _text(element, "Name", resource.name)
        etree.SubElement(element, "ResourceType", Reference=resource.resource_type_id)
        _refs(element, "ResourceGroups", "ResourceGroup", memberships[resource.id])


def _events(parent: _Element, instance: Instance) -> None:
    events = etree.SubElement(parent, "Events")
    groups = etree.SubElement(events, "EventGroups")
    for group in instance.event_groups.values():
        _text(etree.SubElement(groups, group.kind.value, Id=group.id), "Name", group.name)
    for event in instance.events.values():
        element = etree.SubElement(events, "Event", Id=event.id)
        if event.color is not None:
            element.set("Color", event.color)
        _text(element, "Name", event.name)
        _text(element, "Duration", event.duration)
        if event.workload != event.duration:
            _text(element, "Workload", event.workload)
        courses = [g for g in event.event_group_ids if instance.event_groups[g].kind is EventGroupKind.COURSE]
        if courses:
            etree.SubElement(element, "Course", Reference=courses[0])
        if event.preassigned_time_id is not None:
            etree.SubElement(element, "Time", Reference=event.preassigned_time_id)
        if event.resources:
            holder = etree.SubElement(element, "Resources")
            for slot in event.resources:
                resource = etree.SubElement(holder, "Resource")
                if slot.resource_id is not None:
                    resource.set("Reference", slot.resource_id)
                if slot.role is not None:
                    _text(resource, "Role", slot.role)
                if slot.resource_type_id is not None:
                    etree.SubElement(resource, "ResourceType", Reference=slot.resource_type_id)
                if slot.workload != event.workload:
                    _text(resource, "Workload", slot.workload)
        _refs(
            element, "EventGroups", "EventGroup", [g for g in event.event_group_ids if g not in courses[:1]]
        )


def _ordered_times(instance: Instance, time_ids: Iterable[str]) -> list[str]:
    return sorted(time_ids, key=instance.time_index.__getitem__)


def _ordered_resources(instance: Instance, resource_ids: Iterable[str]) -> list[str]:
    wanted = set(resource_ids)
    return [r for r in instance.resources if r in wanted]


def _applies_to(parent: _Element, applies_to: AppliesTo) -> None:
    element = etree.SubElement(parent, "AppliesTo")
    _refs(element, "EventGroups", "EventGroup", applies_to.event_group_ids)
    _refs(element, "Events", "Event", applies_to.event_ids)
    _refs(element, "ResourceGroups", "ResourceGroup", applies_to.resource_group_ids)
    _refs(element, "Resources", "Resource", applies_to.resource_ids)


def _constraint(instance: Instance, constraint: Constraint) -> _Element:
    tag = (
        constraint.element
        if isinstance(constraint, UnsupportedConstraint)
        else f"{constraint.kind}Constraint"
    )
    element = etree.Element(tag, Id=constraint.id)
    _text(element, "Name", constraint.name)
    _text(element, "Required", "true" if constraint.required else "false")
    _text(element, "Weight", constraint.weight)
    _text(element, "CostFunction", constraint.cost_function.value)
    _applies_to(element, constraint.applies_to)
    match constraint:
        case AssignResourceConstraint() | AvoidSplitAssignmentsConstraint():
            _text(element, "Role", constraint.role)
        case SplitEventsConstraint():
            _text(element, "MinimumDuration", constraint.minimum_duration)
            _text(element, "MaximumDuration", constraint.maximum_duration)
            _text(element, "MinimumAmount", constraint.minimum_amount)
            _text(element, "MaximumAmount", constraint.maximum_amount)
        case DistributeSplitEventsConstraint():
            _text(element, "Duration", constraint.duration)
            _text(element, "Minimum", constraint.minimum)
            _text(element, "Maximum", constraint.maximum)
        case PreferTimesConstraint():
            _refs(element, "Times", "Time", _ordered_times(instance, constraint.time_ids))
            if constraint.duration is not None:
                _text(element, "Duration", constraint.duration)
        case PreferResourcesConstraint():
            _refs(element, "Resources", "Resource", _ordered_resources(instance, constraint.resource_ids))
            _text(element, "Role", constraint.role)
        case SpreadEventsConstraint():
            groups = etree.SubElement(element, "TimeGroups")
            for limited in constraint.time_groups:
                group = etree.SubElement(groups, "TimeGroup", Reference=limited.time_group_id)
                _text(group, "Minimum", limited.minimum)
                _text(group, "Maximum", limited.maximum)
        case AvoidUnavailableTimesConstraint():
            _refs(element, "Times", "Time", _ordered_times(instance, constraint.time_ids))
        case LimitIdleTimesConstraint() | ClusterBusyTimesConstraint() | LimitBusyTimesConstraint():
            _refs(element, "TimeGroups", "TimeGroup", constraint.time_group_ids)
            _text(element, "Minimum", constraint.minimum)
            _text(element, "Maximum", constraint.maximum)
        case LimitWorkloadConstraint():
            _text(element, "Minimum", constraint.minimum)
            _text(element, "Maximum", constraint.maximum)
    return element


def _solution(instance: Instance, solution: Solution) -> _Element:
    element = etree.Element("Solution", Reference=instance.id)
    if solution.description:
        _text(element, "Description", solution.description)
    if solution.running_time is not None:
        _text(element, "RunningTime", solution.running_time)
    events = etree.SubElement(element, "Events")
    for solution_event in solution.events:
        event = etree.SubElement(events, "Event", Reference=solution_event.event_id)
        _text(event, "Duration", solution_event.duration)
        if solution_event.time_id is not None:
            etree.SubElement(event, "Time", Reference=solution_event.time_id)
        if solution_event.resources:
            holder = etree.SubElement(event, "Resources")
            for resource in solution_event.resources:
                child = etree.SubElement(holder, "Resource", Reference=resource.resource_id)
                _text(child, "Role", resource.role)
    return element
