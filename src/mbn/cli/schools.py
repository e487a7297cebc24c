"""`mbn migrate`, `mbn region load`, `mbn schools provision`."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from mbn.cli.progress import console, progress_bar, setup_django


def register(commands: Any) -> None:
    migrate = commands.add_parser(
        "migrate", help="migre le schéma public, le modèle et les établissements en retard"
    )
    migrate.add_argument("--workers", type=int, default=_default_workers())
    migrate.set_defaults(handler=migrate_all)

    region = commands.add_parser("region", help="référentiel régional")
    region_commands = region.add_subparsers(dest="region_command", required=True)
    load = region_commands.add_parser("load", help="charge les collectivités et les 857 établissements")
    load.set_defaults(handler=region_load)

    schools = commands.add_parser("schools", help="établissements")
    school_commands = schools.add_subparsers(dest="schools_command", required=True)
    provision = school_commands.add_parser("provision", help="crée les espaces des établissements")
    target = provision.add_mutually_exclusive_group(required=True)
    target.add_argument("--wave", help="code d'une vague de déploiement")
    target.add_argument("--uai", nargs="+", help="un ou plusieurs codes UAI")
    target.add_argument("--all", action="store_true", help="tous les établissements du référentiel")
    provision.add_argument("--workers", type=int, default=_default_workers())
    provision.set_defaults(handler=provision_schools)


def _default_workers() -> int:
    return max(1, min(4, os.cpu_count() or 1))


def migrate_all(args: argparse.Namespace) -> int:
    setup_django()
    from shared.tenancy.services import schemas_migrate

    with progress_bar("Migration des établissements", total=0) as advance:
        report = schemas_migrate(workers=args.workers, on_done=advance)
    console.print(
        f"{report.schemas} établissements, {len(report.migrated)} migrés, {len(report.failures)} échecs"
    )
    return 1 if report.failures else 0


def region_load(args: argparse.Namespace) -> int:
    setup_django()
    from shared.catalogue.services import region_load as load

    report = load()
    console.print(
        f"{report.collectivites} collectivités ; établissements : {report.created} créés, "
        f"{report.updated} mis à jour, {report.unchanged} inchangés"
    )
    return 0


def provision_schools(args: argparse.Namespace) -> int:
    setup_django()
    from mbn.errors import DomainError
    from shared.catalogue.selectors import establishment_uais
    from shared.tenancy import selectors, services

    try:
        if args.wave:
            schools = services.school_plan(uais=selectors.wave_uais(wave_code=args.wave), wave_code=args.wave)
        else:
            schools = services.school_plan(uais=establishment_uais() if args.all else args.uai)
    except DomainError as exc:
        print(f"Échec : {exc.message}", file=sys.stderr)
        return 1
    ids = [school.pk for school in schools]
    with progress_bar("Création des espaces", total=len(ids)) as advance:
        failures = services.school_schemas_create(school_ids=ids, workers=args.workers, on_done=advance)
    console.print(f"{len(ids) - len(failures)} établissements ouverts, {len(failures)} échecs")
    return 1 if failures else 0
