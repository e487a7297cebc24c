"""Solve an XHSTT-2014 instance with OR-Tools CP-SAT: ``solve(instance, …) -> XhsttSolveResult``.

Model, in short:
- every event is split before solving into the sub-events its SplitEvents / DistributeSplitEvents
  constraints call for (the cheapest split by those constraints, then the fewest sub-events), and each
  sub-event gets one boolean per allowed start (preassigned time, same day, hard PreferTimes and the
  hard unavailable times of its fixed resources prune the starts);
- events of a hard LinkEvents group with identical splits share their start variables;
- an open resource slot (a Role to fill) gets one boolean per resource of its type, pruned by hard
  PreferResources; the slot holds the same resource in all sub-events of its event;
- every other supported constraint is posted as hard when Required, else as weight x f(deviation)
  in the objective (Linear, Quadratic and Step cost functions).

Search, in phases (see ``solve``):
- open slots that only matter for capacity (a room chosen among interchangeable rooms: hard
  AssignResource, no soft constraint on the slot, candidates watched only by hard AvoidClashes and
  AvoidUnavailableTimes) get no resource variables at first: the *times model* only counts, at each
  time, the sub-events needing a resource of each candidate set against that set's free resources
  (AU-TE-99: 17 k variables instead of 162 k); the rooms are chosen at the end, with every start fixed;
- when the heaviest soft constraints weigh at least 20 times the lightest (rules a good timetable never
  breaks, e.g. KS-PR-11's one lesson a day, IT-I4-96's classes without idle times), the first timetable
  is sought with them posted as hard (in a model of the hard constraints alone, soft ones left out),
  and the rest of the search keeps them; if none is found within 30 % of the time, the search falls
  back on the model as stated;
- a first timetable, a slice of whole-model search hinted with it (skipped on large instances after a
  hardened first search), then a large neighbourhood search (a related subset of events freed, the
  others kept at their times and resources, on large models in a model built with one start per kept
  sub-event, holding only the freed events' resources and the events using them when every resource
  is fixed, and hinted with every variable of the current timetable, and re-solved for a few tenths of
  a second to a few seconds, on large models as written (no presolve, no LP relaxation) and two at a
  time), every candidate timetable that differs from the current one scored by the evaluator;
- most neighbourhoods of large models free the sub-events of one or two days around a resource the
  evaluator charges (a teacher's idle times on a day, say) and the resources they meet, to be placed
  anew on those days, every other sub-event kept where it is: the kept ones make the constraints over
  their resources constants, so such a model is small (KS-PR-11: 4 k variables instead of 116 k) and is
  solved in under a second.

When the hard constraints cannot all be met (proved, or no timetable found within 80 % of the time), the
model is rebuilt with the hard constraints as heavily weighted costs, so the result is the timetable
with the smallest infeasibility value found, and ``explanation`` says which hard constraints fail.

The CP-SAT objective only guides the search: the returned timetable is always scored by
``evaluator.evaluate``, whose figures are the truth.
"""

from __future__ import annotations

import itertools
import logging
import math
import random
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from ortools.sat.python import cp_model

from .evaluator import Evaluation, evaluate
from .model import (
    AssignResourceConstraint,
    AssignTimeConstraint,
    AvoidClashesConstraint,
    AvoidSplitAssignmentsConstraint,
    AvoidUnavailableTimesConstraint,
    ClusterBusyTimesConstraint,
    Constraint,
    CostFunction,
    DistributeSplitEventsConstraint,
    Event,
    Instance,
    LimitBusyTimesConstraint,
    LimitIdleTimesConstraint,
    LimitWorkloadConstraint,
    LinkEventsConstraint,
    PreferResourcesConstraint,
    PreferTimesConstraint,
    Solution,
    SolutionEvent,
    SolutionResource,
    SplitEventsConstraint,
    SpreadEventsConstraint,
    TimeGroupKind,
)
from .writer import write_solution

__all__ = ["XhsttProgress", "XhsttSolveResult", "solve", "write_solution"]

logger = logging.getLogger(__name__)

# In the relaxed model a unit of infeasibility must outweigh any objective value the solver can reach.
_HARD_SCALE = 100_000
_MAX_PARTITIONS = 200
_MAX_CANDIDATES = 4  # splits offered to the model per event
# Share of the time limit for the first timetable meeting the hard constraints; the rest, if none is
# found, goes to the relaxed model (the least infeasible timetable).
_FEASIBILITY_SHARE = 0.8
# Share of the time limit for the whole model after the first timetable, before the neighbourhood search.
_WHOLE_MODEL_SHARE = 0.3
_WHOLE_MODEL_SHARE_LARGE = 0.1
_LARGE_EVENT_COUNT = 150
# Soft constraints weighing at least this many times the lightest soft one are hardened in a first search,
# given this share of the time limit.
_HEAVY_RATIO = 20
_HARDENED_SHARE = 0.3
# Variables of the whole model from which each neighbourhood gets a model of its own (see
# ``_neighbourhood_search``): measured worth it on IT-I4-96 (30 k) and KS-PR-11 (116 k); AU-TE-99 (17 k,
# neighbourhoods of half its events) did better with copies of the whole model.
_COMPACT_NEIGHBOURHOODS_FROM = 25_000

# Event constraints costed per event group as a whole (the others are costed per event of their groups).
_PER_GROUP = (SpreadEventsConstraint, LinkEventsConstraint, AvoidSplitAssignmentsConstraint)

# In ``_Builder(fixed=…)``, the start of a sub-event that keeps its duration but is placed anew.
_FREE_START = -1

Expr = Any  # an int, a CP-SAT variable or a linear expression
_Term = tuple[Expr, int]  # (non-negative expression, an upper bound of its value)


@dataclass(frozen=True)
class XhsttProgress:
    seconds: float
    objective: int  # the CP-SAT objective (hard violations scaled in the relaxed model)
    relaxed: bool


@dataclass(frozen=True)
class XhsttSolveResult:
    instance_id: str
    status: str  # "optimal", "feasible", "infeasible" (hard constraints violated) or "unknown"
    solution: Solution | None
    evaluation: Evaluation | None  # the evaluator's cost of ``solution``: the truth
    history: tuple[XhsttProgress, ...]
    seconds: float
    unencoded: tuple[str, ...]  # "<id> (<kind>): reason" for constraints the model ignores
    approximated: tuple[str, ...]  # constraints only handled before solving (event splits)
    explanation: str | None = None  # why the hard constraints are not all met, when they are not

    @property
    def infeasibility(self) -> int | None:
        return None if self.evaluation is None else self.evaluation.infeasibility

    @property
    def objective(self) -> int | None:
        return None if self.evaluation is None else self.evaluation.objective


# --- splits -----------------------------------------------------------------------------------------------


def _partitions(total: int, largest: int) -> Iterator[tuple[int, ...]]:
    """Partitions of total into parts of at most largest, parts in non-increasing order."""
    if total == 0:
        yield ()
        return
    for part in range(min(total, largest), 0, -1):
        for rest in _partitions(total - part, part):
            yield (part, *rest)


def _split_cost(constraint: Constraint, parts: Sequence[int]) -> int:
    if isinstance(constraint, SplitEventsConstraint):
        bad = sum(1 for p in parts if not constraint.minimum_duration <= p <= constraint.maximum_duration)
        deviation = bad + _outside_value(len(parts), constraint.minimum_amount, constraint.maximum_amount)
    elif isinstance(constraint, DistributeSplitEventsConstraint):
        count = sum(1 for p in parts if p == constraint.duration)
        deviation = _outside_value(count, constraint.minimum, constraint.maximum)
    else:
        return 0
    return constraint.weight * constraint.cost_function.apply(deviation)


def _outside_value(value: int, minimum: int, maximum: int) -> int:
    return minimum - value if value < minimum else value - maximum if value > maximum else 0


def _constant(expr: Expr, value: int) -> bool:
    """Whether expr is the constant value (an expression is never compared: that builds a constraint)."""
    return isinstance(expr, int) and expr == value


def _candidate_splits(
    event: Event,
    split_constraints: Sequence[Constraint],
    spread: Sequence[SpreadEventsConstraint],
    *,
    strict: bool,
    hardened: frozenset[str] = frozenset(),
) -> list[tuple[int, ...]]:
    """The splits the model may choose from: the cheapest by the split constraints (hard first, and only
    those meeting them in the strict model), a rough spread penalty, then the fewest sub-events.
    ``hardened``: soft constraints treated as hard."""
    if not split_constraints or event.preassigned_time_id is not None:
        return [(event.duration,)]

    def is_hard(constraint: Constraint) -> bool:
        return constraint.required or constraint.id in hardened

    largest = event.duration
    for constraint in split_constraints:
        if isinstance(constraint, SplitEventsConstraint) and is_hard(constraint):
            largest = min(largest, max(constraint.maximum_duration, 1))

    def score(parts: tuple[int, ...]) -> tuple[int, int, int, tuple[int, ...]]:
        hard = sum(_split_cost(c, parts) for c in split_constraints if is_hard(c))
        soft = sum(_split_cost(c, parts) for c in split_constraints if not is_hard(c))
        # sub-events beyond the time groups' capacity of a SpreadEvents constraint will cost there
        for constraint in spread:
            capacity = sum(group.maximum for group in constraint.time_groups)
            excess = max(0, len(parts) - capacity)
            soft += constraint.weight * constraint.cost_function.apply(excess)
        return (hard, soft, len(parts), tuple(-p for p in parts))

    ranked = sorted(itertools.islice(_partitions(event.duration, largest), _MAX_PARTITIONS), key=score)
    if not ranked:
        return [(event.duration,)]
    if strict:
        best_hard = score(ranked[0])[0]
        ranked = [parts for parts in ranked if score(parts)[0] == best_hard]
    return ranked[:_MAX_CANDIDATES]


