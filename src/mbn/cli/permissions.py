"""`mbn permissions`: the permission table of the school API, generated from the endpoints themselves."""

from __future__ import annotations

import argparse
from typing import Any

from mbn.cli.progress import setup_django

ROLE_COLUMNS = ("student", "guardian", "teacher", "vie_scolaire", "direction", "school_admin", "staff")


def register(commands: Any) -> None:
    table = commands.add_parser("permissions", help="tableau des droits par rôle (API des établissements)")
    table.set_defaults(handler=print_table)


def permission_rows() -> list[tuple[str, str, dict[str, str]]]:
    """(method, path, {role: "✓"/""}) for every operation of the school API."""
    from ninja.constants import NOT_SET

    from mbn.api.school import school_api

    rows = []
    for prefix, router in school_api._routers:
        for route, path_view in router.path_operations.items():
            for operation in path_view.operations:
                auth = school_api.auth if operation.auth_param is NOT_SET else operation.auth_param
                allowed = getattr(auth, "allowed_roles", None)
                path = f"/api/v1/{prefix.strip('/')}/{route.strip('/')}".rstrip("/").replace("//", "/")
                for method in operation.methods:
                    if not auth:
                        cells = dict.fromkeys(ROLE_COLUMNS, "public")
                    else:
                        cells = {
                            role: "✓" if allowed is None or role in allowed else "" for role in ROLE_COLUMNS
                        }
                    rows.append((method, path, cells))
    return sorted(rows, key=lambda row: (row[1], row[0]))


def render_table() -> str:
    from tenants.directory.models import Role

    header = "| Méthode | Chemin | " + " | ".join(Role(role).label for role in ROLE_COLUMNS) + " |"
    lines = [header, "|" + "---|" * (len(ROLE_COLUMNS) + 2)]
    for method, path, cells in permission_rows():
        lines.append(f"| {method} | `{path}` | " + " | ".join(cells[role] for role in ROLE_COLUMNS) + " |")
    return "\n".join(lines) + "\n"


def print_table(args: argparse.Namespace) -> int:
    setup_django()
    print(render_table(), end="")
    return 0
