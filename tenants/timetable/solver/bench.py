"""Benchmark of the CP-SAT engine on generated French schools (wired to the CLI elsewhere)."""

from __future__ import annotations

import time
from typing import Any

from tenants.timetable.solver.check import verify
from tenants.timetable.solver.cpsat import solve
from tenants.timetable.solver.french import generate_college, generate_lycee

GENERATORS = {"college": generate_college, "lycee": generate_lycee}


def bench_french(kind: str, time_limit_s: float, *, seed: int = 0, workers: int = 2) -> dict[str, Any]:
    """Solve one generated school ("college" or "lycee") and report size, hard violations and cost."""
    if kind not in GENERATORS:
        raise ValueError(f"unknown school kind {kind!r}, expected one of {sorted(GENERATORS)}")
    problem = GENERATORS[kind](seed)
    started_at = time.monotonic()
    result = solve(problem, time_limit_s=time_limit_s, seed=seed, workers=workers)
    seconds = time.monotonic() - started_at
    violations = verify(problem, result.solution) if result.solution is not None else None
    return {
        "name": problem.name,
        "classes": sum(1 for group in problem.groups if group.is_class),
        "teachers": len(problem.teachers),
        "lessons": len(problem.lesson_keys),
        "hard_violations": len(violations) if violations is not None else None,
        "objective": result.objective,
        "seconds": round(seconds, 1),
        "status": str(result.status),
        "first_solution_seconds": result.history[0].seconds if result.history else None,
    }