def _capacity_only_slots(instance: Instance) -> dict[tuple[str, int], frozenset[str]]:
    """Open slots whose choice only matters for resource capacity: a hard AssignResource, no soft
    resource constraint on the (event, role), and candidates that no constraint other than hard
    AvoidClashes / AvoidUnavailableTimes looks at (typically rooms). Their resources can be chosen once
    the times are known, time by time, so the times model only counts them."""
    watched: set[str] = set()
    soft_roles: set[tuple[str, str]] = set()
    hard_roles: set[tuple[str, str]] = set()
    preferred: dict[tuple[str, str], frozenset[str]] = {}
    for constraint in instance.constraints:
        if (
            isinstance(constraint, AvoidClashesConstraint | AvoidUnavailableTimesConstraint)
            and constraint.required
        ):
            continue
        watched.update(instance.resources_of(constraint.applies_to))
        role = getattr(constraint, "role", None)
        if role is None:
            continue
        for event_id in instance.events_of(constraint.applies_to):
            key = (event_id, role)
            if isinstance(constraint, AssignResourceConstraint) and constraint.required:
                hard_roles.add(key)
            elif isinstance(constraint, PreferResourcesConstraint) and constraint.required:
                preferred[key] = preferred.get(key, constraint.resource_ids) & constraint.resource_ids
            else:
                soft_roles.add(key)
    by_type: dict[str, list[str]] = defaultdict(list)
    for resource in instance.resources.values():
        by_type[resource.resource_type_id].append(resource.id)
    slots: dict[tuple[str, int], frozenset[str]] = {}
    for event in instance.events.values():
        for index, slot in enumerate(event.resources):
            key = (event.id, slot.role or "")
            if not slot.is_open or key not in hard_roles or key in soft_roles:
                continue
            candidates = frozenset(by_type.get(slot.resource_type_id or "", []))
            if key in preferred:
                candidates &= preferred[key]
            if candidates and not candidates & watched:
                slots[(event.id, index)] = candidates
    return slots


# --- model ------------------------------------------------------------------------------------------------


@dataclass
class _Sub:
    """A sub-event: its duration, offset in the event and start literals (time index -> literal)."""

    duration: int
    starts: dict[int, cp_model.IntVar] = field(default_factory=dict)
    optional: bool = False


@dataclass
class _Candidate:
    """One way of splitting an event: chosen when ``selector`` is true (1 when it is the only way)."""

    parts: tuple[int, ...]
    selector: Expr
    subs: list[_Sub]


@dataclass
class _EventVars:
    event: Event
    candidates: list[_Candidate]
    # time index -> literals of the sub-events running then (at most one true)
    running: dict[int, list[cp_model.IntVar]] = field(default_factory=lambda: defaultdict(list))
    # open slot index -> one (sub-event, resource id -> "holds it" literal) per sub-event
    slots: dict[int, list[tuple[_Sub, dict[str, cp_model.IntVar]]]] = field(default_factory=dict)

    def chosen(self, index: int) -> Iterator[tuple[_Sub, str, cp_model.IntVar]]:
        for sub, choice in self.slots.get(index, []):
            for resource_id, literal in choice.items():
                yield sub, resource_id, literal

    @property
    def subs(self) -> list[_Sub]:
        return [sub for candidate in self.candidates for sub in candidate.subs]


@dataclass(frozen=True)
class _Focus:
    """The part of an instance a neighbourhood's model is built on: the resources whose timetable may
    change (those of the freed events) and the events that bear on them or share a constrained event
    group with a freed event. Constraints elsewhere only see kept sub-events: constants, left out."""

    events: frozenset[str]
    resources: frozenset[str]


