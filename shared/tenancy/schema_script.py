"""The template schema rendered once as a replayable SQL script (ARCHITECTURE §8).

`pg_dump --schema-only` of the template plus its rows (reference data and `django_migrations`), with the
schema name replaced. Replaying it costs a few hundred milliseconds per school and does not slow down as
schools accumulate, unlike `clone_schema` or a migrate per school (measurements.md).
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path
from typing import Any

from django.conf import settings

# Session settings that pg_dump prints first; the replaying connection must keep its own.
_SESSION_LINE = re.compile(r"^(SET |SELECT pg_catalog\.set_config\().*$", re.MULTILINE)
_COMMENT_LINE = re.compile(r"^--.*$\n?", re.MULTILINE)


def pg_dump_binary() -> str:
    """pg_dump from the pgserver package (PostgreSQL 16): it also dumps the older servers we support."""
    import pgserver

    return str(Path(pgserver.__file__).parent / "pginstall" / "bin" / "pg_dump")


def _connection_args() -> tuple[list[str], dict[str, str]]:
    db: dict[str, Any] = settings.DATABASES["default"]
    args = ["--dbname", db["NAME"]]
    if db.get("HOST"):
        args += ["--host", db["HOST"]]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", db["USER"]]
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    return args, env


def dump_schema(schema_name: str) -> str:
    """DDL and rows of one schema, schema-qualified, without session settings or comments."""
    connection_args, env = _connection_args()
    common = [pg_dump_binary(), *connection_args, "--schema", schema_name, "--no-owner", "--no-privileges"]
    ddl = subprocess.run(  # noqa: S603 - argv built from settings, no shell
        [*common, "--schema-only"], check=True, capture_output=True, text=True, env=env
    ).stdout
    rows = subprocess.run(  # noqa: S603
        [*common, "--data-only", "--inserts", "--rows-per-insert=500"],
        check=True,
        capture_output=True,
        text=True,
        env=env,
    ).stdout
    return _COMMENT_LINE.sub("", _SESSION_LINE.sub("", ddl + "\n" + rows)).strip() + "\n"


def for_schema(script: str, template_schema: str, schema_name: str) -> str:
    """The template's script with every reference to its schema pointed at `schema_name`."""
    if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", schema_name):
        raise ValueError(f"unsafe schema name: {schema_name!r}")
    pattern = re.compile(rf"(?<![\w.\"]){re.escape(template_schema)}(?=\.|;|\s)")
    return pattern.sub(schema_name, script)
