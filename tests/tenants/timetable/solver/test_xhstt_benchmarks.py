"""The evaluator against the published costs of the benchmark solutions (see the data README).

Two kinds of reference: the <Report> written into a file by the solution's authors (with a cost
breakdown per resource, event and event group), and the cost the XHSTT archive web page lists.
"""

from collections import Counter
from collections.abc import Callable

import pytest

from tenants.timetable.solver.xhstt import evaluate
from tenants.timetable.solver.xhstt.model import Archive, Solution, SolutionGroup

# (file, solution group as in the file, (infeasibility, objective) listed on the archive page or reported)
PUBLISHED_COSTS = [
    ("BrazilInstance1.xml", "Haroldo_Dec_2011", (0, 42)),
    ("BrazilInstance1.xml", "LectioIntegerProgramming", (0, 41)),
    ("BR-SA-00.xml", "Haroldo_Dec_2011", (0, 38)),
    ("BR-SA-00.xml", "Lectio", (0, 5)),
    ("ItalyInstance1.xml", "AndreaSchaerf_2009-12-02", (0, 28)),
    ("ItalyInstance1.xml", "VAGO2012", (0, 12)),
    ("FinlandElementarySchool.xml", "FinlandElementarySchool", (0, 12)),
    ("FinlandElementarySchool.xml", "GOAL", (0, 3)),
    ("ES-SS-08.xml", "FET5.16.0_2012-03-09", (3, 5966)),
    ("ES-SS-08.xml", "LectioIntegerProgramming", (0, 357)),
    ("ES-SS-08.xml", "LectioIntegerProgramming_2014-08-27", (0, 336)),
    ("ES-SS-08.xml", "LectioIntegerProgramming_2016-01-04", (0, 335)),
    ("AU-TE-99.xml", "JeffKingston_KHE_2011-02-11", (66, 134)),
    ("AU-TE-99.xml", "KHE_2012_April", (13, 140)),
    ("AU-TE-99.xml", "KHE_2014_05_07", (0, 125)),
    ("AU-TE-99.xml", "Sequence-basedHH", (0, 61)),
    ("AU-TE-99.xml", "GOAL team Fri Mar 4 15:02:53 2016", (0, 20)),
    ("IT-I4-96.xml", "Andrea Schaerf_2011-06-08", (0, 84)),
    ("IT-I4-96.xml", "LectioIntegerProgramming", (0, 57)),
    ("IT-I4-96.xml", "JeffKingston_KHE_2014-03-12", (0, 56)),
    ("IT-I4-96.xml", "JeffKingston_KHE_2014_03_13", (0, 54)),
    ("IT-I4-96.xml", "JeffKingston_KHE_2014_05_01", (0, 50)),
    ("IT-I4-96.xml", "JeffKingston_KHE_2014_05_07", (0, 40)),
    ("IT-I4-96.xml", "ArtonDorneles_fixopt_2014-08-21", (0, 34)),
    ("IT-I4-96.xml", "GOAL team Thu Feb  5 23:11:58 2015", (0, 28)),
    ("IT-I4-96.xml", "GOAL team Tue Jun  2 22:07:23 2015", (0, 27)),
    ("KS-PR-11.xml", "Demirovic, Musliu - LNS MaxSAT", (0, 0)),
]

# Solutions whose embedded <Report> the evaluator must match line by line.
REPORTED = [
    ("AU-TE-99.xml", "GOAL team Fri Mar 4 15:02:53 2016"),
    ("IT-I4-96.xml", "JeffKingston_KHE_2014-03-12"),
    ("IT-I4-96.xml", "JeffKingston_KHE_2014_03_13"),
    ("IT-I4-96.xml", "JeffKingston_KHE_2014_05_01"),
    ("IT-I4-96.xml", "JeffKingston_KHE_2014_05_07"),
    ("IT-I4-96.xml", "GOAL team Thu Feb  5 23:11:58 2015"),
    ("IT-I4-96.xml", "GOAL team Tue Jun  2 22:07:23 2015"),
    ("KS-PR-11.xml", "Demirovic, Musliu - LNS MaxSAT"),
]

BENCHMARK_FILES = sorted({file_name for file_name, _, _ in PUBLISHED_COSTS})


