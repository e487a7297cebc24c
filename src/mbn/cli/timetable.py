"""`mbn timetable …`: timetable tools (XHSTT solving and evaluation)."""

from __future__ import annotations

from typing import Any


def register(commands: Any) -> None:
    timetable = commands.add_parser("timetable", help="emploi du temps")
    timetable.add_subparsers(dest="timetable_command", required=True)
