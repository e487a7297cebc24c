"""`mbn bench …`: figures with their baseline measured in the same run."""

from __future__ import annotations

from typing import Any


def register(commands: Any) -> None:
    bench = commands.add_parser("bench", help="mesures de performance")
    bench.add_subparsers(dest="bench_command", required=True)
