"""Provision N schools for a load test, through the real services (the same path as `mbn schools provision`).

    python loadtests/datagen.py --schools 60

loads the region, plans N establishments from the registry that have no school yet (in the benchmark
wave, so `mbn bench provision --schools 1 --drop` removes them) and creates their schemas. Schools already
open count towards N. Prints the host names to put in a hosts file with `--out`.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]


def schools_provision(*, count: int, workers: int = 2) -> list[str]:
    """At least `count` open schools; returns their host names."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mbn.settings")
    if str(REPO_ROOT) not in sys.path:
        sys.path.insert(0, str(REPO_ROOT))
    import django

    django.setup()
    from shared.catalogue.services import region_load
    from shared.tenancy import services
    from shared.tenancy.bench import bench_schools_plan, school_hosts

    hosts = school_hosts(limit=count)
    if len(hosts) < count:
        services.template_ensure()
        region_load()
        plan = bench_schools_plan(count=count - len(hosts))
        failures = services.school_schemas_create(
            school_ids=plan.school_ids, workers=workers, on_done=lambda *_: None
        )
        if failures:
            print(f"{len(failures)} échecs de création", file=sys.stderr)
        hosts = school_hosts(limit=count)
    return hosts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Crée les établissements d'un test de charge")
    parser.add_argument("--schools", type=int, default=50)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--out", default="", help="écrit les noms d'hôte dans ce fichier")
    args = parser.parse_args(argv)
    hosts = schools_provision(count=args.schools, workers=args.workers)
    if args.out:
        Path(args.out).write_text("\n".join(hosts) + "\n")
    print(f"{len(hosts)} établissements ouverts", file=sys.stderr)
    return 0 if len(hosts) >= args.schools else 1


if __name__ == "__main__":
    sys.exit(main())
