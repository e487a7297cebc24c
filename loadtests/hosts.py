"""School host names for the load tests: from a file, an environment variable, or the database.

    python loadtests/hosts.py --limit 50 --out /tmp/mbn-hosts.txt

asks the database (through `shared.tenancy.bench.school_hosts`, the open schools' primary host names) and
writes one host per line; the locustfile then reads that file (`--hosts-file` or `MBN_LOADTEST_HOSTS_FILE`).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

HOSTS_FILE_VAR = "MBN_LOADTEST_HOSTS_FILE"
HOSTS_VAR = "MBN_LOADTEST_HOSTS"  # comma-separated host names
REPO_ROOT = Path(__file__).resolve().parents[1]


def hosts_from_file(path: str | Path) -> list[str]:
    """One host name per line; blank lines and `#` comments are skipped."""
    lines = Path(path).read_text().splitlines()
    return [line.strip().lower() for line in lines if line.strip() and not line.lstrip().startswith("#")]


def hosts_from_database(*, limit: int | None = None) -> list[str]:
    """Primary host names of the open schools, asked to the database through the tenancy helpers."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mbn.settings")
    if str(REPO_ROOT) not in sys.path:
        sys.path.insert(0, str(REPO_ROOT))
    import django

    django.setup()
    from shared.tenancy.bench import school_hosts

    return school_hosts(limit=limit)


def hosts_load(*, hosts_file: str | None = None, limit: int | None = None) -> list[str]:
    """The hosts from, first found: this file, $MBN_LOADTEST_HOSTS_FILE, $MBN_LOADTEST_HOSTS, the database."""
    path = hosts_file or os.environ.get(HOSTS_FILE_VAR)
    if path:
        hosts = hosts_from_file(path)
    elif os.environ.get(HOSTS_VAR):
        hosts = [host.strip().lower() for host in os.environ[HOSTS_VAR].split(",") if host.strip()]
    else:
        hosts = hosts_from_database(limit=limit)
    return hosts[:limit] if limit else hosts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Écrit les noms d'hôte des établissements ouverts")
    parser.add_argument("--limit", type=int, default=None, help="nombre maximal d'établissements")
    parser.add_argument("--out", default="-", help="fichier de sortie (« - » : sortie standard)")
    args = parser.parse_args(argv)
    hosts = hosts_from_database(limit=args.limit)
    text = "\n".join(hosts) + "\n"
    if args.out == "-":
        sys.stdout.write(text)
    else:
        Path(args.out).write_text(text)
        print(f"{len(hosts)} établissements écrits dans {args.out}", file=sys.stderr)
    return 0 if hosts else 1


if __name__ == "__main__":
    sys.exit(main())