def _solution(archive: Archive, group_id: str) -> Solution:
    group: SolutionGroup = next(group for group in archive.solution_groups if group.id == group_id)
    (solution,) = group.solutions
    return solution


@pytest.mark.parametrize(
    ("file_name", "group_id", "expected"),
    PUBLISHED_COSTS,
    ids=[f"{file_name.removesuffix('.xml')}:{group_id}" for file_name, group_id, _ in PUBLISHED_COSTS],
)
def test_published_solution_costs_are_reproduced(
    benchmark: Callable[[str], Archive], file_name: str, group_id: str, expected: tuple[int, int]
) -> None:
    # given a benchmark solution with a published cost
    archive = benchmark(file_name)
    solution = _solution(archive, group_id)

    # when it is evaluated on its instance
    evaluation = evaluate(archive.instances[solution.instance_id], solution)

    # then the (infeasibility, objective) pair is the published one, every constraint counted
    assert (evaluation.infeasibility, evaluation.objective) == expected
    assert evaluation.unsupported == ()


@pytest.mark.parametrize(("file_name", "group_id"), REPORTED, ids=[group_id for _, group_id in REPORTED])
def test_embedded_reports_are_reproduced_point_by_point(
    benchmark: Callable[[str], Archive], file_name: str, group_id: str
) -> None:
    # given a solution with its authors' report
    archive = benchmark(file_name)
    solution = _solution(archive, group_id)
    assert solution.report is not None

    # when it is evaluated
    evaluation = evaluate(archive.instances[solution.instance_id], solution)

    # then the totals and every (point, constraint) cost of the report are the same
    assert (evaluation.infeasibility, evaluation.objective) == (
        solution.report.infeasibility,
        solution.report.objective,
    )
    computed = Counter(
        {
            (point.point_kind, point.point_id, cost.constraint_id): point.cost
            for cost in evaluation.constraint_costs
            for point in cost.points
        }
    )
    reported: Counter[tuple[str, str, str]] = Counter()
    for line in solution.report.costs:
        reported[(line.point_kind, line.point_id, line.constraint_id)] += line.cost
    assert computed == reported


def test_stale_april_2015_report_of_au_te_99_is_not_reproduced(benchmark: Callable[[str], Archive]) -> None:
    # given GOAL's April 2015 AU-TE-99 solution, reported (0, 33) before the instance changed in March 2016
    archive = benchmark("AU-TE-99.xml")
    solution = _solution(archive, "GOAL team Tue Apr 14 09:11:09 2015")
    assert solution.report is not None
    assert (solution.report.infeasibility, solution.report.objective) == (0, 33)

    # when it is evaluated on the instance as shipped
    evaluation = evaluate(archive.instances["AU-TE-99"], solution)

    # then it costs (0, 39), as the public 2016 XHSTT engine says: the current SpreadEvents constraint
    # also covers x09MAT1..3 and the x103 groups, which the old report does not charge
    assert (evaluation.infeasibility, evaluation.objective) == (0, 39)
    spread = next(
        cost for cost in evaluation.constraint_costs if cost.constraint_id == "SpreadEventsConstraint_1"
    )
    unreported = {point.point_id for point in spread.points} - {
        line.point_id for line in solution.report.costs if line.constraint_id == "SpreadEventsConstraint_1"
    }
    assert unreported == {"x09MAT1", "x09MAT2", "x09MAT3", "x103ART", "x103CST", "x103MUS"}


def test_ks_pr_11_solutions_without_a_published_cost_keep_their_current_cost(
    benchmark: Callable[[str], Archive],
) -> None:
    # given the two KS-PR-11 solutions for which no public figure was found (README: "not found")
    archive = benchmark("KS-PR-11.xml")

    # when they are evaluated
    costs = {
        group_id: evaluate(archive.instances["KS-PR-11"], _solution(archive, group_id))
        for group_id in ("Prishtina", "GOAL")
    }

    # then they keep the costs this evaluator first computed: a regression pin, not an external reference
    assert {group_id: (e.infeasibility, e.objective) for group_id, e in costs.items()} == {
        "Prishtina": (0, 10553),
        "GOAL": (0, 3),
    }
