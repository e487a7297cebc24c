"""`mbn timetable …`: timetable tools (XHSTT solving and evaluation). No database needed."""

from __future__ import annotations

import argparse
import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mbn.cli.progress import console

if TYPE_CHECKING:
    from tenants.timetable.solver.xhstt.model import Archive, Instance, Solution
    from tenants.timetable.solver.xhstt.solve import XhsttProgress


def register(commands: Any) -> None:
    timetable = commands.add_parser("timetable", help="emploi du temps")
    timetable_commands = timetable.add_subparsers(dest="timetable_command", required=True)

    xhstt = timetable_commands.add_parser("xhstt", help="instances XHSTT-2014 : résolution et évaluation")
    xhstt_commands = xhstt.add_subparsers(dest="xhstt_command", required=True)

    solve = xhstt_commands.add_parser("solve", help="résout une instance XHSTT avec CP-SAT")
    solve.add_argument("file", type=Path, help="archive XHSTT (.xml)")
    solve.add_argument("--time-limit", type=float, required=True, help="durée maximale en secondes")
    solve.add_argument("--seed", type=int, default=0, help="graine de CP-SAT")
    solve.add_argument("--workers", type=int, default=1, help="processus de recherche CP-SAT")
    solve.add_argument("--instance", help="identifiant de l'instance si l'archive en contient plusieurs")
    solve.add_argument("--out", type=Path, required=True, help="fichier XHSTT de la solution")
    solve.add_argument("--json", action="store_true", help="dernière ligne : un objet JSON")
    solve.set_defaults(handler=xhstt_solve)

    evaluate = xhstt_commands.add_parser(
        "evaluate", help="coût (infaisabilité, objectif) de chaque solution selon les règles XHSTT"
    )
    evaluate.add_argument("file", type=Path, help="archive XHSTT (.xml)")
    evaluate.add_argument("--solution", type=Path, help="fichier de solutions (sinon : celles de l'archive)")
    evaluate.add_argument("--instance", help="identifiant de l'instance si l'archive en contient plusieurs")
    evaluate.add_argument("--json", action="store_true", help="dernière ligne : un objet JSON")
    evaluate.set_defaults(handler=xhstt_evaluate)

    register_import(timetable_commands)


class _InputError(Exception):
    """A file the command cannot use; the message is French and names the file."""


def _load(path: Path) -> Archive:
    from tenants.timetable.solver.xhstt import XhsttFormatError, parse_file

    try:
        return parse_file(path)
    except FileNotFoundError:
        raise _InputError(f"{path} : fichier introuvable") from None
    except IsADirectoryError:
        raise _InputError(f"{path} : c'est un dossier, pas un fichier") from None
    except XhsttFormatError as exc:
        raise _InputError(f"{path} : fichier XHSTT invalide ({exc})") from None


def _instance(archive: Archive, path: Path, wanted: str | None) -> Instance:
    if not archive.instances:
        raise _InputError(f"{path} : l'archive ne contient aucune instance")
    if wanted is None:
        return next(iter(archive.instances.values()))
    if wanted not in archive.instances:
        known = ", ".join(archive.instances)
        raise _InputError(f"{path} : pas d'instance {wanted!r} (instances : {known})")
    return archive.instances[wanted]


def _fail(message: str) -> int:
    console.print(f"[red]Échec[/red] : {message}")
    return 2


# --- solve -----------------------------------------------------------------------------------------------


