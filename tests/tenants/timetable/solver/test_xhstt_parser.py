"""tenants/timetable/solver/xhstt/parser.py: the eight benchmark files, the tiny school, malformed input."""

from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

from tenants.timetable.solver.xhstt import XhsttFormatError, parse_bytes
from tenants.timetable.solver.xhstt.model import (
    Archive,
    CostFunction,
    EventGroupKind,
    EventResource,
    Instance,
    LimitBusyTimesConstraint,
    PreferTimesConstraint,
    Solution,
    SpreadEventsConstraint,
    TimeGroupKind,
    UnsupportedConstraint,
)

# (file, instance id, times, resources by type, events, total duration, hard, soft): the README table
BENCHMARK_SIZES = [
    ("BrazilInstance1.xml", "BrazilInstance1_XHSTT-v2014", 25, {"Teacher": 8, "Class": 3}, 21, 75, 13, 5),
    ("BR-SA-00.xml", "BR-SA-00", 25, {"Teacher": 14, "Class": 6}, 63, 150, 8, 7),
    ("ItalyInstance1.xml", "ItalyInstance1_XHSTT-v2014", 36, {"Teacher": 13, "Class": 3}, 42, 133, 16, 10),
    (
        "FinlandElementarySchool.xml",
        "FinlandElementarySchool_XHSTT-v2014",
        35,
        {"Teacher": 22, "Class": 60, "Room": 21},
        291,
        445,
        34,
        31,
    ),
    ("ES-SS-08.xml", "ES-SS-08", 35, {"Teacher": 66, "Class": 21, "Room": 4}, 225, 439, 62, 17),
    ("AU-TE-99.xml", "AU-TE-99", 30, {"Teacher": 37, "Class": 13, "Room": 26}, 308, 806, 47, 3),
    ("IT-I4-96.xml", "IT-I4-96", 36, {"Teacher": 61, "Class": 38}, 748, 1101, 67, 6),
    ("KS-PR-11.xml", "KS-PR-11", 62, {"Teacher": 101, "Class": 63}, 809, 1912, 11, 4),
]


@pytest.mark.parametrize(
    ("file_name", "instance_id", "times", "resources", "events", "duration", "hard", "soft"), BENCHMARK_SIZES
)
def test_every_benchmark_file_parses_with_its_documented_size(
    benchmark: Callable[[str], Archive],
    file_name: str,
    instance_id: str,
    times: int,
    resources: dict[str, int],
    events: int,
    duration: int,
    hard: int,
    soft: int,
) -> None:
    # given one benchmark file / when it is parsed
    archive = benchmark(file_name)

    # then its single instance has the sizes the data README lists, and every constraint is modelled
    assert list(archive.instances) == [instance_id]
    instance = archive.instances[instance_id]
    assert len(instance.times) == times
    assert Counter(resource.resource_type_id for resource in instance.resources.values()) == resources
    assert len(instance.events) == events
    assert sum(event.duration for event in instance.events.values()) == duration
    assert sum(constraint.required for constraint in instance.constraints) == hard
    assert sum(not constraint.required for constraint in instance.constraints) == soft
    assert not [c for c in instance.constraints if isinstance(c, UnsupportedConstraint)]
    assert archive.solution_groups


def test_a_file_starting_with_a_byte_order_mark_parses(xhstt_data_dir: Path) -> None:
    # given BrazilInstance1, the one file that starts with a UTF-8 BOM
    data = (xhstt_data_dir / "BrazilInstance1.xml").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")

    # when it is parsed from bytes
    archive = parse_bytes(data)

    # then nothing is lost
    assert [group.id for group in archive.solution_groups] == ["Haroldo_Dec_2011", "LectioIntegerProgramming"]


def test_quadratic_cost_functions_are_read(benchmark: Callable[[str], Archive]) -> None:
    # given the Finnish school, which mixes Linear and Quadratic constraints
    instance = benchmark("FinlandElementarySchool.xml").instances["FinlandElementarySchool_XHSTT-v2014"]

    # when / then its 30 limit-busy-times constraints are the quadratic ones
    quadratic = [c for c in instance.constraints if c.cost_function is CostFunction.QUADRATIC]
    assert len(quadratic) == 30
    assert all(isinstance(c, LimitBusyTimesConstraint) for c in quadratic)


