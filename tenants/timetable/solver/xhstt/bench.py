"""Benchmark of the CP-SAT XHSTT solver on the curated instances (wired to `mbn bench timetable`)."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .parser import parse_file
from .solve import XhsttProgress, solve

# Best known objective values (all with infeasibility 0), from ../shared/data/xhstt/README.md.
BEST_KNOWN: dict[str, int] = {
    "BrazilInstance1": 41,
    "BR-SA-00": 5,
    "ItalyInstance1": 12,
    "FinlandElementarySchool": 3,
    "ES-SS-08": 335,
    "AU-TE-99": 20,
    "IT-I4-96": 27,
    "KS-PR-11": 0,
}


GOAL_FACTOR = 2


def instance_files(folder: Path, names: list[str] | None = None) -> list[Path]:
    """The archives of the folder (smallest first), or the named ones ("ES-SS-08" or "ES-SS-08.xml")."""
    files = sorted(folder.glob("*.xml"), key=lambda path: path.stat().st_size)
    if not names:
        return files
    wanted = [name.removesuffix(".xml") for name in names]
    unknown = sorted(set(wanted) - {path.stem for path in files})
    if unknown:
        raise ValueError(f"instances inconnues dans {folder} : {', '.join(unknown)}")
    return [path for path in files if path.stem in wanted]


def bench_xhstt(
    path: Path,
    time_limit_s: float,
    *,
    seed: int = 0,
    workers: int = 2,
    on_progress: Callable[[XhsttProgress], None] | None = None,
) -> dict[str, Any]:
    """Solve the first instance of one archive; costs come from the evaluator, not from CP-SAT."""
    archive = parse_file(path)
    instance = next(iter(archive.instances.values()))
    started_at = time.monotonic()
    result = solve(instance, time_limit_s=time_limit_s, seed=seed, workers=workers, on_progress=on_progress)
    seconds = time.monotonic() - started_at
    best_known = BEST_KNOWN.get(path.stem)
    objective = result.objective
    return {
        "name": path.stem,
        "instance": instance.id,
        "status": result.status,
        "infeasibility": result.infeasibility,
        "objective": objective,
        "best_known": best_known,
        "ratio": round(objective / best_known, 2) if objective is not None and best_known else None,
        # the goal: feasible and at most twice the best known objective
        "goal_met": (
            result.infeasibility == 0
            and objective is not None
            and best_known is not None
            and objective <= GOAL_FACTOR * best_known
        ),
        "seconds": round(seconds, 1),
        "first_solution_seconds": result.history[0].seconds if result.history else None,
        "time_limit": time_limit_s,
        "unencoded": list(result.unencoded),
        "unsupported_by_evaluator": list(result.evaluation.unsupported) if result.evaluation else [],
    }