@contextmanager
def cost_progress(label: str, time_limit_s: float) -> Iterator[Callable[[XhsttProgress], None]]:
    """A bar filled by elapsed time over the limit, showing the best cost found so far."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.fields[cost]}"),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    ) as bar:
        task = bar.add_task(label, total=max(time_limit_s, 0.01), cost="coût : —")
        started_at = time.monotonic()
        done = threading.Event()

        def tick() -> None:
            while not done.wait(0.25):
                bar.update(task, completed=min(time.monotonic() - started_at, time_limit_s))

        ticker = threading.Thread(target=tick, daemon=True)
        ticker.start()

        def report(progress: XhsttProgress) -> None:
            text = f"coût CP-SAT {progress.objective}"
            if progress.relaxed:
                text += " (contraintes obligatoires relâchées)"
            bar.update(task, cost=f"{text} à {progress.seconds:.1f} s")

        try:
            yield report
        finally:
            done.set()
            ticker.join()
            bar.update(task, completed=time_limit_s)


def xhstt_solve(args: argparse.Namespace) -> int:
    from tenants.timetable.solver.xhstt.solve import solve, write_solution

    if args.time_limit <= 0:
        return _fail("--time-limit doit être positif")
    try:
        archive = _load(args.file)
        instance = _instance(archive, args.file, args.instance)
    except _InputError as exc:
        return _fail(str(exc))
    with cost_progress(f"{instance.id}", args.time_limit) as report:
        result = solve(
            instance, time_limit_s=args.time_limit, seed=args.seed, workers=args.workers, on_progress=report
        )
    for line in result.unencoded:
        console.print(f"[yellow]Non modélisée[/yellow] (comptée par l'évaluateur) : {line}")
    for line in result.approximated:
        console.print(f"Approchée : {line}")
    if result.solution is None:
        console.print(f"[red]Aucun emploi du temps trouvé[/red] en {result.seconds:.1f} s")
        if result.explanation:
            console.print(result.explanation)
    else:
        try:
            write_solution(instance, result.solution, args.out)
        except OSError as exc:
            return _fail(f"{args.out} : écriture impossible ({exc.strerror})")
        console.print(
            f"{instance.id} : infaisabilité {result.infeasibility}, objectif {result.objective} "
            f"(évaluateur XHSTT) en {result.seconds:.1f} s ; solution écrite dans {args.out}"
        )
        if result.explanation:
            console.print(f"[red]Infaisable[/red] : {result.explanation}")
    if args.json:
        figures = {
            "instance": instance.id,
            "status": result.status,
            "infeasibility": result.infeasibility,
            "objective": result.objective,
            "seconds": result.seconds,
            "out": str(args.out) if result.solution is not None else None,
            "explanation": result.explanation,
            "unencoded": list(result.unencoded),
            "approximated": list(result.approximated),
            "unsupported": list(result.evaluation.unsupported) if result.evaluation else [],
            "history": [[p.seconds, p.objective, p.relaxed] for p in result.history],
        }
        print(json.dumps(figures, ensure_ascii=False), flush=True)
    return 0 if result.solution is not None and result.infeasibility == 0 else 1


# --- evaluate --------------------------------------------------------------------------------------------


def _solution_archive(instance_file: Path, solution_file: Path, instance: Instance) -> Archive:
    """The solutions of a file: a complete archive holding the instance, or bare solution groups that
    are read against the instance file's instances."""
    from lxml import etree

    from tenants.timetable.solver.xhstt import XhsttFormatError, parse_bytes

    try:
        archive = _load(solution_file)
        if instance.id in archive.instances:
            return archive
    except _InputError as exc:
        first_error = exc
    else:
        first_error = _InputError(f"{solution_file} : l'archive ne contient pas l'instance {instance.id!r}")
    # bare solutions: graft the file's <SolutionGroups> onto the instance file
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        base = etree.fromstring(instance_file.read_bytes(), parser=parser)
        extra = etree.fromstring(solution_file.read_bytes(), parser=parser)
    except (OSError, etree.XMLSyntaxError):
        raise first_error from None
    groups = extra.find("SolutionGroups")
    if groups is None:
        raise first_error
    for old in base.findall("SolutionGroups"):
        base.remove(old)
    base.append(groups)
    try:
        return parse_bytes(etree.tostring(base))
    except XhsttFormatError as exc:
        raise _InputError(f"{solution_file} : solutions invalides ({exc})") from None


def _solutions(archive: Archive, instance_id: str) -> list[tuple[str, Solution]]:
    return [
        (group.id, solution)
        for group in archive.solution_groups
        for solution in group.solutions
        if solution.instance_id == instance_id
    ]


