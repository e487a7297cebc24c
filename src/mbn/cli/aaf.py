"""`mbn aaf …`: the académie directory feed (AAF)."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from mbn.cli.progress import console, setup_django

PHASES = {"validation": "Vérification des fichiers", "import": "Import"}


def register(commands: Any) -> None:
    aaf = commands.add_parser("aaf", help="annuaire académique (AAF)")
    aaf_commands = aaf.add_subparsers(dest="aaf_command", required=True)

    run = aaf_commands.add_parser("import", help="importe un dossier ou une archive .zip de fichiers AAF")
    run.add_argument("path", help="dossier ou archive .zip (export complet ou delta)")
    run.add_argument("--json", action="store_true", help="dernière ligne : le rapport en JSON")
    run.set_defaults(handler=aaf_import)

    generate = aaf_commands.add_parser(
        "generate", help="écrit un export AAF synthétique (personnes inventées)"
    )
    generate.add_argument("--people", type=int, required=True, help="nombre de personnes")
    generate.add_argument("--out", required=True, help="dossier de sortie")
    generate.add_argument("--seed", type=int, default=1, help="graine (même graine, mêmes fichiers)")
    generate.add_argument("--uais", nargs="+", help="UAI des établissements (défaut : ceux ouverts)")
    generate.set_defaults(handler=aaf_generate)


def aaf_import(args: argparse.Namespace) -> int:
    setup_django()
    from shared.directory_feed.services import import_run_create
    from tenants.directory.aaf_import import AafImportRejected, aaf_import_run

    run = import_run_create(source_name=args.path)
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
    ) as bar:
        task = bar.add_task(PHASES["validation"], total=None)

        def advance(done: int, total: int, phase: str) -> None:
            bar.update(task, description=PHASES.get(phase, phase), completed=done, total=total or None)

        try:
            report = aaf_import_run(run_id=run.pk, path=args.path, on_progress=advance)
        except AafImportRejected as exc:
            bar.stop()
            print(f"Échec : {exc.message}", file=sys.stderr)
            if args.json and exc.report is not None:
                print(json.dumps(exc.report.as_dict()), flush=True)
            return 1
    totals = report.totals()
    console.print(
        f"Import n° {run.pk} ({', '.join(report.academies)}, {'delta' if report.is_delta else 'complet'}) : "
        f"{totals['created']} créés, {totals['updated']} mis à jour, {totals['unchanged']} inchangés, "
        f"{totals['marked']} marqués pour suppression, {totals['removed']} supprimés, "
        f"{totals['rejected']} rejetés"
    )
    if totals["ignored"]:
        console.print(f"{totals['ignored']} personnes ignorées (établissements absents de la plateforme)")
    if report.warning_count:
        console.print(f"{report.warning_count} avertissements (voir le rapport)")
    if report.changes == 0:
        console.print("Aucun changement : la base était déjà à jour.")
    if args.json:
        print(json.dumps(report.as_dict()), flush=True)
    return 0


def aaf_generate(args: argparse.Namespace) -> int:
    setup_django()
    from shared.directory_feed.selectors import platform_schools_by_uai
    from tenants.directory.imports.aaf_generator import generate

    uais = args.uais or sorted(platform_schools_by_uai())
    if not uais:
        print("Échec : aucun établissement ouvert ; indiquez --uais.", file=sys.stderr)
        return 1
    try:
        export = generate(args.out, people=args.people, seed=args.seed, uais=uais)
    except ValueError as exc:
        print(f"Échec : paramètres refusés ({exc}).", file=sys.stderr)
        return 1
    console.print(
        f"{export.people} personnes ({export.students} élèves, {export.guardians} responsables, "
        f"{export.teachers} enseignants, {export.other_staff} autres personnels) dans "
        f"{export.structures} établissements : {len(export.files)} fichiers dans {export.out_dir}"
    )
    return 0