class _Builder:
    def __init__(
        self,
        instance: Instance,
        *,
        relaxed: bool,
        aggregate: bool = False,
        fixed: Mapping[str, Sequence[tuple[int, int | None]]] | None = None,
        hardened: frozenset[str] = frozenset(),
        free_days: set[str | None] | None = None,
        hard_only: bool = False,
        focus: _Focus | None = None,
    ) -> None:
        """``hardened``: ids of soft constraints posted as hard (a cost of 0 demanded there);
        ``aggregate``: capacity-only open slots (see ``_capacity_only_slots``) get no resource variables,
        only a per-time count against the capacity of their candidate resources (the times model);
        ``fixed``: each event's sub-events as (duration, start), e.g. a previous solution (the resources
        model, small because every sub-event has a single start); a start of ``_FREE_START`` keeps the
        sub-event but lets the model place it (a neighbourhood of some days), on ``free_days`` when given
        (measured on KS-PR-11: sub-models built in 0.07 s instead of 0.1 s, hinted in 0.01 s instead of
        0.02 s, and 14, 14 and 3 at 300 s against 9 and 17); ``hard_only``: the soft constraints are left
        out (not even as costs), a model to find any timetable meeting the hard ones; ``focus``: only
        those events and the constraints of those resources (a neighbourhood's model: its objective
        then differs from the evaluator's cost by the constant cost of what is left out)."""
        self.instance = instance
        self.relaxed = relaxed
        self.aggregate = aggregate
        self.fixed = fixed
        self.hardened = hardened
        self.hard_only = hard_only
        self.free_days = free_days
        self.focus = focus
        self.aggregated: dict[tuple[str, int], frozenset[str]] = (
            _capacity_only_slots(instance) if aggregate and not relaxed else {}
        )
        # aggregated slots: (candidate resources, running literals of one sub-event per time)
        self.demands: list[tuple[frozenset[str], dict[int, list[cp_model.IntVar]]]] = []
        self.model = cp_model.CpModel()
        self.objective: list[Expr] = []
        self.unencoded: list[str] = []
        self.approximated: list[str] = []
        self.impossible: list[str] = []  # hard constraints broken by construction (strict model)
        self.time_count = len(instance.times)
        self.day_of = self._days()
        self.events: dict[str, _EventVars] = {}
        self.busy_terms: dict[str, dict[int, list[cp_model.IntVar]]] = defaultdict(lambda: defaultdict(list))
        self.clash_free: set[str] = set()  # resources whose occupancy is known to be at most 1
        self._busy_rows: dict[str, list[Expr]] = {}  # see ``busy``
        self.kept: cp_model.IntVar | None = None  # see ``kept_start``
        self._build()

    # -- helpers -------------------------------------------------------------------------------------------

    def strict(self, constraint: Constraint) -> bool:
        return (constraint.required or constraint.id in self.hardened) and not self.relaxed

    def _days(self) -> list[str | None]:
        day_of: list[str | None] = [None] * len(self.instance.times)
        for group in self.instance.time_groups.values():
            if group.kind is TimeGroupKind.DAY:
                for time_id in group.time_ids:
                    day_of[self.instance.time_index[time_id]] = group.id
        return day_of

    def outside(self, expr: Expr, upper: int, minimum: int, maximum: int, *, hard: bool) -> _Term:
        """How far expr (in 0..upper) lies outside [minimum, maximum]; posted as bounds when hard."""
        if isinstance(expr, int):
            constant = _outside_value(expr, minimum, maximum)
            return constant, constant
        low = minimum > 0
        high = maximum < upper
        if not low and not high:
            return 0, 0
        if hard:
            if low:
                self.model.add(expr >= minimum)
            if high:
                self.model.add(expr <= maximum)
            return 0, 0
        bound = max(minimum, upper - maximum, 0)
        deviation = self.model.new_int_var(0, bound, "dev")
        if low:
            self.model.add(deviation >= minimum - expr)
        if high:
            self.model.add(deviation >= expr - maximum)
        return deviation, bound

    def charge(self, constraint: Constraint, terms: Iterable[_Term]) -> None:
        """Add weight x f(sum of terms) of one point of application to the objective."""
        kept = [(expr, upper) for expr, upper in terms if not (isinstance(expr, int) and expr == 0)]
        if not kept:
            return
        weight = constraint.weight * (_HARD_SCALE if constraint.required else 1)
        if weight == 0:
            return
        total = sum(expr for expr, _ in kept)
        upper = sum(upper for _, upper in kept)
        if isinstance(total, int):
            self.objective.append(weight * constraint.cost_function.apply(total))
            return
        if constraint.cost_function is CostFunction.LINEAR:
            self.objective.append(weight * total)
        elif constraint.cost_function is CostFunction.QUADRATIC:
            deviation = self.model.new_int_var(0, upper, "qdev")
            self.model.add(deviation == total)
            square = self.model.new_int_var(0, upper * upper, "qsq")
            self.model.add_multiplication_equality(square, [deviation, deviation])
            self.objective.append(weight * square)
        else:
            flag = self.model.new_bool_var("step")
            self.model.add(total <= upper * flag)
            self.objective.append(weight * flag)

    def or_of(self, literals: Sequence[Expr], name: str) -> Expr:
        """A boolean equal to the disjunction of literals (constants allowed)."""
        variables = [lit for lit in literals if not isinstance(lit, int)]
        if any(isinstance(lit, int) and lit > 0 for lit in literals):
            return 1
        if not variables:
            return 0
        if len(variables) == 1:
            return variables[0]
        flag = self.model.new_bool_var(name)
        self.model.add_max_equality(flag, variables)
        return flag

    def busy(self, resource_id: str, indexes: Sequence[int]) -> list[Expr]:
        """0/1 at each of the times: the resource is busy then (an int when that is known)."""
        row = self._busy_rows.get(resource_id)
        if row is None:
            row = self._busy_rows[resource_id] = [None] * self.time_count
        terms_at = self.busy_terms.get(resource_id, {})
        values: list[Expr] = []
        for index in indexes:
            value = row[index]
            if value is None:
                terms = terms_at.get(index)
                if not terms:
                    value = 0
                elif any(term is self.kept for term in terms):
                    value = 1  # a kept sub-event: the constraints over this resource fold into constants
                elif len(terms) == 1:
                    value = terms[0]
                elif resource_id in self.clash_free:
                    value = self.model.new_bool_var(f"busy_{resource_id}_{index}")
                    self.model.add(value == sum(terms))
                else:
                    value = self.or_of(terms, f"busy_{resource_id}_{index}")
                row[index] = value
            values.append(value)
        return values

    def kept_start(self) -> cp_model.IntVar:
        """The start literal of every kept sub-event: one variable fixed to true (a neighbourhood's model
        keeps some 1,500 sub-events of KS-PR-11)."""
        if self.kept is None:
            self.kept = self.model.new_bool_var("kept")
            self.model.add(self.kept == 1)
        return self.kept

    def note_unencoded(self, constraint: Constraint, reason: str) -> None:
        self.unencoded.append(f"{constraint.id} ({constraint.kind}): {reason}")

    # -- building ------------------------------------------------------------------------------------------

    def _build(self) -> None:
        instance = self.instance
        by_kind: dict[type[Constraint], list[Constraint]] = defaultdict(list)
        for constraint in instance.constraints:
            by_kind[type(constraint)].append(constraint)
        self.by_kind = by_kind
        self._events()
        self._resources()
        self._capacities()
        handlers: dict[type[Constraint], Callable[[Any], None]] = {
            AssignTimeConstraint: self._assign_time,
            AssignResourceConstraint: self._assign_resource,
            SplitEventsConstraint: self._split,
            DistributeSplitEventsConstraint: self._split,
            PreferTimesConstraint: self._prefer_times,
            PreferResourcesConstraint: self._prefer_resources,
            AvoidSplitAssignmentsConstraint: self._avoid_split_assignments,
            SpreadEventsConstraint: self._spread_events,
            LinkEventsConstraint: self._link_events,
            AvoidClashesConstraint: self._avoid_clashes,
            AvoidUnavailableTimesConstraint: self._avoid_unavailable_times,
            LimitIdleTimesConstraint: self._limit_idle_times,
            ClusterBusyTimesConstraint: self._cluster_busy_times,
            LimitBusyTimesConstraint: self._limit_busy_times,
            LimitWorkloadConstraint: self._limit_workload,
        }
        # clashes first: they decide whether busy flags are plain sums
        ordered = sorted(instance.constraints, key=lambda c: not isinstance(c, AvoidClashesConstraint))
        for constraint in ordered:
            if self.hard_only and not self.strict(constraint):
                continue
            handler = handlers.get(type(constraint))
            if handler is None:
                self.note_unencoded(constraint, "type de contrainte non pris en charge par le modèle")
                continue
            handler(constraint)
        if self.objective:
            self.model.minimize(sum(self.objective))

    def _constraints_of_event(self) -> dict[str, list[Constraint]]:
        cached: dict[str, list[Constraint]] | None = self.__dict__.get("_per_event")
        if cached is not None:
            return cached
        per_event: dict[str, list[Constraint]] = defaultdict(list)
        for constraint in self.instance.constraints:
            if isinstance(
                constraint,
                SplitEventsConstraint
                | DistributeSplitEventsConstraint
                | PreferTimesConstraint
                | AssignTimeConstraint,
            ):
                for event_id in self.instance.events_of(constraint.applies_to):
                    per_event[event_id].append(constraint)
        self.__dict__["_per_event"] = per_event
        return per_event

    def _spread_of_event(self) -> dict[str, list[SpreadEventsConstraint]]:
        """SpreadEvents constraints whose event group holds a single event, per event."""
        found: dict[str, list[SpreadEventsConstraint]] = defaultdict(list)
        for constraint in self.by_kind.get(SpreadEventsConstraint, []):
            assert isinstance(constraint, SpreadEventsConstraint)
            for group_id in constraint.applies_to.event_group_ids:
                event_ids = self.instance.event_groups[group_id].event_ids
                if len(event_ids) == 1:
                    found[event_ids[0]].append(constraint)
        return found

    def _unavailable_of_event(self, event: Event) -> set[int]:
        """Times the event's fixed resources must not be busy at (hard AvoidUnavailableTimes)."""
        blocked: set[int] = set()
        fixed = {slot.resource_id for slot in event.resources if slot.resource_id is not None}
        for constraint in self.by_kind.get(AvoidUnavailableTimesConstraint, []):
            assert isinstance(constraint, AvoidUnavailableTimesConstraint)
            if not self.strict(constraint):
                continue
            if fixed & set(self._resources_of(constraint)):
                blocked.update(self.instance.time_index[t] for t in constraint.time_ids)
        return blocked

    def _resources_of(self, constraint: Constraint) -> tuple[str, ...]:
        cache = self.__dict__.setdefault("_resources_cache", {})
        if constraint.id not in cache:
            resources = self.instance.resources_of(constraint.applies_to)
            if self.focus is not None:
                resources = tuple(r for r in resources if r in self.focus.resources)
            cache[constraint.id] = resources
        result: tuple[str, ...] = cache[constraint.id]
        return result

    def _scoped_events(self) -> Iterator[Event]:
        if self.focus is None:
            yield from self.instance.events.values()
        else:
            yield from (e for e in self.instance.events.values() if e.id in self.focus.events)

    def _events_of(self, constraint: Constraint) -> list[str]:
        """The constraint's events in the model (all of them but with a ``focus``)."""
        return [e for e in self.instance.events_of(constraint.applies_to) if e in self.events]

    def _groups_of(
        self, constraint: Constraint, present: Mapping[str, object] | None = None
    ) -> Iterator[tuple[str, tuple[str, ...]]]:
        """The constraint's event groups whose events are all in the model (with a ``focus``, a group
        holding a freed event is in whole; any other group's cost is a constant)."""
        present = self.events if present is None else present
        for group_id in constraint.applies_to.event_group_ids:
            event_ids = tuple(self.instance.event_groups[group_id].event_ids)
            if all(e in present for e in event_ids):
                yield group_id, event_ids

    def _link_roots(self, splits: dict[str, tuple[tuple[int, ...], ...]]) -> dict[str, str]:
        """Union of events that a hard LinkEvents group ties and that share a split: one set of starts."""
        parent: dict[str, str] = {}

        def find(event_id: str) -> str:
            while parent.get(event_id, event_id) != event_id:
                event_id = parent[event_id]
            return event_id

        if self.relaxed:
            return {}
        for constraint in self.by_kind.get(LinkEventsConstraint, []):
            if not self.strict(constraint):
                continue
            for _, event_ids in self._groups_of(constraint, splits):
                events = [self.instance.events[e] for e in event_ids]
                if (
                    len({splits[e.id] for e in events}) != 1
                    or len({e.preassigned_time_id for e in events}) != 1
                ):
                    continue
                first = find(event_ids[0])
                for event_id in event_ids[1:]:
                    root = find(event_id)
                    if root != first:
                        parent[root] = first
        return {event_id: find(event_id) for event_id in self.instance.events}

    def _events(self) -> None:
        per_event = self._constraints_of_event()
        spread = self._spread_of_event()
        splits: dict[str, tuple[tuple[int, ...], ...]] = {}
        for event in self._scoped_events():
            if self.fixed is not None and event.id in self.fixed:
                splits[event.id] = (tuple(d for d, _ in self.fixed[event.id]),)
                continue
            split_constraints = [
                c
                for c in per_event[event.id]
                if isinstance(c, SplitEventsConstraint | DistributeSplitEventsConstraint)
            ]
            splits[event.id] = tuple(
                _candidate_splits(
                    event,
                    split_constraints,
                    spread.get(event.id, []),
                    strict=not self.relaxed,
                    hardened=self.hardened,
                )
            )
        roots = self._link_roots(splits)
        shared: dict[str, list[_Candidate]] = {}
        for event in self._scoped_events():
            constraints = per_event[event.id]
            assign = [c for c in constraints if isinstance(c, AssignTimeConstraint)]
            root = roots.get(event.id, event.id)
            if root in shared:
                candidates = shared[root]
            else:
                candidates = self._candidates(event, splits[event.id], constraints, assign, roots)
                shared[root] = candidates
            event_vars = _EventVars(event, candidates)
            subs = event_vars.subs
            for sub in subs:
                for start, literal in sub.starts.items():
                    for index in range(start, start + sub.duration):
                        event_vars.running[index].append(literal)
            if len(subs) > 1:
                for literals in event_vars.running.values():
                    if len(literals) > 1:
                        self.model.add_at_most_one(literals)
            self.events[event.id] = event_vars

    def _allowed_starts(self, event: Event, duration: int, constraints: Sequence[Constraint]) -> list[int]:
        same_day = [
            start
            for start in range(self.time_count - duration + 1)
            if len({self.day_of[i] for i in range(start, start + duration)}) == 1
        ]
        starts = same_day or list(range(self.time_count - duration + 1))
        for constraint in constraints:
            if (
                isinstance(constraint, PreferTimesConstraint)
                and self.strict(constraint)
                and constraint.duration in (None, duration)
            ):
                preferred = {self.instance.time_index[t] for t in constraint.time_ids}
                starts = [s for s in starts if s in preferred]
        blocked = self._unavailable_of_event(event)
        if blocked:
            starts = [s for s in starts if not blocked.intersection(range(s, s + duration))]
        return starts

    def _candidates(
        self,
        event: Event,
        splits: tuple[tuple[int, ...], ...],
        constraints: Sequence[Constraint],
        assign: Sequence[Constraint],
        roots: dict[str, str],
    ) -> list[_Candidate]:
        """Each split with its sub-events' start literals; linked events narrow the shared starts."""
        if event.preassigned_time_id is not None:
            start = self.instance.time_index[event.preassigned_time_id]
            sub = _Sub(event.duration)
            literal = self.model.new_bool_var(f"x_{event.id}_{start}")
            self.model.add(literal == 1)
            sub.starts[start] = literal
            return [_Candidate((event.duration,), 1, [sub])]
        if not assign:
            # no AssignTime: left without a time, as KHE does
            return [_Candidate(splits[0], 1, [_Sub(d) for d in splits[0]])]
        if self.fixed is not None and event.id in self.fixed:
            fixed_subs: list[_Sub] = []
            for position, (duration, fixed_start) in enumerate(self.fixed[event.id]):
                sub = _Sub(duration, optional=fixed_start is None)
                if fixed_start == _FREE_START:
                    # kept split, this sub-event placed anew among its allowed starts
                    for start in self._allowed_starts(event, duration, constraints):
                        if self.free_days is not None and self.day_of[start] not in self.free_days:
                            continue
                        sub.starts[start] = self.model.new_bool_var(f"x_{event.id}_f_{position}_{start}")
                    self.model.add_exactly_one(sub.starts.values())
                elif fixed_start is not None:
                    sub.starts[fixed_start] = self.kept_start()
                fixed_subs.append(sub)
            return [_Candidate(splits[0], 1, fixed_subs)]
        root = roots.get(event.id, event.id)
        partners = [self.instance.events[e] for e, r in roots.items() if r == root] or [event]
        per_event = self._constraints_of_event() if len(partners) > 1 else {event.id: list(constraints)}
        optional = not any(self.strict(c) for c in assign)
        allowed_by_duration: dict[int, list[int]] = {}
        for duration in {d for parts in splits for d in parts}:
            allowed: set[int] | None = None
            for partner in partners:
                own = set(self._allowed_starts(partner, duration, per_event.get(partner.id, [])))
                allowed = own if allowed is None else allowed & own
            allowed_by_duration[duration] = sorted(allowed or set())
        candidates: list[_Candidate] = []
        for number, parts in enumerate(splits):
            if not optional and any(not allowed_by_duration[d] for d in parts):
                continue
            selector: Expr = 1 if len(splits) == 1 else self.model.new_bool_var(f"split_{event.id}_{number}")
            subs: list[_Sub] = []
            for position, duration in enumerate(parts):
                sub = _Sub(duration, optional=optional)
                for start in allowed_by_duration[duration]:
                    sub.starts[start] = self.model.new_bool_var(f"x_{event.id}_{number}_{position}_{start}")
                placed = sum(sub.starts.values()) if sub.starts else 0
                if optional:
                    self.model.add(placed <= selector)
                else:
                    self.model.add(placed == selector)
                subs.append(sub)
            # sub-events of equal duration are interchangeable: keep them in time order
            for first, second in itertools.pairwise(subs):
                if first.duration == second.duration and not optional and first.starts and second.starts:
                    ordered = self.model.add(_start_expr(first) + first.duration <= _start_expr(second))
                    if not isinstance(selector, int):
                        ordered.only_enforce_if(selector)
            candidates.append(_Candidate(parts, selector, subs))
        if not candidates:
            self.impossible.append(
                f"l'événement {event.id} n'a aucun horaire possible "
                "(horaires préférés, indisponibilités de ses ressources)"
            )
            return [_Candidate(splits[0], 1, [_Sub(d) for d in splits[0]])]
        if len(candidates) == 1 and not isinstance(candidates[0].selector, int):
            self.model.add(candidates[0].selector == 1)
        elif len(candidates) > 1:
            self.model.add_exactly_one([c.selector for c in candidates])
        return candidates

    def _resources(self) -> None:
        instance = self.instance
        assigned_roles: dict[str, set[str]] = defaultdict(set)
        for constraint in self.by_kind.get(AssignResourceConstraint, []):
            assert isinstance(constraint, AssignResourceConstraint)
            for event_id in instance.events_of(constraint.applies_to):
                assigned_roles[event_id].add(constraint.role)
        preferred: dict[tuple[str, str], set[str]] = {}
        for constraint in self.by_kind.get(PreferResourcesConstraint, []):
            assert isinstance(constraint, PreferResourcesConstraint)
            if not self.strict(constraint):
                continue
            for event_id in instance.events_of(constraint.applies_to):
                key = (event_id, constraint.role)
                preferred[key] = preferred.get(key, set(constraint.resource_ids)) & constraint.resource_ids
        by_type: dict[str, list[str]] = defaultdict(list)
        for resource in instance.resources.values():
            by_type[resource.resource_type_id].append(resource.id)
        for event_vars in self.events.values():
            event = event_vars.event
            for index, slot in enumerate(event.resources):
                if slot.resource_id is not None:
                    for time_index, literals in event_vars.running.items():
                        self.busy_terms[slot.resource_id][time_index].extend(literals)
                    continue
                role = slot.role or ""
                if role not in assigned_roles[event.id]:
                    continue  # no AssignResource: left unassigned, which costs nothing
                candidates = by_type.get(slot.resource_type_id or "", [])
                allowed = preferred.get((event.id, role))
                if allowed is not None:
                    candidates = [r for r in candidates if r in allowed]
                if not candidates:
                    self.impossible.append(
                        f"l'événement {event.id} n'a aucune ressource possible pour le rôle {role}"
                    )
                    continue
                if (event.id, index) in self.aggregated:
                    for sub in event_vars.subs:
                        running: dict[int, list[cp_model.IntVar]] = defaultdict(list)
                        for start, literal in sub.starts.items():
                            for time_index in range(start, start + sub.duration):
                                running[time_index].append(literal)
                        self.demands.append((frozenset(candidates), running))
                    continue
                # one resource per sub-event: the rooms of a split lesson may differ (AU-TE-99)
                per_sub: list[tuple[_Sub, dict[str, cp_model.IntVar]]] = []
                for number, sub in enumerate(event_vars.subs):
                    choice: dict[str, cp_model.IntVar] = {}
                    at_start: dict[int, list[cp_model.IntVar]] = defaultdict(list)
                    for resource_id in candidates:
                        held = self.model.new_bool_var(f"y_{event.id}_{index}_{number}_{resource_id}")
                        choice[resource_id] = held
                        if len(sub.starts) == 1:
                            ((start, _),) = sub.starts.items()
                            at_start[start].append(held)
                            for time_index in range(start, start + sub.duration):
                                self.busy_terms[resource_id][time_index].append(held)
                            continue
                        held_at = []
                        for start in sub.starts:
                            literal = self.model.new_bool_var(
                                f"w_{event.id}_{index}_{number}_{resource_id}_{start}"
                            )
                            held_at.append(literal)
                            at_start[start].append(literal)
                            for time_index in range(start, start + sub.duration):
                                self.busy_terms[resource_id][time_index].append(literal)
                        self.model.add(held == sum(held_at))
                    for start, literals in at_start.items():
                        self.model.add(sum(literals) <= sub.starts[start])
                    if not sub.starts:
                        for held in choice.values():
                            self.model.add(held == 0)
                    per_sub.append((sub, choice))
                event_vars.slots[index] = per_sub

    def _capacities(self) -> None:
        """Aggregated slots: at each time, the sub-events needing a resource of a candidate set, plus the
        fixed uses of that set, fit in the set's available resources (Hall's condition per set: exact
        when the candidate sets are nested or disjoint, as in AU-TE-99 and ES-SS-08)."""
        if not self.demands:
            return
        clash_free: set[str] = set()
        unavailable: dict[str, set[int]] = defaultdict(set)
        for constraint in self.instance.constraints:
            if isinstance(constraint, AvoidClashesConstraint) and constraint.required:
                clash_free.update(self._resources_of(constraint))
            if isinstance(constraint, AvoidUnavailableTimesConstraint) and constraint.required:
                indexes = {self.instance.time_index[t] for t in constraint.time_ids}
                for resource_id in self._resources_of(constraint):
                    unavailable[resource_id].update(indexes)
        for members in sorted({members for members, _ in self.demands}, key=sorted):
            if not members <= clash_free:
                continue  # a resource that may hold several events at once: no limit
            inside = [running for candidates, running in self.demands if candidates <= members]
            for index in range(self.time_count):
                needed = [lit for running in inside for lit in running.get(index, [])]
                if not needed:
                    continue
                capacity = sum(1 for r in members if index not in unavailable[r])
                fixed_uses = [lit for r in members for lit in self.busy_terms.get(r, {}).get(index, [])]
                self.model.add(sum(needed) + sum(fixed_uses) <= capacity)

    # -- constraint handlers -------------------------------------------------------------------------------

    def _assign_time(self, constraint: AssignTimeConstraint) -> None:
        if self.strict(constraint):
            return  # exactly one start per sub-event, posted with the sub-events
        for event_id in self._events_of(constraint):
            event_vars = self.events[event_id]
            if event_vars.event.preassigned_time_id is not None:
                continue
            duration = event_vars.event.duration
            placed = sum(sub.duration * literal for sub in event_vars.subs for literal in sub.starts.values())
            self.charge(constraint, [(duration - placed, duration)])

    def _assign_resource(self, constraint: AssignResourceConstraint) -> None:
        for event_id in self._events_of(constraint):
            event_vars = self.events[event_id]
            duration = event_vars.event.duration
            for index, slot in enumerate(event_vars.event.resources):
                if slot.role != constraint.role or slot.resource_id is not None:
                    continue
                if self.strict(constraint):
                    for sub, choice in event_vars.slots.get(index, []):
                        placed = sum(sub.starts.values()) if sub.starts else 0
                        self.model.add(sum(choice.values()) == placed)
                    continue
                held = sum(sub.duration * literal for sub, _, literal in event_vars.chosen(index))
                self.charge(constraint, [(duration - held, duration)])

    def _split(self, constraint: Constraint) -> None:
        self.approximated.append(
            f"{constraint.id} ({constraint.kind}): découpage choisi par le modèle "
            f"parmi au plus {_MAX_CANDIDATES} découpages par événement"
        )
        weight = _HARD_SCALE if constraint.required else 1
        for event_id in self._events_of(constraint):
            candidates = self.events[event_id].candidates
            costs = [_split_cost(constraint, candidate.parts) for candidate in candidates]
            if self.strict(constraint):
                if min(costs) > 0:
                    self.impossible.append(
                        f"{constraint.id} : l'événement {event_id} ne peut pas être découpé"
                    )
                for candidate, cost in zip(candidates, costs, strict=True):
                    if cost and not isinstance(candidate.selector, int):
                        self.model.add(candidate.selector == 0)
                continue
            for candidate, cost in zip(candidates, costs, strict=True):
                if cost:
                    self.objective.append(cost * weight * candidate.selector)

    def _prefer_times(self, constraint: PreferTimesConstraint) -> None:
        if self.strict(constraint):
            return  # starts pruned with the sub-events
        preferred = {self.instance.time_index[t] for t in constraint.time_ids}
        for event_id in self._events_of(constraint):
            terms: list[_Term] = []
            for sub in self.events[event_id].subs:
                if constraint.duration not in (None, sub.duration):
                    continue
                bad = [literal for start, literal in sub.starts.items() if start not in preferred]
                if bad:
                    terms.append((sub.duration * sum(bad), sub.duration))
            self.charge(constraint, terms)

    def _prefer_resources(self, constraint: PreferResourcesConstraint) -> None:
        for event_id in self._events_of(constraint):
            event_vars = self.events[event_id]
            duration = event_vars.event.duration
            terms: list[_Term] = []
            for index, slot in enumerate(event_vars.event.resources):
                if slot.role != constraint.role:
                    continue
                if slot.resource_id is not None:
                    if slot.resource_id not in constraint.resource_ids:
                        terms.append((duration, duration))
                    continue
                bad = [
                    sub.duration * literal
                    for sub, resource_id, literal in event_vars.chosen(index)
                    if resource_id not in constraint.resource_ids
                ]
                if bad:
                    terms.append((sum(bad), duration))
            if self.strict(constraint):
                if any(isinstance(expr, int) for expr, _ in terms):
                    self.impossible.append(f"{constraint.id} : ressource fixée non préférée ({event_id})")
                continue  # open slots pruned in _resources
            self.charge(constraint, terms)

    def _avoid_split_assignments(self, constraint: AvoidSplitAssignmentsConstraint) -> None:
        for group_id, event_ids in self._groups_of(constraint):
            fixed: set[str] = set()
            chosen: dict[str, list[cp_model.IntVar]] = defaultdict(list)
            for event_id in event_ids:
                event_vars = self.events[event_id]
                for index, slot in enumerate(event_vars.event.resources):
                    if slot.role != constraint.role:
                        continue
                    if slot.resource_id is not None:
                        fixed.add(slot.resource_id)
                    for _, resource_id, literal in event_vars.chosen(index):
                        chosen[resource_id].append(literal)
            used: list[Expr] = [1 for _ in fixed]
            for resource_id, literals in chosen.items():
                if resource_id in fixed:
                    continue
                flag = self.model.new_bool_var(f"used_{group_id}_{resource_id}")
                for literal in literals:
                    self.model.add_implication(literal, flag)
                used.append(flag)
            if len(used) <= 1:
                continue
            count = sum(used)
            self.charge(constraint, [self.outside(count, len(used), 0, 1, hard=self.strict(constraint))])

    def _spread_events(self, constraint: SpreadEventsConstraint) -> None:
        groups_of_time: dict[int, list[int]] = defaultdict(list)  # time -> positions of its time groups
        for position, limited in enumerate(constraint.time_groups):
            for time_id in self.instance.time_groups[limited.time_group_id].time_ids:
                groups_of_time[self.instance.time_index[time_id]].append(position)
        hard = self.strict(constraint)
        for _, event_ids in self._groups_of(constraint):
            literals: list[list[Expr]] = [[] for _ in constraint.time_groups]
            for event_id in event_ids:
                for sub in self.events[event_id].subs:
                    for start, literal in sub.starts.items():
                        for position in groups_of_time.get(start, ()):
                            literals[position].append(literal)
            terms: list[_Term] = []
            for limited, among in zip(constraint.time_groups, literals, strict=True):
                count: Expr = sum(among) if among else 0
                terms.append(self.outside(count, len(among), limited.minimum, limited.maximum, hard=hard))
            self.charge(constraint, terms)

    def _link_events(self, constraint: LinkEventsConstraint) -> None:
        for group_id, event_ids in self._groups_of(constraint):
            if len(event_ids) < 2:
                continue
            shared = [self.events[e].candidates for e in event_ids]
            if all(c is shared[0] for c in shared):
                continue  # one set of starts for all: linked by construction
            first = self.events[event_ids[0]]
            terms: list[_Term] = []
            for index in range(self.time_count):
                base: Expr = sum(first.running.get(index, []))
                for event_id in event_ids[1:]:
                    other: Expr = sum(self.events[event_id].running.get(index, []))
                    if isinstance(base, int) and isinstance(other, int):
                        if base != other:
                            terms.append((1, 1))
                        continue
                    if self.strict(constraint):
                        self.model.add(base == other)
                        continue
                    apart = self.model.new_bool_var(f"unlinked_{group_id}_{index}_{event_id}")
                    self.model.add(apart >= base - other)
                    self.model.add(apart >= other - base)
                    terms.append((apart, 1))
            if terms and self.strict(constraint):
                self.impossible.append(f"{constraint.id} : durées incompatibles dans le groupe {group_id}")
            # several unlinked partners at one time count once in the evaluator: this over-counts
            self.charge(constraint, terms)

    def _avoid_clashes(self, constraint: AvoidClashesConstraint) -> None:
        hard = self.strict(constraint)
        for resource_id in self._resources_of(constraint):
            terms: list[_Term] = []
            for literals in self.busy_terms.get(resource_id, {}).values():
                if len(literals) < 2:
                    continue
                if hard:
                    self.model.add_at_most_one(literals)
                else:
                    terms.append(self.outside(sum(literals), len(literals), 0, 1, hard=False))
            if hard:
                self.clash_free.add(resource_id)
            self.charge(constraint, terms)

    def _avoid_unavailable_times(self, constraint: AvoidUnavailableTimesConstraint) -> None:
        indexes = sorted(self.instance.time_index[t] for t in constraint.time_ids)
        for resource_id in self._resources_of(constraint):
            if self.strict(constraint):
                for index in indexes:
                    for literal in self.busy_terms.get(resource_id, {}).get(index, []):
                        self.model.add(literal == 0)
            else:
                self.charge(constraint, [(busy, 1) for busy in self.busy(resource_id, indexes)])

    def _group_indexes(self, time_group_id: str) -> list[int]:
        return [self.instance.time_index[t] for t in self.instance.time_groups[time_group_id].time_ids]

    def _limit_idle_times(self, constraint: LimitIdleTimesConstraint) -> None:
        groups = [self._group_indexes(g) for g in constraint.time_group_ids]
        hard = self.strict(constraint)
        for resource_id in self._resources_of(constraint):
            idles: list[Expr] = []
            for indexes in groups:
                busy = self.busy(resource_id, indexes)
                if sum(1 for b in busy if not _constant(b, 0)) < 2:
                    continue
                if all(isinstance(b, int) for b in busy):  # kept sub-events only: count the idle times
                    times = [position for position, b in enumerate(busy) if b]
                    idles.extend([1] * (times[-1] - times[0] + 1 - len(times)))
                    continue
                before: list[Expr] = [0]
                for position in range(1, len(busy)):
                    before.append(self.or_of([before[-1], busy[position - 1]], "before"))
                after: list[Expr] = [0]
                for position in range(len(busy) - 2, -1, -1):
                    after.append(self.or_of([after[-1], busy[position + 1]], "after"))
                after.reverse()
                for position in range(1, len(busy) - 1):
                    if _constant(before[position], 0) or _constant(after[position], 0):
                        continue
                    if _constant(busy[position], 1):
                        continue
                    if all(isinstance(v, int) for v in (before[position], after[position], busy[position])):
                        idles.append(1)  # between kept sub-events
                        continue
                    if hard and constraint.maximum == 0:
                        self.model.add(busy[position] >= before[position] + after[position] - 1)
                        continue
                    idle = self.model.new_bool_var("idle")
                    self.model.add(idle >= before[position] + after[position] - busy[position] - 1)
                    self.model.add(idle <= before[position])
                    self.model.add(idle <= after[position])
                    self.model.add(idle <= 1 - busy[position])
                    idles.append(idle)
            if not idles:
                if hard and constraint.maximum == 0:
                    continue
                self.charge(
                    constraint, [self.outside(0, 0, constraint.minimum, constraint.maximum, hard=hard)]
                )
                continue
            total = sum(idles)
            self.charge(
                constraint,
                [self.outside(total, len(idles), constraint.minimum, constraint.maximum, hard=hard)],
            )

    def _cluster_busy_times(self, constraint: ClusterBusyTimesConstraint) -> None:
        groups = [self._group_indexes(g) for g in constraint.time_group_ids]
        hard = self.strict(constraint)
        for resource_id in self._resources_of(constraint):
            active = [
                self.or_of(self.busy(resource_id, indexes), f"active_{resource_id}") for indexes in groups
            ]
            count: Expr = sum(active)
            upper = sum(1 for a in active if not isinstance(a, int)) + sum(
                a for a in active if isinstance(a, int)
            )
            self.charge(
                constraint, [self.outside(count, upper, constraint.minimum, constraint.maximum, hard=hard)]
            )

    def _limit_busy_times(self, constraint: LimitBusyTimesConstraint) -> None:
        groups = [self._group_indexes(g) for g in constraint.time_group_ids]
        hard = self.strict(constraint)
        for resource_id in self._resources_of(constraint):
            terms: list[_Term] = []
            for indexes in groups:
                busy = self.busy(resource_id, indexes)
                variables = [b for b in busy if not isinstance(b, int)]
                kept = sum(b for b in busy if isinstance(b, int))  # times of kept sub-events
                if not variables and not kept:
                    continue
                count = kept + sum(variables)
                upper = kept + len(variables)
                if constraint.maximum < upper:
                    terms.append(self.outside(count, upper, 0, constraint.maximum, hard=hard))
                if constraint.minimum > 0:
                    # a free time group is not constrained: the minimum only binds when busy there
                    active = self.or_of(busy, f"active_{resource_id}")
                    if isinstance(count, int):  # kept sub-events only
                        short_by = max(constraint.minimum - count, 0)
                        terms.append((short_by, short_by))
                    elif hard:
                        self.model.add(count >= constraint.minimum * active)
                    else:
                        short = self.model.new_int_var(0, constraint.minimum, "short")
                        self.model.add(short >= constraint.minimum * active - count)
                        terms.append((short, constraint.minimum))
            self.charge(constraint, terms)

    def _limit_workload(self, constraint: LimitWorkloadConstraint) -> None:
        # a sub-event carries its share of the slot's workload: scale by a common multiple of durations
        scale = math.lcm(
            *{event_vars.event.duration for event_vars in self.events.values() if event_vars.slots}
        )
        fixed: dict[str, int] = defaultdict(int)
        chosen: dict[str, list[Expr]] = defaultdict(list)
        upper: dict[str, int] = defaultdict(int)
        for event_vars in self.events.values():
            event = event_vars.event
            for index, slot in enumerate(event.resources):
                if slot.resource_id is not None:
                    fixed[slot.resource_id] += slot.workload * scale
                for sub, resource_id, literal in event_vars.chosen(index):
                    share = slot.workload * sub.duration * scale // event.duration
                    chosen[resource_id].append(share * literal)
                    upper[resource_id] += share
        hard = self.strict(constraint)
        for resource_id in self._resources_of(constraint):
            workload: Expr = fixed[resource_id] + sum(chosen[resource_id])
            if isinstance(workload, int):
                value = Fraction(workload, scale)
                excess = max(constraint.minimum - value, value - constraint.maximum, Fraction(0))
                self.charge(constraint, [(math.ceil(excess), math.ceil(excess))])
                continue
            bound = fixed[resource_id] + upper[resource_id]
            low, high = constraint.minimum * scale, constraint.maximum * scale
            if hard:
                if low > 0:
                    self.model.add(workload >= low)
                if high < bound:
                    self.model.add(workload <= high)
                continue
            # deviation in whole units, rounded up as the evaluator does
            most = -(-max(low, bound - high, 0) // scale)
            units = self.model.new_int_var(0, most, "workload_dev")
            if low > 0:
                self.model.add(units * scale >= low - workload)
            if high < bound:
                self.model.add(units * scale >= workload - high)
            self.charge(constraint, [(units, most)])

    # -- reading a solution back ---------------------------------------------------------------------------

    def solution(self, value: Callable[[Any], int], description: str) -> Solution:
        events: list[SolutionEvent] = []
        time_ids = [t.id for t in self.instance.times]
        for event_vars in self.events.values():
            event = event_vars.event
            held: dict[int, list[SolutionResource]] = defaultdict(list)  # id(sub) -> resources
            for index in event_vars.slots:
                role = event.resources[index].role or ""
                for sub, resource_id, literal in event_vars.chosen(index):
                    if value(literal):
                        held[id(sub)].append(SolutionResource(role=role, resource_id=resource_id))
            chosen = next(
                (c for c in event_vars.candidates if isinstance(c.selector, int) or value(c.selector)),
                event_vars.candidates[0],
            )
            for sub in chosen.subs:
                start = next((s for s, literal in sub.starts.items() if value(literal)), None)
                events.append(
                    SolutionEvent(
                        event_id=event.id,
                        duration=sub.duration,
                        time_id=None if start is None else time_ids[start],
                        resources=tuple(held[id(sub)]),
                    )
                )
        return Solution(
            instance_id=self.instance.id,
            description=description,
            running_time=None,
            events=tuple(events),
            report=None,
        )

    def assignment(self, solution: Solution) -> dict[str, list[tuple[cp_model.IntVar, int]]]:
        """Per event, the values of its split selectors, start literals and resource choices in a
        previous solution (sub-events matched in order); linked events share their variables."""
        by_event = _by_event(solution)
        for placed_events in by_event.values():
            # the model's order: longest first, equal durations in time order
            placed_events.sort(key=lambda e: (-e.duration, self.instance.time_index.get(e.time_id or "", -1)))
        values: dict[str, list[tuple[cp_model.IntVar, int]]] = {}
        for event_id, event_vars in self.events.items():
            own: list[tuple[cp_model.IntVar, int]] = []
            placed_of: dict[int, SolutionEvent] = {}
            parts = tuple(e.duration for e in by_event[event_id])
            for candidate in event_vars.candidates:
                active = candidate.parts == parts
                if not isinstance(candidate.selector, int):
                    own.append((candidate.selector, int(active)))
                for position, sub in enumerate(candidate.subs):
                    placed = by_event[event_id][position] if active else None
                    if placed is not None:
                        placed_of[id(sub)] = placed
                    start = (
                        None
                        if placed is None or placed.time_id is None
                        else self.instance.time_index[placed.time_id]
                    )
                    own.extend((literal, int(s == start)) for s, literal in sub.starts.items())
            for index, per_sub in event_vars.slots.items():
                role = event_vars.event.resources[index].role or ""
                for sub, choice in per_sub:
                    placed_event = placed_of.get(id(sub))
                    wanted = None
                    if placed_event is not None:
                        wanted = next((r.resource_id for r in placed_event.resources if r.role == role), None)
                    own.extend(
                        (literal, int(resource_id == wanted)) for resource_id, literal in choice.items()
                    )
            values[event_id] = own
        return values

    def hint(self, solution: Solution, model: cp_model.CpModel | None = None) -> None:
        """Hint the starts and resources of a previous solution."""
        target = self.model if model is None else model
        hinted: set[int] = set()
        for own in self.assignment(solution).values():
            for literal, value in own:
                if literal.index not in hinted:
                    hinted.add(literal.index)
                    target.add_hint(literal, value)


def _choose_resources(
    instance: Instance, incumbent: _Incumbent, time_limit_s: float, seed: int, workers: int
) -> tuple[Solution, str]:
    """The resources of a timetable of the times model: the whole model with every start fixed."""
    resourced = _Builder(instance, relaxed=False, fixed=_fixed_starts(instance, incumbent.solution))
    resourced.hint(incumbent.solution)
    solver = _solver(max(time_limit_s, 1.0), seed, workers)
    phase_status = solver.solve(resourced.model)
    if phase_status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return resourced.solution(solver.value, "CP-SAT"), "feasible"
    return incumbent.solution, "infeasible"


def _start_expr(sub: _Sub) -> Expr:
    return sum(start * literal for start, literal in sub.starts.items())


# --- solving ----------------------------------------------------------------------------------------------


class _Watcher(cp_model.CpSolverSolutionCallback):
    """Reports each improving solution of one solve (the CP-SAT objective, not the evaluator's cost)."""

    def __init__(
        self,
        started_at: float,
        on_progress: Callable[[XhsttProgress], None],
        *,
        relaxed: bool,
        best: int | None,
    ) -> None:
        super().__init__()
        self.started_at = started_at
        self.on_progress = on_progress
        self.relaxed = relaxed
        self.best = best

    def on_solution_callback(self) -> None:
        objective = round(self.objective_value)
        if self.best is not None and objective >= self.best:
            return
        self.best = objective
        self.on_progress(XhsttProgress(round(time.monotonic() - self.started_at, 3), objective, self.relaxed))


def _solver(time_limit_s: float, seed: int, workers: int) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(time_limit_s, 0.01)
    solver.parameters.random_seed = seed
    solver.parameters.num_workers = workers
    return solver


def _objective_value(solver: cp_model.CpSolver, built: _Builder) -> int:
    return int(sum(solver.value(term) if not isinstance(term, int) else term for term in built.objective))


def _better(evaluation: Evaluation, than: Evaluation | None) -> bool:
    """Lexicographic (infeasibility, objective) comparison, ties accepted (plateau moves)."""
    if than is None:
        return True
    return (evaluation.infeasibility, evaluation.objective) <= (than.infeasibility, than.objective)


def _by_event(solution: Solution) -> dict[str, list[SolutionEvent]]:
    """The solution's sub-events of each event, in the solution's order."""
    events: dict[str, list[SolutionEvent]] = defaultdict(list)
    for solution_event in solution.events:
        events[solution_event.event_id].append(solution_event)
    return events


def _fixed_starts(instance: Instance, solution: Solution) -> dict[str, list[tuple[int, int | None]]]:
    fixed: dict[str, list[tuple[int, int | None]]] = defaultdict(list)
    for solution_event in solution.events:
        start = None if solution_event.time_id is None else instance.time_index[solution_event.time_id]
        fixed[solution_event.event_id].append((solution_event.duration, start))
    # the order of ``_Builder.assignment``, so that a fixed sub-event gets its own start back
    return {
        event_id: sorted(subs, key=lambda sub: (-sub[0], -1 if sub[1] is None else sub[1]))
        for event_id, subs in fixed.items()
    }


@dataclass
class _Incumbent:
    solution: Solution
    evaluation: Evaluation


class _Neighbourhoods:
    """Random neighbourhoods of a timetable: events related through their resources around a seed event
    (often one where the evaluator charges a cost), optionally restricted to two days."""

    def __init__(self, built: _Builder, rng: random.Random) -> None:
        self.built = built
        self.rng = rng
        instance = built.instance
        self.event_ids = list(built.events)
        # linked events share their variables: they are freed together
        by_shared: dict[int, list[str]] = defaultdict(list)
        for event_id, event_vars in built.events.items():
            by_shared[id(event_vars.candidates)].append(event_id)
        self.partners = {e: by_shared[id(v.candidates)] for e, v in built.events.items()}
        self.groups_of: dict[str, list[str]] = {
            group_id: list(group.event_ids) for group_id, group in instance.event_groups.items()
        }
        self.resource_users: dict[str, list[str]] = defaultdict(list)
        self.fixed_resources: dict[str, list[str]] = {}
        for event in instance.events.values():
            fixed = [slot.resource_id for slot in event.resources if slot.resource_id is not None]
            self.fixed_resources[event.id] = fixed
            for resource_id in fixed:
                self.resource_users[resource_id].append(event.id)
        # a neighbourhood's model may be focused on the resources of its events when they are all fixed
        # (no resource to choose, no room counted per time)
        self.focusable = not built.aggregated and not any(v.slots for v in built.events.values())
        # event -> the groups it shares with others under a constraint costed per group
        self.constrained_groups: dict[str, set[str]] = defaultdict(set)
        for constraint in instance.constraints:
            if not isinstance(constraint, _PER_GROUP):
                continue
            for group_id in constraint.applies_to.event_group_ids:
                for event_id in self.groups_of.get(group_id, []):
                    self.constrained_groups[event_id].add(group_id)

    def focus(self, free: set[str]) -> _Focus | None:
        """What a model freeing these events must hold (see ``_Focus``), when it can be focused.
        Measured on KS-PR-11: a neighbourhood of some days holds 200 of the 809 events, its model is
        built in 0.03 s instead of 0.08 s, and a 300 s search solves 1,337 neighbourhoods instead of
        1,251 (the solving, not the building, bounds it)."""
        if not self.focusable:
            return None
        resources = {r for event_id in free for r in self.fixed_resources[event_id]}
        events = set(free)
        for resource_id in resources:
            events.update(self.resource_users[resource_id])
        for event_id in free:
            for group_id in self.constrained_groups.get(event_id, ()):
                events.update(self.groups_of[group_id])
        return _Focus(frozenset(events), frozenset(resources))

    def hot_events(self, evaluation: Evaluation) -> list[str]:
        hot: list[str] = []
        for cost in evaluation.constraint_costs:
            for point in cost.points:
                if point.cost <= 0:
                    continue
                if point.point_kind == "Event":
                    hot.append(point.point_id)
                elif point.point_kind == "EventGroup":
                    hot.extend(self.groups_of.get(point.point_id, []))
                else:
                    hot.extend(self.resource_users.get(point.point_id, []))
        return [e for e in hot if e in self.built.events]

    def pick(self, size: int, evaluation: Evaluation, solution: Solution) -> set[str]:
        rng, instance = self.rng, self.built.instance
        days_of: dict[str, set[str | None]] = defaultdict(set)
        for solution_event in solution.events:
            if solution_event.time_id is not None:
                days_of[solution_event.event_id].add(
                    self.built.day_of[instance.time_index[solution_event.time_id]]
                )
        hot = self.hot_events(evaluation)
        seed_event = rng.choice(hot) if hot and rng.random() < 0.6 else rng.choice(self.event_ids)
        free: set[str] = set()
        frontier = [seed_event]
        day_filter: set[str | None] | None = None
        if rng.random() < 0.25:
            days = sorted({d for d in self.built.day_of if d is not None})
            if len(days) >= 2:
                day_filter = set(rng.sample(days, 2))
        visited: set[str] = set()
        while frontier and len(free) < size and len(visited) < len(self.event_ids):
            event_id = frontier.pop(rng.randrange(len(frontier)))
            if event_id in visited:
                if not frontier:
                    frontier.append(rng.choice(self.event_ids))
                continue
            visited.add(event_id)
            if day_filter is None or days_of.get(event_id, set()) & day_filter or event_id == seed_event:
                free.update(self.partners[event_id])
            resources = self.fixed_resources.get(event_id, [])
            if resources:
                users = self.resource_users[rng.choice(resources)]
                frontier.extend(rng.sample(users, k=min(len(users), 8)))
            if not frontier:
                frontier.append(rng.choice(self.event_ids))
        return free

    def pick_days(
        self, size: int, evaluation: Evaluation, solution: Solution
    ) -> tuple[set[tuple[str, int]], set[str | None]]:
        """Sub-events (event id, start) of one or two days around a resource, often one charged a cost
        (e.g. a teacher's idle time on some day): the resource's sub-events on those days, then those
        of the resources they meet, until ``size``; the rest of the timetable stays as it is."""
        rng, instance, day_of = self.rng, self.built.instance, self.built.day_of
        placed: dict[str, list[tuple[str, int, int]]] = defaultdict(list)  # resource -> (event, start, end)
        for solution_event in solution.events:
            if solution_event.time_id is None:
                continue
            start = instance.time_index[solution_event.time_id]
            occurrence = (solution_event.event_id, start, start + solution_event.duration)
            held = self.fixed_resources.get(solution_event.event_id, [])
            for resource_id in {*held, *(r.resource_id for r in solution_event.resources)}:
                placed[resource_id].append(occurrence)
        if not placed:
            return set(), set()
        hot = [
            (point.point_id, point.cost)
            for cost in evaluation.constraint_costs
            for point in cost.points
            if point.cost > 0 and point.point_kind not in ("Event", "EventGroup") and point.point_id in placed
        ]
        if hot and rng.random() < 0.8:
            resource_id = rng.choices([r for r, _ in hot], weights=[c for _, c in hot])[0]
        else:
            resource_id = rng.choice(list(placed))
        busy_days: dict[str | None, list[int]] = defaultdict(list)
        for _, start, end in placed[resource_id]:
            busy_days[day_of[start]].extend(range(start, end))
        gapped = [d for d, times in busy_days.items() if max(times) - min(times) + 1 > len(times)]
        days = {rng.choice(gapped or list(busy_days))}
        others = sorted((d for d in set(day_of) if d not in days), key=str)
        if others and rng.random() < 0.5:
            # half the time another day where the resource has a gap: a lesson may move between them
            also_gapped = [d for d in gapped if d not in days]
            days.add(rng.choice(also_gapped if also_gapped and rng.random() < 0.5 else others))
        freed: set[tuple[str, int]] = set()
        resources, queue = {resource_id}, [resource_id]
        while queue and len(freed) < size:
            current = queue.pop(0)
            met: list[str] = []
            for event_id, start, _ in placed[current]:
                if day_of[start] in days and (event_id, start) not in freed:
                    freed.add((event_id, start))
                    met.extend(self.fixed_resources.get(event_id, []))
            rng.shuffle(met)
            for other in met:
                if other not in resources:
                    resources.add(other)
                    queue.append(other)
        return freed, days


@dataclass
class _Move:
    """One neighbourhood: the events it frees (for a neighbourhood of some days, only their sub-events
    there), from the timetable it starts from."""

    base: _Incumbent
    free: set[str]
    freed: set[tuple[str, int]]
    days: set[str | None] | None  # a neighbourhood of some days: its sub-events are placed anew there
    seed: int
    focus: _Focus | None = None

    @property
    def by_days(self) -> bool:
        return self.days is not None


@dataclass
class _Outcome:
    status: Any
    wall: float
    candidate: Solution | None = None  # None: none found, or the starting timetable again
    # the candidate's objective in the sub-model minus the starting timetable's (None: unknown)
    excess: int | None = None


def _solve_move(built: _Builder, move: _Move, compact: bool, deadline: float, workers: int) -> _Outcome:
    """Re-solve one neighbourhood: every event outside it kept at its times and resources."""
    instance, solution = built.instance, move.base.solution
    sub, model = built, built.model
    focus = move.focus
    if compact or move.by_days:
        kept = {
            e: [(duration, _FREE_START if (e, start) in move.freed else start) for duration, start in starts]
            for e, starts in _fixed_starts(instance, solution).items()
            if (move.by_days or e not in move.free) and (focus is None or e in focus.events)
        }
        # the other events keep their times in a model with one start per kept sub-event (measured on
        # AU-TE-99: about as many gains per neighbourhood of some days as per general one)
        sub = _Builder(
            instance,
            relaxed=False,
            aggregate=built.aggregate,
            hardened=built.hardened,
            fixed=kept,
            free_days=move.days,
            focus=focus,
        )
        model = sub.model
    else:
        model = built.model.clone()
        model.clear_hints()
    hinted: dict[int, int] = {}
    fixed: dict[int, int] = {}
    for event_id, own in sub.assignment(solution).items():
        target = hinted if event_id in move.free else fixed
        for literal, value in own:
            target[literal.index] = value
    # the other events keep their times and resources: one conjunction, far quicker to write than
    # one domain per variable
    model.proto.constraints.add().bool_and.literals.extend(
        [index if value else -index - 1 for index, value in fixed.items() if index not in hinted]
    )
    # the starting timetable's objective in the model solved: the evaluator's cost for the whole model
    # (when it encodes every constraint), the completed hint's for a model of its own
    start_objective: int | None = move.base.evaluation.objective
    if sub is built:
        model.proto.solution_hint.vars.extend(list(hinted))
        model.proto.solution_hint.values.extend(list(hinted.values()))
    else:
        start_objective = _complete_hint(model, hinted, move.seed)
    # measured on KS-PR-11: a neighbourhood of some days improves within a few tenths of a second or
    # not at all (as many gains in 0.3 s as in 3 s), so short solves make more neighbourhoods
    wall, deterministic = (0.4, 0.3) if move.by_days else (1.5, 1.0) if compact else (3.0, 2.0)
    solver = _solver(min(deadline - time.monotonic(), wall), move.seed, workers)
    solver.parameters.max_deterministic_time = deterministic
    if compact:
        # a large model's neighbourhood, in a model of its own hinted with a complete timetable, is
        # searched as written: measured on KS-PR-11, 60 s of this search from a timetable of cost 101
        # ended at 10 to 15 without presolve and LP relaxation, 31 to 40 without the LP relaxation alone,
        # 48 and 51 without presolve alone, and 36 to 55 with both (fewer neighbourhoods gain, the
        # general ones three times fewer); on smaller models it did worse at 300 s (BR-SA-00: 8 against
        # 5, ES-SS-08: 490 against 435)
        solver.parameters.cp_model_presolve = False
        solver.parameters.linearization_level = 0
    status = solver.solve(model)
    outcome = _Outcome(status, solver.wall_time)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        if start_objective is not None:
            outcome.excess = _objective_value(solver, sub) - start_objective
        candidate = sub.solution(solver.value, "CP-SAT")
        freed_before = Counter(e for e in solution.events if e.event_id in move.free)
        if Counter(e for e in candidate.events if e.event_id in move.free) == freed_before:
            # the timetable it started from (KS-PR-11: 3 to 9 neighbourhoods in 10): nothing to judge
            return outcome
        # a focused model holds only some events: the others are those of the starting timetable
        outcome.candidate = candidate if focus is None else _merged(solution, candidate, move.free)
    return outcome


def _complete_hint(model: cp_model.CpModel, values: Mapping[int, int], seed: int) -> int | None:
    """Hint every variable of the model: the given decisions with the values of the auxiliary variables
    they imply (a quick solve under assumptions); returns the objective of that assignment (None if the
    solve failed). Measured on KS-PR-11: hinted with the decisions only, a one-worker search often did
    not get the timetable back within a second and ended worse."""
    model.proto.assumptions.extend([index if value else -index - 1 for index, value in values.items()])
    solver = _solver(1.0, seed, 1)
    status = solver.solve(model)
    model.clear_assumptions()
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        solution = solver.response_proto.solution
        model.proto.solution_hint.vars.extend(range(len(solution)))
        model.proto.solution_hint.values.extend(solution)
        return round(solver.objective_value)
    model.proto.solution_hint.vars.extend(list(values))
    model.proto.solution_hint.values.extend(list(values.values()))
    return None


def _rebase(move: _Move, candidate: Solution, best: _Incumbent) -> Solution | None:
    """The candidate's new placements of the freed events carried onto a newer best timetable (found
    meanwhile by another neighbourhood), or None when that one moved some of the same events."""
    base, current = _by_event(move.base.solution), _by_event(best.solution)
    if any(base[e] != current[e] for e in move.free):
        return None
    return _merged(best.solution, candidate, move.free)


def _merged(into: Solution, candidate: Solution, free: set[str]) -> Solution:
    """A timetable: the candidate's placements of the free events, the others' from ``into``."""
    current, moved = _by_event(into), _by_event(candidate)
    events = [
        placed
        for event_id in dict.fromkeys(e.event_id for e in into.events)
        for placed in (moved if event_id in free else current)[event_id]
    ]
    return Solution(
        instance_id=into.instance_id,
        description=candidate.description,
        running_time=None,
        events=tuple(events),
        report=None,
    )


def _neighbourhood_search(
    built: _Builder,
    best: _Incumbent,
    deadline: float,
    seed: int,
    workers: int,
    on_improved: Callable[[int], None],
) -> _Incumbent:
    """Large neighbourhood search: fix most events at their current times and resources, free a related
    subset, re-solve for a short while; the evaluator decides which timetable is kept.

    On large models with two workers or more, neighbourhoods are solved two at a time, one CP-SAT
    worker each, so that a sub-model is built (Python) while another is solved; a neighbourhood that
    finishes after the best timetable changed has its placements carried onto the new one when they
    concern other events, the evaluator deciding. Measured on KS-PR-11 from a timetable of cost 58 for
    90 s: about 330 neighbourhoods instead of 140; the cost reached varies more between seeds than
    between the two ways (18 and 25 against 14 and 28)."""
    instance = built.instance
    rng = random.Random(seed)  # noqa: S311  # search diversification, not security
    neighbourhoods = _Neighbourhoods(built, rng)
    # measured on AU-TE-99: neighbourhoods of a few dozen events are solved at once and rarely improve,
    # the productive ones hold half the events; the size adapts to how often sub-searches finish
    size = max(4, len(built.events) // 8)
    # a big model takes long to load whatever is freed (1.5 s on KS-PR-11): each neighbourhood gets a
    # model of its own, built with the other events fixed, where a copy of the whole model is quicker
    compact = len(built.model.proto.variables) > _COMPACT_NEIGHBOURHOODS_FROM
    lanes = 2 if compact and workers >= 2 else 1
    day_size = 30.0  # sub-events freed by a neighbourhood of some days (a float: it grows from 4 too)
    # when every constraint is encoded, a sub-model's objective is the evaluator's cost (less a constant
    # in a focused model): a candidate costing more than the timetable it started from needs no evaluation
    exact = not built.unencoded

    def next_move() -> _Move:
        by_days = rng.random() < (0.85 if compact else 0.3)
        freed: set[tuple[str, int]] = set()
        days: set[str | None] | None = None
        if by_days:
            # some days of a few resources anew, every other sub-event kept where it is
            freed, days = neighbourhoods.pick_days(int(day_size), best.evaluation, best.solution)
            freed |= {(p, start) for e, start in freed for p in neighbourhoods.partners[e]}
            free = {event_id for event_id, _ in freed}
        else:
            free = neighbourhoods.pick(size, best.evaluation, best.solution)
        focus = neighbourhoods.focus(free) if compact or by_days else None
        return _Move(best, free, freed, days, rng.randrange(1 << 16), focus)

    with ThreadPoolExecutor(max_workers=lanes) as pool:
        pending: dict[Future[_Outcome], _Move] = {}
        while True:
            while (
                len(pending) < lanes and time.monotonic() < deadline - 0.2 and best.evaluation.objective > 0
            ):
                move = next_move()
                pending[pool.submit(_solve_move, built, move, compact, deadline, workers // lanes)] = move
            if not pending:
                break
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                move = pending.pop(future)
                outcome = future.result()
                logger.debug(
                    "xhstt.lns days=%s free=%d size=%d status=%s wall=%.2f best=%s",
                    move.by_days,
                    len(move.free),
                    int(day_size) if move.by_days else size,
                    outcome.status.name,
                    outcome.wall,
                    (best.evaluation.infeasibility, best.evaluation.objective),
                )
                if move.by_days:
                    day_size = max(4.0, day_size * (1.15 if outcome.status == cp_model.OPTIMAL else 0.85))
                elif outcome.status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                    size = max(2, int(size * 0.8))
                elif outcome.status == cp_model.OPTIMAL:
                    size = min(len(built.events), int(size * 1.2) + 1)
                else:
                    size = max(2, int(size * 0.9))
                candidate = outcome.candidate
                if candidate is None or (exact and (outcome.excess or 0) > 0):
                    continue
                if move.base is not best:
                    candidate = _rebase(move, candidate, best)
                    if candidate is None:
                        continue
                evaluation = evaluate(instance, candidate)
                if _better(evaluation, best.evaluation):
                    improved = (evaluation.infeasibility, evaluation.objective) < (
                        best.evaluation.infeasibility,
                        best.evaluation.objective,
                    )
                    best = _Incumbent(candidate, evaluation)
                    if improved:
                        on_improved(evaluation.objective)
    return best


def _heavy_soft(instance: Instance) -> frozenset[str]:
    """Soft constraints of the heaviest weight when it dwarfs the lightest soft weight: in practice
    rules that good timetables never break, worth demanding outright in a first search."""
    weights = {c.weight for c in instance.constraints if not c.required and c.weight > 0}
    if not weights or max(weights) < _HEAVY_RATIO * min(weights):
        return frozenset()
    return frozenset(c.id for c in instance.constraints if not c.required and c.weight == max(weights))


def _first_timetable(
    model: cp_model.CpModel, budget: float, seed: int, workers: int, *, hardened: bool = False
) -> tuple[cp_model.CpSolver, Any]:
    """Any assignment of the model, its objective ignored, within budget seconds. For a hardened model
    (KS-PR-11) the single worker was the slowest (50 s against 25 to 40 s for the portfolio) and
    probing took 4 of the 10 to 20 s of presolve without speeding the search: both are left out; the
    feasibility jump local search alone on the model as written, without presolve, found one first in
    3.5 to 14 s (median 4 s over six seeds), where the portfolio took 17 to 45 s or found none in 90 s
    (in the portfolio, it is that search which found the timetable every time); it gets at most 15 s,
    since on ES-SS-08 it found none in 40 s where the portfolio takes 6 s."""
    feasibility = model.clone()
    feasibility.clear_objective()
    # Searches in turn, because none finds a first timetable everywhere (measured on a loaded
    # two-core machine): for a hardened model the local search alone (above), one worker without the
    # LP relaxation (AU-TE-99's times model: 3 s, where the others found none in 30 s), the portfolio
    # without the LP relaxation (KS-PR-11: 10 s, where one worker found none in 40 s), then the default
    # portfolio; a local search never proves a model infeasible, the others do.
    phase_deadline = time.monotonic() + budget
    first_slice = min(budget * 0.5, 15.0) if hardened else min(max(5.0, budget * 0.2), 20.0)
    solver = _solver(0.01, seed, workers)
    phase_status: Any = cp_model.UNKNOWN
    for slice_s, slice_workers, lp, local_only in (
        (first_slice, workers if hardened else 1, False, hardened),
        ((budget - first_slice) * 0.6, max(workers, 2), False, False),
        (budget, workers, True, False),
    ):
        slice_s = min(slice_s, phase_deadline - time.monotonic())
        if slice_s <= 0.05:
            continue
        solver = _solver(slice_s, seed, slice_workers)
        solver.parameters.stop_after_first_solution = True
        if not lp:
            solver.parameters.linearization_level = 0
        if hardened:
            solver.parameters.cp_model_probing_level = 0
        if local_only:
            solver.parameters.use_ls_only = True
            solver.parameters.cp_model_presolve = False
        phase_status = solver.solve(feasibility)
        if phase_status != cp_model.UNKNOWN:
            break
    return solver, phase_status


def solve(
    instance: Instance,
    *,
    time_limit_s: float,
    seed: int = 0,
    workers: int = 1,
    on_progress: Callable[[XhsttProgress], None] | None = None,
) -> XhsttSolveResult:
    """Best timetable found within ``time_limit_s`` (model building included), scored by the evaluator.

    Deterministic for a given seed with ``workers=1`` when the search ends before the time limit.

    Phases: (1) any timetable meeting the hard constraints (and first, when they dwarf the others, the
    heaviest soft ones), on the times model when some open slots only matter for capacity (rooms),
    else on the whole model; (2) the whole model, hinted with it, for a slice of the time; (3) a large
    neighbourhood search; (4) with a times model, the resources of the best timetable, its times fixed.
    """
    started_at = time.monotonic()
    deadline = started_at + time_limit_s
    built = _Builder(instance, relaxed=False, aggregate=True)
    staged = bool(built.aggregated)
    unencoded, approximated = tuple(built.unencoded), tuple(sorted(set(built.approximated)))
    for line in unencoded:
        logger.warning("xhstt.unencoded %s", line)
    history: list[XhsttProgress] = []
    # time kept for choosing the resources of the best timetable of the times model
    reserve = max(3.0, time_limit_s * 0.04) if staged else 0.0
    proven = not staged  # an optimum of the model searched is an optimum of the instance
    hardened = False  # the model searched demands the heaviest soft constraints

    def remaining() -> float:
        return deadline - time.monotonic()

    def emit(progress: XhsttProgress) -> None:
        history.append(progress)
        if on_progress is not None:
            on_progress(progress)

    def improved(objective: int) -> None:
        emit(XhsttProgress(round(time.monotonic() - started_at, 3), objective, False))

    solution: Solution | None = None
    incumbent: _Incumbent | None = None
    status = "unknown"
    explanation: str | None = None
    if built.impossible:
        explanation = "Contraintes obligatoires impossibles à respecter : " + " ; ".join(
            built.impossible[:10]
        )
    else:
        # Phase 1: any timetable meeting the hard constraints, without the objective; first with the
        # heaviest soft constraints hardened (when they dwarf the others), which the search then keeps.
        heavy = _heavy_soft(instance)
        phase_status = cp_model.UNKNOWN
        first: Solution | None = None
        if heavy:
            # a model of the hard constraints alone, since this search ignores the objective (KS-PR-11:
            # 99 k variables instead of 116 k, built in 3 s instead of 4 s); the whole model follows
            strong = _Builder(instance, relaxed=False, aggregate=True, hardened=heavy, hard_only=True)
            if not strong.impossible:
                budget = min(remaining() - reserve, time_limit_s * _HARDENED_SHARE)
                solver, phase_status = _first_timetable(strong.model, budget, seed, workers, hardened=True)
                if phase_status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                    first = strong.solution(solver.value, "CP-SAT")
                    built = _Builder(instance, relaxed=False, aggregate=True, hardened=heavy)
                    hardened, proven = True, False
        if first is None:
            budget = min(remaining() - reserve, time_limit_s * _FEASIBILITY_SHARE)
            solver, phase_status = _first_timetable(built.model, budget, seed, workers)
            if phase_status == cp_model.MODEL_INVALID:
                raise RuntimeError(f"invalid CP-SAT model: {built.model.validate()}")
            if phase_status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                first = built.solution(solver.value, "CP-SAT")
        if first is not None:
            incumbent = _Incumbent(first, evaluate(instance, first))
            status = "feasible"
            # the model's cost of the first timetable; after a hardened search, the evaluator's
            first_cost = incumbent.evaluation.objective if hardened else _objective_value(solver, built)
            improved(first_cost)
            # Phase 2: the whole model from there, the first timetable as a complete hint; on large
            # instances it stalls, so it only gets a slice before the neighbourhood search, and none
            # after a hardened first search (KS-PR-11, IT-I4-96: the neighbourhood search gains more).
            large = len(built.events) > _LARGE_EVENT_COUNT
            if first_cost > 0 and large and hardened:
                incumbent = _neighbourhood_search(
                    built, incumbent, deadline - reserve, seed, workers, improved
                )
            elif first_cost > 0 and remaining() - reserve > 0.05:
                built.hint(first)
                share = _WHOLE_MODEL_SHARE_LARGE if large else _WHOLE_MODEL_SHARE
                slice_s = min(remaining() - reserve, max(2.0, time_limit_s * share))
                solver = _solver(slice_s, seed, workers)
                watcher = _Watcher(started_at, emit, relaxed=False, best=first_cost)
                phase_status = solver.solve(built.model, watcher)
                if phase_status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                    candidate = built.solution(solver.value, "CP-SAT")
                    scored = evaluate(instance, candidate)
                    if _better(scored, incumbent.evaluation):
                        incumbent = _Incumbent(candidate, scored)
                    if phase_status == cp_model.OPTIMAL and proven:
                        status = "optimal"
                if phase_status != cp_model.OPTIMAL and remaining() - reserve > 0.5:
                    # Phase 3: large neighbourhood search.
                    incumbent = _neighbourhood_search(
                        built, incumbent, deadline - reserve, seed, workers, improved
                    )
            elif first_cost == 0 and not staged:
                status = "optimal"
            solution = incumbent.solution
            if staged:
                # Phase 4: the resources of the best timetable, its times fixed.
                solution, status = _choose_resources(instance, incumbent, remaining(), seed, workers)
        elif phase_status == cp_model.INFEASIBLE:
            explanation = (
                "CP-SAT prouve que les contraintes obligatoires ne peuvent pas toutes être respectées"
            )
        else:
            explanation = (
                "aucun emploi du temps respectant les contraintes obligatoires trouvé dans le temps imparti"
            )

    if solution is None and remaining() > 0.05:
        # The hard constraints become heavily weighted costs: the least infeasible timetable.
        relaxed = _Builder(instance, relaxed=True)
        solver = _solver(remaining(), seed, workers)
        watcher = _Watcher(started_at, emit, relaxed=True, best=None)
        phase_status = solver.solve(relaxed.model, watcher)
        if phase_status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            solution = relaxed.solution(solver.value, "CP-SAT (relâché)")
            status = "infeasible"

    evaluation = evaluate(instance, solution) if solution is not None else None
    if evaluation is not None and evaluation.infeasibility > 0:
        status = "infeasible"
        violated = [
            f"{cost.constraint_id} ({cost.kind}) : {cost.cost}"
            for cost in evaluation.constraint_costs
            if cost.required and cost.cost > 0
        ]
        detail = "contraintes obligatoires violées : " + ", ".join(violated)
        explanation = f"{explanation} ; {detail}" if explanation else detail
    seconds = round(time.monotonic() - started_at, 3)
    logger.info(
        "xhstt.solved",
        extra={
            "instance": instance.id,
            "status": status,
            "seconds": seconds,
            "infeasibility": evaluation.infeasibility if evaluation else None,
            "objective": evaluation.objective if evaluation else None,
        },
    )
    return XhsttSolveResult(
        instance_id=instance.id,
        status=status,
        solution=solution,
        evaluation=evaluation,
        history=tuple(history),
        seconds=seconds,
        unencoded=unencoded,
        approximated=approximated,
        explanation=explanation,
    )