def xhstt_evaluate(args: argparse.Namespace) -> int:
    from rich.table import Table

    from tenants.timetable.solver.xhstt import evaluate

    try:
        archive = _load(args.file)
        instance = _instance(archive, args.file, args.instance)
        source = archive if args.solution is None else _solution_archive(args.file, args.solution, instance)
    except _InputError as exc:
        return _fail(str(exc))
    rows: list[dict[str, Any]] = []
    unsupported: list[str] = []
    for group_id, solution in _solutions(source, instance.id):
        evaluation = evaluate(instance, solution)
        unsupported = list(evaluation.unsupported)
        report = solution.report
        rows.append(
            {
                "group": group_id,
                "infeasibility": evaluation.infeasibility,
                "objective": evaluation.objective,
                "reported": None if report is None else [report.infeasibility, report.objective],
            }
        )
    if not rows:
        unsupported = [
            f"{c.id} ({c.kind})" for c in instance.constraints if type(c).__name__ == "UnsupportedConstraint"
        ]
    table = Table(title=f"{instance.id} : coûts selon les règles XHSTT")
    for column in ("Groupe de solutions", "Infaisabilité", "Objectif", "Rapport joint"):
        table.add_column(column, justify="left" if column.startswith("Groupe") else "right", no_wrap=True)
    for row in rows:
        reported = row["reported"]
        table.add_row(
            row["group"],
            str(row["infeasibility"]),
            str(row["objective"]),
            "—" if reported is None else f"({reported[0]}, {reported[1]})",
        )
    console.print(table)
    if not rows:
        console.print("Aucune solution pour cette instance.")
    for line in unsupported:
        console.print(f"[yellow]Contrainte non évaluée[/yellow] : {line}")
    if args.json:
        print(
            json.dumps(
                {"instance": instance.id, "solutions": rows, "unsupported": unsupported}, ensure_ascii=False
            ),
            flush=True,
        )
    return 0


# --- import (STS-Web, EDT, UDT) into one school ---------------------------------------------------------


def register_import(timetable_commands: Any) -> None:
    run = timetable_commands.add_parser(
        "import", help="importe un fichier STS-Web, EDT ou UDT dans un établissement"
    )
    run.add_argument("--school", required=True, help="UAI de l'établissement")
    source = run.add_mutually_exclusive_group(required=True)
    source.add_argument("--sts", type=Path, help="export STS-Web sts_emp_<UAI>_<année>.xml (ou .zip)")
    source.add_argument("--edt", type=Path, help="export EDT pour l'ENT (fichier chiffré ou XML déchiffré)")
    source.add_argument("--udt", type=Path, help="export UDT (zip des fichiers UDCal, ou CSV)")
    run.add_argument("--json", action="store_true", help="dernière ligne : le rapport en JSON")
    run.set_defaults(handler=timetable_import)


def timetable_import(args: argparse.Namespace) -> int:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from mbn.cli.progress import setup_django

    setup_django()
    from django_tenants.utils import schema_context

    from shared.tenancy.models import School
    from tenants.timetable.errors import ImportRefused
    from tenants.timetable.import_services import timetable_import as run_import

    file_format, path = next(
        (name, getattr(args, name)) for name in ("sts", "edt", "udt") if getattr(args, name)
    )
    school = School.objects.filter(
        schema_name=f"etab_{args.school.lower()}", schema_ready_at__isnull=False, is_template=False
    ).first()
    if school is None:
        return _fail(f"établissement {args.school} inconnu ou pas encore créé")
    try:
        data = path.read_bytes()
    except OSError:
        return _fail(f"{path} : fichier illisible ou introuvable")
    with (
        schema_context(school.schema_name),
        Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
        ) as bar,
    ):
        task = bar.add_task("Lecture du fichier", total=None)

        def advance(done: int, total: int, phase: str) -> None:
            bar.update(task, description=phase, completed=done, total=total or None)

        try:
            report = run_import(
                actor=None, file_format=file_format, data=data, file_name=path.name, on_progress=advance
            )
        except ImportRefused as exc:
            bar.stop()
            if args.json:
                print(json.dumps(exc.as_dict()), flush=True)
            return _fail(exc.message)
    console.print(report.summary)
    for row in report.rows():
        console.print(
            f"  {row['label']} : {row['created']} créés, {row['updated']} mis à jour, "
            f"{row['unchanged']} inchangés, {row['deleted']} supprimés, {row['ignored']} ignorés"
        )
    for warning in report.warnings:
        console.print(f"[yellow]Attention[/yellow] : {warning}")
    if args.json:
        print(json.dumps(report.as_dict()), flush=True)
    return 0