def test_solution_events_take_the_instance_duration_and_preassigned_time_when_omitted(
    benchmark: Callable[[str], Archive],
) -> None:
    # given AU-TE-99, whose solutions omit Duration and, for preassigned events, Time
    archive = benchmark("AU-TE-99.xml")
    instance = archive.instances["AU-TE-99"]

    # when the March 2016 solution is read
    solution = archive.solution_groups[-1].solutions[0]

    # then every solution event of a preassigned event has a time, and durations add up per event
    for solution_event in solution.events:
        event = instance.events[solution_event.event_id]
        if event.preassigned_time_id is not None:
            assert solution_event.time_id is not None
    total: Counter[str] = Counter()
    for solution_event in solution.events:
        total[solution_event.event_id] += solution_event.duration
    assert all(total[event_id] == instance.events[event_id].duration for event_id in total)


def test_embedded_reports_are_read_with_their_breakdown(benchmark: Callable[[str], Archive]) -> None:
    # given IT-I4-96, whose KHE 2014-05-07 solution carries a report
    archive = benchmark("IT-I4-96.xml")
    group = next(group for group in archive.solution_groups if group.id == "JeffKingston_KHE_2014_05_07")

    # when its report is read
    report = group.solutions[0].report

    # then the totals and the per-resource costs agree
    assert report is not None
    assert (report.infeasibility, report.objective) == (0, 40)
    assert sum(cost.cost for cost in report.costs) == 40
    assert {cost.point_kind for cost in report.costs} == {"Resource"}
    assert group.metadata.contributor


def test_tiny_school_times_groups_and_resources_are_resolved(
    tiny: Callable[..., tuple[Instance, Solution]],
) -> None:
    # given the tiny school with one event in a course and an event group
    instance, _ = tiny(
        events="""
        <Event Id="E1"><Name>E1</Name><Duration>2</Duration><Course Reference="Maths"/>
          <Time Reference="Mo2"/>
          <Resources>
            <Resource Reference="T1"><Role>Teacher</Role><Workload>5</Workload></Resource>
            <Resource><Role>Room</Role><ResourceType Reference="Room"/></Resource>
          </Resources>
          <EventGroups><EventGroup Reference="Linked"/></EventGroups>
        </Event>"""
    )

    # when / then times keep the timeline order, groups their members, events their slots
    assert [time.id for time in instance.times] == ["Mo1", "Mo2", "Mo3", "Mo4", "Tu1", "Tu2", "Tu3", "Tu4"]
    assert instance.time_groups["Mornings"].time_ids == ("Mo1", "Mo2", "Tu1", "Tu2")
    assert instance.time_groups["Tu"].kind is TimeGroupKind.DAY
    assert instance.resource_groups["Teachers"].resource_ids == ("T1", "T2")
    event = instance.events["E1"]
    assert event.preassigned_time_id == "Mo2"
    assert event.event_group_ids == ("Maths", "Linked")
    assert instance.event_groups["Maths"].kind is EventGroupKind.COURSE
    assert instance.event_groups["Linked"].event_ids == ("E1",)
    assert event.resources == (
        EventResource(resource_id="T1", role="Teacher", resource_type_id="Teacher", workload=5),
        EventResource(resource_id=None, role="Room", resource_type_id="Room", workload=2),
    )
    assert event.resources[1].is_open


def test_tiny_solution_event_defaults_and_role_assignments(
    tiny: Callable[..., tuple[Instance, Solution]],
) -> None:
    # given a preassigned event with an open room, and a solution event naming only the room
    _, solution = tiny(
        events="""
        <Event Id="E1"><Name>E1</Name><Duration>2</Duration><Time Reference="Tu1"/>
          <Resources><Resource><Role>Room</Role><ResourceType Reference="Room"/></Resource></Resources>
        </Event>""",
        solution="""<Event Reference="E1"><Resources><Resource Reference="R2"><Role>Room</Role></Resource>
          </Resources></Event>""",
    )

    # when / then duration and time come from the instance, the room from the solution
    (solution_event,) = solution.events
    assert (solution_event.duration, solution_event.time_id) == (2, "Tu1")
    assert [(resource.role, resource.resource_id) for resource in solution.events[0].resources] == [
        ("Room", "R2")
    ]


