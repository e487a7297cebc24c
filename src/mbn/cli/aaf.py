"""`mbn aaf …`: the académie directory feed (AAF)."""

from __future__ import annotations

from typing import Any


def register(commands: Any) -> None:
    aaf = commands.add_parser("aaf", help="annuaire académique (AAF)")
    aaf.add_subparsers(dest="aaf_command", required=True)
