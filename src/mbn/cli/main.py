"""`mbn`: one entry point for operators. Each command parses, calls services, prints what was done."""

from __future__ import annotations

import argparse
import os
import sys

from mbn.cli import aaf, bench, demo, permissions, schools, timetable


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mbn.settings")
    parser = argparse.ArgumentParser(
        prog="mbn", description="Mon Bureau Numérique : commandes d'exploitation"
    )
    commands = parser.add_subparsers(dest="command", required=True)
    schools.register(commands)
    demo.register(commands)
    bench.register(commands)
    timetable.register(commands)
    aaf.register(commands)
    permissions.register(commands)
    manage = commands.add_parser("manage", help="commande d'administration Django", add_help=False)
    manage.add_argument("rest", nargs=argparse.REMAINDER)
    manage.set_defaults(handler=_manage)
    args = parser.parse_args(argv)
    return int(args.handler(args) or 0)


def _manage(args: argparse.Namespace) -> int:
    from django.core.management import execute_from_command_line

    execute_from_command_line(["mbn manage", *args.rest])
    return 0


if __name__ == "__main__":
    sys.exit(main())