def test_constraints_keep_their_parameters(tiny: Callable[..., tuple[Instance, Solution]]) -> None:
    # given a prefer-times and a spread-events constraint
    instance, _ = tiny(
        events='<Event Id="E1"><Name>E1</Name><Duration>1</Duration><Course Reference="Maths"/></Event>',
        constraints="""
        <PreferTimesConstraint Id="P"><Name>P</Name><Required>false</Required><Weight>3</Weight>
          <CostFunction>Step</CostFunction>
          <AppliesTo><Events><Event Reference="E1"/></Events></AppliesTo>
          <TimeGroups><TimeGroup Reference="Mornings"/></TimeGroups><Times><Time Reference="Tu4"/></Times>
          <Duration>1</Duration>
        </PreferTimesConstraint>
        <SpreadEventsConstraint Id="S"><Name>S</Name><Required>true</Required><Weight>1</Weight>
          <CostFunction>Linear</CostFunction>
          <AppliesTo><EventGroups><EventGroup Reference="Maths"/></EventGroups></AppliesTo>
          <TimeGroups>
            <TimeGroup Reference="Mo"><Minimum>1</Minimum><Maximum>2</Maximum></TimeGroup>
          </TimeGroups>
        </SpreadEventsConstraint>""",
    )

    # when / then
    prefer, spread = instance.constraints
    assert isinstance(prefer, PreferTimesConstraint)
    assert (prefer.kind, prefer.required, prefer.weight, prefer.cost_function) == (
        "PreferTimes",
        False,
        3,
        CostFunction.STEP,
    )
    assert prefer.time_ids == {"Mo1", "Mo2", "Tu1", "Tu2", "Tu4"}
    assert prefer.duration == 1
    assert instance.events_of(prefer.applies_to) == ("E1",)
    assert isinstance(spread, SpreadEventsConstraint)
    assert [(g.time_group_id, g.minimum, g.maximum) for g in spread.time_groups] == [("Mo", 1, 2)]
    assert instance.events_of(spread.applies_to) == ("E1",)


def test_an_unknown_constraint_type_is_kept_not_dropped(
    tiny: Callable[..., tuple[Instance, Solution]],
) -> None:
    # given an order-events constraint, a type this package does not model
    instance, _ = tiny(
        constraints="""<OrderEventsConstraint Id="O"><Name>O</Name><Required>true</Required>
          <Weight>1</Weight><CostFunction>Linear</CostFunction><AppliesTo><EventPairs/></AppliesTo>
        </OrderEventsConstraint>"""
    )

    # when / then it is still there, marked unsupported
    (constraint,) = instance.constraints
    assert isinstance(constraint, UnsupportedConstraint)
    assert (constraint.id, constraint.kind) == ("O", "OrderEvents")


# --- malformed input ------------------------------------------------------------------------------


def test_input_that_is_not_xml_is_rejected_with_its_line() -> None:
    # given bytes that are not XML / when parsed / then the error says so and where
    with pytest.raises(XhsttFormatError, match="not well-formed XML") as caught:
        parse_bytes(b"<HighSchoolTimetableArchive>\n<Instances>\n</Archive>")
    assert caught.value.line == 3


def test_a_document_with_another_root_is_rejected() -> None:
    # given well-formed XML that is not an XHSTT archive / when parsed / then refused, naming both roots
    with pytest.raises(
        XhsttFormatError, match=r"root element must be <HighSchoolTimetableArchive>, found <html>"
    ):
        parse_bytes(b"<html><body/></html>")


def test_a_dangling_event_group_reference_is_rejected_with_element_and_line(
    tiny_xml: Callable[..., bytes],
) -> None:
    # given an event in a course that is not declared
    data = tiny_xml(
        events='<Event Id="E1"><Name>E1</Name><Duration>1</Duration><Course Reference="Latin"/></Event>'
    )

    # when / then the error names the reference, the element and its line
    with pytest.raises(XhsttFormatError, match="reference to unknown event group 'Latin'") as caught:
        parse_bytes(data)
    assert caught.value.element == "<Course 'Latin'>"
    assert caught.value.line is not None
    assert data.decode().splitlines()[caught.value.line - 1].strip().startswith('<Event Id="E1">')


