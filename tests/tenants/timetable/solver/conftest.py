"""Fixtures for the XHSTT parser and evaluator tests: the benchmark files and a tiny hand-written school."""

from collections.abc import Callable
from functools import cache
from pathlib import Path

import pytest

from tenants.timetable.solver.xhstt import parse_bytes, parse_file
from tenants.timetable.solver.xhstt.model import Archive, Instance, Solution

# <repo>/../shared/data/xhstt: the curated benchmark set lives next to the repository, not in it
XHSTT_DATA_DIR = Path(__file__).resolve().parents[4] / ".." / "shared" / "data" / "xhstt"


@cache
def _parsed(path: Path) -> Archive:
    return parse_file(path)


@pytest.fixture(scope="session")
def xhstt_data_dir() -> Path:
    if not XHSTT_DATA_DIR.is_dir():
        pytest.skip(f"XHSTT benchmark files not found in {XHSTT_DATA_DIR}")
    return XHSTT_DATA_DIR


@pytest.fixture(scope="session")
def benchmark(xhstt_data_dir: Path) -> Callable[[str], Archive]:
    """Parsed benchmark archive by file name; each file is parsed once per session."""

    def load(file_name: str) -> Archive:
        return _parsed(xhstt_data_dir / file_name)

    return load


# Two days of four periods; "Mornings" holds periods 1 and 2 of both days.
# Teachers T1, T2 (group Teachers), rooms R1 (group Labs) and R2.
_TINY_ARCHIVE = """<?xml version="1.0" encoding="UTF-8"?>
<HighSchoolTimetableArchive Id="TinyArchive">
  <Instances>
    <Instance Id="Tiny">
      <MetaData><Name>Tiny school</Name><Contributor>tests</Contributor><Date>2025</Date>
        <Country>France</Country><Description>hand-written</Description></MetaData>
      <Times>
        <TimeGroups>
          <Day Id="Mo"><Name>Monday</Name></Day>
          <Day Id="Tu"><Name>Tuesday</Name></Day>
          <TimeGroup Id="Mornings"><Name>Mornings</Name></TimeGroup>
        </TimeGroups>
        {times}
      </Times>
      <Resources>
        <ResourceTypes>
          <ResourceType Id="Teacher"><Name>Teacher</Name></ResourceType>
          <ResourceType Id="Room"><Name>Room</Name></ResourceType>
        </ResourceTypes>
        <ResourceGroups>
          <ResourceGroup Id="Teachers"><Name>Teachers</Name>
            <ResourceType Reference="Teacher"/></ResourceGroup>
          <ResourceGroup Id="Labs"><Name>Labs</Name><ResourceType Reference="Room"/></ResourceGroup>
        </ResourceGroups>
        <Resource Id="T1"><Name>T1</Name><ResourceType Reference="Teacher"/>
          <ResourceGroups><ResourceGroup Reference="Teachers"/></ResourceGroups></Resource>
        <Resource Id="T2"><Name>T2</Name><ResourceType Reference="Teacher"/>
          <ResourceGroups><ResourceGroup Reference="Teachers"/></ResourceGroups></Resource>
        <Resource Id="R1"><Name>R1</Name><ResourceType Reference="Room"/>
          <ResourceGroups><ResourceGroup Reference="Labs"/></ResourceGroups></Resource>
        <Resource Id="R2"><Name>R2</Name><ResourceType Reference="Room"/></Resource>
      </Resources>
      <Events>
        <EventGroups>
          <Course Id="Maths"><Name>Maths</Name></Course>
          <EventGroup Id="Linked"><Name>Linked</Name></EventGroup>
        </EventGroups>
        {events}
      </Events>
      <Constraints>{constraints}</Constraints>
    </Instance>
  </Instances>
  <SolutionGroups>
    <SolutionGroup Id="Hand">
      <MetaData><Contributor>tests</Contributor><Date>2025</Date><Description>by hand</Description></MetaData>
      <Solution Reference="Tiny"><Events>{solution}</Events></Solution>
    </SolutionGroup>
  </SolutionGroups>
</HighSchoolTimetableArchive>
"""


def _tiny_times() -> str:
    times = []
    for day in ("Mo", "Tu"):
        for period in range(1, 5):
            mornings = '<TimeGroups><TimeGroup Reference="Mornings"/></TimeGroups>' if period <= 2 else ""
            name = f"{day}{period}"
            times.append(f'<Time Id="{name}"><Name>{name}</Name><Day Reference="{day}"/>{mornings}</Time>')
    return "\n".join(times)


@pytest.fixture
def tiny_xml() -> Callable[..., bytes]:
    """The tiny school as XML bytes, with the given <Event>, constraint and solution <Event> elements."""

    def build(*, events: str = "", constraints: str = "", solution: str = "") -> bytes:
        return _TINY_ARCHIVE.format(
            times=_tiny_times(), events=events, constraints=constraints, solution=solution
        ).encode()

    return build


@pytest.fixture
def tiny(tiny_xml: Callable[..., bytes]) -> Callable[..., tuple[Instance, Solution]]:
    """The tiny school parsed: (instance, its one hand-written solution)."""

    def build(*, events: str = "", constraints: str = "", solution: str = "") -> tuple[Instance, Solution]:
        archive = parse_bytes(tiny_xml(events=events, constraints=constraints, solution=solution))
        return archive.instances["Tiny"], archive.solution_groups[0].solutions[0]

    return build