@pytest.mark.parametrize(
    ("events", "constraints", "solution", "reason"),
    [
        (
            "",
            """<AvoidClashesConstraint Id="C"><Name>C</Name><Required>true</Required><Weight>1</Weight>
            <CostFunction>Linear</CostFunction><AppliesTo><Resources><Resource Reference="T9"/></Resources>
            </AppliesTo></AvoidClashesConstraint>""",
            "",
            "reference to unknown resource 'T9'",
        ),
        ("", "", '<Event Reference="E9"><Time Reference="Mo1"/></Event>', "reference to unknown event 'E9'"),
        (
            '<Event Id="E1"><Name>E1</Name><Duration>1</Duration></Event>',
            "",
            '<Event Reference="E1"><Time Reference="We1"/></Event>',
            "reference to unknown time 'We1'",
        ),
        (
            '<Event Id="E1"><Name>E1</Name><Duration>one</Duration></Event>',
            "",
            "",
            "<Duration> must be an integer, found 'one'",
        ),
        (
            """<Event Id="E1"><Name>E1</Name><Duration>1</Duration>
            <Resources><Resource><ResourceType Reference="Room"/></Resource></Resources></Event>""",
            "",
            "",
            "an open event resource",
        ),
        (
            '<Event Id="E1"><Name>E1</Name><Duration>1</Duration></Event>',
            "",
            """<Event Reference="E1"><Time Reference="Mo1"/>
            <Resources><Resource Reference="R1"><Role>Room</Role></Resource></Resources></Event>""",
            "role 'Room' is not a resource role of event 'E1'",
        ),
        (
            '<Event Id="E1"><Name>E1</Name><Duration>2</Duration></Event>',
            "",
            '<Event Reference="E1"><Time Reference="Tu4"/></Event>',
            "cannot start at 'Tu4'",
        ),
        (
            "",
            """<AvoidClashesConstraint Id="C"><Name>C</Name><Required>yes</Required><Weight>1</Weight>
            <AppliesTo/></AvoidClashesConstraint>""",
            "",
            "<Required> must be 'true' or 'false'",
        ),
    ],
    ids=[
        "constraint-resource",
        "solution-event",
        "solution-time",
        "duration",
        "open-slot-role",
        "solution-role",
        "off-the-timeline",
        "required",
    ],
)
def test_malformed_archives_are_rejected_with_a_reason(
    tiny_xml: Callable[..., bytes], events: str, constraints: str, solution: str, reason: str
) -> None:
    # given a tiny archive with one defect / when parsed / then the error gives the reason
    with pytest.raises(XhsttFormatError, match=reason):
        parse_bytes(tiny_xml(events=events, constraints=constraints, solution=solution))


def test_a_solution_of_an_unknown_instance_is_rejected(tiny_xml: Callable[..., bytes]) -> None:
    # given a solution pointing at an instance the archive does not hold
    data = tiny_xml().replace(b'<Solution Reference="Tiny">', b'<Solution Reference="Elsewhere">')

    # when / then
    with pytest.raises(XhsttFormatError, match="reference to unknown instance 'Elsewhere'"):
        parse_bytes(data)


def test_external_entities_are_never_expanded(tmp_path: Path, tiny_xml: Callable[..., bytes]) -> None:
    # given an archive whose event name pulls a local file through an external entity (XXE)
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    data = tiny_xml(events='<Event Id="E1"><Name>&leak;</Name><Duration>1</Duration></Event>')
    doctype = f'<!DOCTYPE HighSchoolTimetableArchive [<!ENTITY leak SYSTEM "file://{secret}">]>\n'
    data = data.replace(b"<HighSchoolTimetableArchive", doctype.encode() + b"<HighSchoolTimetableArchive", 1)

    # when it is parsed
    archive = parse_bytes(data)

    # then the file's content is not read into the model
    assert "TOP-SECRET" not in archive.instances["Tiny"].events["E1"].name
