"""Timetable writes: calendar seed, generation runs, checked lesson moves, daily changes, feed tokens."""

from __future__ import annotations

import logging
import secrets
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from mbn.audit import audit_record
from mbn.tenancy import enqueue_on_commit
from tenants.directory.models import Person, Role
from tenants.timetable import errors, selectors
from tenants.timetable.models import (
    ACTIVE_RUN_STATUSES,
    Course,
    Day,
    FeedToken,
    GenerationRun,
    Holiday,
    HolidayKind,
    Lesson,
    LessonChange,
    PatternKind,
    Period,
    Room,
    RunStatus,
    SchoolYear,
    TimeSlot,
    Unavailability,
    WeekPattern,
    Zone,
)
from tenants.timetable.solver import cpsat
from tenants.timetable.solver import problem as solver
from tenants.timetable.tasks import generation_run_task, lesson_change_notify_task

logger = logging.getLogger(__name__)

# How often a running generation writes its progress and reads the stop request.
PROGRESS_INTERVAL_S = 0.5
# A run still "running" this long after its time limit lost its worker (crash, deployment): it is
# closed so that the school can start another. Queued runs wait behind other schools' runs on the
# timetable queue, so they get a day.
RUN_OVERDUE_GRACE = timedelta(minutes=10)
RUN_QUEUED_MAX_AGE = timedelta(days=1)
INTERRUPTED_MESSAGE = (
    "La génération a été interrompue (arrêt du serveur de calcul) : aucun changement n'a été "
    "enregistré ; relancez-la."
)

# ---- calendar seed -------------------------------------------------------------------------------

# Zone B, 2026-2027 (handbook interop-timetable §7; check against the ministry's calendar each year).
# Alsace-Moselle's extra days (Vendredi saint) depend on the département: added by the school.
_YEAR_2026 = ("2026-2027", date(2026, 9, 1), date(2027, 7, 2))
_HOLIDAYS_2026 = (
    ("Vacances de la Toussaint", HolidayKind.VACATION, date(2026, 10, 17), date(2026, 11, 1)),
    ("Armistice", HolidayKind.PUBLIC, date(2026, 11, 11), date(2026, 11, 11)),
    ("Vacances de Noël", HolidayKind.VACATION, date(2026, 12, 19), date(2027, 1, 3)),
    ("Vacances d'hiver", HolidayKind.VACATION, date(2027, 2, 20), date(2027, 3, 7)),
    ("Lundi de Pâques", HolidayKind.PUBLIC, date(2027, 3, 29), date(2027, 3, 29)),
    ("Vacances de printemps", HolidayKind.VACATION, date(2027, 4, 17), date(2027, 5, 2)),
    ("Pont de l'Ascension", HolidayKind.VACATION, date(2027, 5, 6), date(2027, 5, 8)),
    ("Lundi de Pentecôte", HolidayKind.PUBLIC, date(2027, 5, 17), date(2027, 5, 17)),
)
_PERIODS_2026 = (
    ("Trimestre 1", date(2026, 9, 1), date(2026, 11, 30)),
    ("Trimestre 2", date(2026, 12, 1), date(2027, 3, 12)),
    ("Trimestre 3", date(2027, 3, 13), date(2027, 7, 2)),
)
# A collège's usual day; Wednesday has mornings only. Editable by the school.
_DEFAULT_SLOTS = (
    (time(8, 0), time(9, 0), False),
    (time(9, 0), time(10, 0), False),
    (time(10, 15), time(11, 15), False),
    (time(11, 15), time(12, 15), False),
    (time(12, 15), time(13, 30), True),
    (time(13, 30), time(14, 30), False),
    (time(14, 30), time(15, 30), False),
    (time(15, 45), time(16, 45), False),
)


@transaction.atomic
def school_calendar_seed(*, school_name: str) -> SchoolYear:
    """A new school's 2026-2027 year (zone B holidays, terms), default grid and A/B weeks (idempotent)."""
    label, starts_on, ends_on = _YEAR_2026
    year, created = SchoolYear.objects.get_or_create(
        label=label, defaults={"starts_on": starts_on, "ends_on": ends_on, "zone": Zone.B}
    )
    if not created:
        return year
    for holiday_label, kind, first, last in _HOLIDAYS_2026:
        Holiday.objects.create(
            school_year=year, label=holiday_label, kind=kind, starts_on=first, ends_on=last
        )
    for period_label, first, last in _PERIODS_2026:
        Period.objects.create(school_year=year, label=period_label, starts_on=first, ends_on=last)
    if not TimeSlot.objects.exists():
        TimeSlot.objects.bulk_create(
            TimeSlot(day=day, index=index, starts_at=start, ends_at=end, is_lunch=is_lunch)
            for day in (Day.MONDAY, Day.TUESDAY, Day.WEDNESDAY, Day.THURSDAY, Day.FRIDAY)
            for index, (start, end, is_lunch) in enumerate(_DEFAULT_SLOTS)
            if day != Day.WEDNESDAY or end <= time(12, 15)
        )
    week_a, week_b = school_weeks_alternate(year=year)
    WeekPattern.objects.get_or_create(
        code="TOUTES", defaults={"label": "Toutes les semaines", "kind": PatternKind.EVERY}
    )
    WeekPattern.objects.get_or_create(
        code="A", defaults={"label": "Semaine A", "kind": PatternKind.WEEK_A, "iso_weeks": week_a}
    )
    WeekPattern.objects.get_or_create(
        code="B", defaults={"label": "Semaine B", "kind": PatternKind.WEEK_B, "iso_weeks": week_b}
    )
    return year


def school_weeks_alternate(*, year: SchoolYear) -> tuple[list[int], list[int]]:
    """ISO weeks with school days, alternately A and B from the first one (holiday weeks skipped)."""
    holidays = list(year.holidays.all())
    monday = year.starts_on - timedelta(days=year.starts_on.weekday())
    weeks: list[int] = []
    while monday <= year.ends_on:
        school_days = [
            monday + timedelta(days=offset)
            for offset in range(5)
            if year.starts_on <= monday + timedelta(days=offset) <= year.ends_on
        ]
        if any(not _in_holidays(day, holidays) for day in school_days):
            weeks.append(monday.isocalendar().week)
        monday += timedelta(days=7)
    return weeks[0::2], weeks[1::2]


def _in_holidays(day: date, holidays: Iterable[Holiday]) -> bool:
    return any(holiday.starts_on <= day <= holiday.ends_on for holiday in holidays)


# ---- generation ----------------------------------------------------------------------------------


@transaction.atomic
def generation_start(
    *, requested_by: Person, time_limit_s: int = 60, seed: int = 0, workers: int = 8
) -> GenerationRun:
    """Queue a CP-SAT generation; one at a time. Pinned lessons keep their place, the rest is replaced."""
    if not TimeSlot.objects.exists() or not Course.objects.filter(sessions_per_week__gt=0).exists():
        raise errors.NothingToGenerate()
    generation_runs_close_interrupted()
    if GenerationRun.objects.filter(status__in=ACTIVE_RUN_STATUSES).exists():
        raise errors.GenerationAlreadyRunning()
    run = GenerationRun(requested_by=requested_by, time_limit_s=time_limit_s, seed=seed, workers=workers)
    run.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            run.save()
    except IntegrityError as exc:  # another start won the race
        raise errors.GenerationAlreadyRunning() from exc
    audit_record(
        actor=requested_by,
        action="timetable.generation_started",
        target=run,
        data={"time_limit_s": time_limit_s},
    )
    enqueue_on_commit(generation_run_task, run_id=run.pk)
    return run


@transaction.atomic
def generation_stop(*, requested_by: Person, run: GenerationRun) -> GenerationRun:
    """Ask a running generation to stop; it keeps the best timetable found so far."""
    run = GenerationRun.objects.select_for_update().get(pk=run.pk)
    if not run.is_active:
        raise errors.GenerationNotRunning()
    run.requested_stop = True
    run.save(update_fields=["requested_stop"])
    if run.status == RunStatus.QUEUED:  # not started: nothing to keep, and the task will leave it alone
        _run_finish(run, status=RunStatus.STOPPED)
    audit_record(actor=requested_by, action="timetable.generation_stop_requested", target=run)
    return run


def generation_run_is_overdue(run: GenerationRun, *, now: datetime | None = None) -> bool:
    """True for an active run whose worker died: running well past its time limit, or queued for a day."""
    now = now or timezone.now()
    if run.status == RunStatus.RUNNING:
        deadline = (run.started_at or run.created_at) + timedelta(seconds=run.time_limit_s)
        return now > deadline + RUN_OVERDUE_GRACE
    return run.status == RunStatus.QUEUED and now > run.created_at + RUN_QUEUED_MAX_AGE


@transaction.atomic
def generation_runs_close_interrupted(*, now: datetime | None = None) -> list[GenerationRun]:
    """Close the runs whose worker died (``generation_run_is_overdue``).

    Such a run wrote nothing (the timetable is written in one transaction at the end), so closing it
    as failed loses nothing. Called before starting a run and when an overdue run is looked at.
    """
    closed: list[GenerationRun] = []
    for run in GenerationRun.objects.select_for_update().filter(status__in=ACTIVE_RUN_STATUSES):
        if generation_run_is_overdue(run, now=now):
            run.error = INTERRUPTED_MESSAGE
            _run_finish(run, status=RunStatus.FAILED)
            audit_record(actor=None, action="timetable.generation_interrupted", target=run)
            logger.warning("timetable.generation_interrupted", extra={"run_id": run.pk})
            closed.append(run)
    return closed


def generation_run(*, run_id: int) -> GenerationRun:
    """Body of the generation task: solve, report progress, then write the best timetable in one go.

    Idempotent: a run that is no longer queued is left as it is.
    """
    with transaction.atomic():
        run = GenerationRun.objects.select_for_update().get(pk=run_id)
        if run.status != RunStatus.QUEUED:
            return run
        if run.requested_stop:
            return _run_finish(run, status=RunStatus.STOPPED)
        run.status = RunStatus.RUNNING
        run.started_at = timezone.now()
        run.save(update_fields=["status", "started_at"])
    given = selectors.generation_input()
    try:
        result = _solve_watched(run, given)
    except Exception:
        logger.exception("timetable.generation_failed", extra={"run_id": run_id})
        with transaction.atomic():
            run = GenerationRun.objects.select_for_update().get(pk=run_id)
            run.error = "La génération a échoué à cause d'une erreur interne ; réessayez."
            _run_finish(run, status=RunStatus.FAILED)
        raise
    with transaction.atomic():
        run = GenerationRun.objects.select_for_update().get(pk=run_id)
        if run.status != RunStatus.RUNNING:  # closed as interrupted meanwhile: another run may be on
            logger.warning("timetable.generation_result_dropped", extra={"run_id": run_id})
            return run
        if result.solution is not None:
            placed = _lessons_replace(given, result.solution)
            run.lessons_placed = placed
            run.best_cost = result.objective
            status = RunStatus.STOPPED if result.status == solver.SolveStatus.STOPPED else RunStatus.DONE
        elif result.status == solver.SolveStatus.INFEASIBLE and result.explanation is not None:
            run.explanation = {
                "is_complete": result.explanation.is_complete,
                "conflicts": [
                    {"code": c.code, "label": c.label, "detail": c.detail}
                    for c in result.explanation.conflicts
                ],
            }
            status = RunStatus.INFEASIBLE
        elif result.status == solver.SolveStatus.STOPPED:
            status = RunStatus.STOPPED
        else:
            run.error = "Aucun emploi du temps trouvé dans le temps imparti : augmentez la durée."
            status = RunStatus.FAILED
        _run_finish(run, status=status)
        audit_record(
            actor=None,
            action="timetable.generated",
            target=run,
            data={"status": status, "cost": run.best_cost, "lessons": run.lessons_placed},
        )
    logger.info("timetable.generation_finished", extra={"run_id": run_id, "status": status})
    return run


def _run_finish(run: GenerationRun, *, status: str) -> GenerationRun:
    run.status = status
    run.finished_at = timezone.now()
    run.save()
    return run


def _solve_watched(run: GenerationRun, given: selectors.GenerationInput) -> solver.SolveResult:
    """Run CP-SAT in a side thread; this thread alone talks to the database.

    The solver calls back from its own threads, which have no school schema and no transaction of
    ours: the callbacks only fill a list or read an event, and this thread writes the progress and
    reads the stop request every PROGRESS_INTERVAL_S, each in a short transaction.
    """
    improvements: list[solver.Progress] = []
    lock = threading.Lock()
    stop = threading.Event()
    done = threading.Event()
    outcome: dict[str, Any] = {}

    def on_progress(progress: solver.Progress) -> None:
        with lock:
            improvements.append(progress)

    def work() -> None:
        try:
            outcome["result"] = cpsat.solve(
                given.problem,
                time_limit_s=run.time_limit_s,
                seed=run.seed,
                workers=run.workers,
                hint=given.hint,
                pinned=given.pinned,
                on_progress=on_progress,
                should_stop=stop.is_set,
            )
        except BaseException as exc:  # re-raised in the calling thread below
            outcome["error"] = exc
        finally:
            done.set()

    worker = threading.Thread(target=work, name=f"cpsat-run-{run.pk}", daemon=True)
    worker.start()
    written = 0
    while True:
        finished = done.wait(PROGRESS_INTERVAL_S)
        with lock:
            fresh = improvements[written:]
            written = len(improvements)
        if not finished and _progress_write(run.pk, fresh):
            stop.set()
        elif finished and fresh:
            _progress_write(run.pk, fresh)
        if finished:
            break
    worker.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["result"]


def _progress_write(run_id: int, fresh: list[solver.Progress]) -> bool:
    """Append improvements to the run's history; True when a stop was requested."""
    with transaction.atomic():
        run = GenerationRun.objects.select_for_update().get(pk=run_id)
        if fresh:
            run.progress = [*run.progress, *([p.seconds, p.objective] for p in fresh)]
            run.best_cost = fresh[-1].objective
            run.save(update_fields=["progress", "best_cost"])
        return run.requested_stop or run.status != RunStatus.RUNNING


def _lessons_replace(given: selectors.GenerationInput, solution: solver.Solution) -> int:
    """Write the solution: existing rows move (their dated changes stay), missing ones are created."""
    days, slots, _ = selectors.grid_frame()
    pinned_keys = {p.key for p in given.pinned}
    existing = {(lesson.course_id, lesson.session): lesson for lesson in Lesson.objects.all()}
    patterns = dict(Course.objects.values_list("id", "week_pattern_id"))
    kept: set[int] = set()
    to_update: list[Lesson] = []
    to_create: list[Lesson] = []
    for placed in solution.lessons:
        course_id = int(placed.course_id.removeprefix("k"))
        room_id = int(placed.room_id.removeprefix("r")) if placed.room_id else None
        lesson = existing.get((course_id, placed.session))
        if lesson is not None:
            kept.add(lesson.pk)
            if placed.key in pinned_keys:
                if lesson.room_id is None and room_id is not None:
                    lesson.room_id = room_id
                    to_update.append(lesson)
                continue
            lesson.day, lesson.slot = days[placed.day][0], slots[placed.slot].index
            lesson.room_id, lesson.week_pattern_id = room_id, patterns[course_id]
            to_update.append(lesson)
        else:
            to_create.append(
                Lesson(
                    course_id=course_id,
                    session=placed.session,
                    day=days[placed.day][0],
                    slot=slots[placed.slot].index,
                    room_id=room_id,
                    week_pattern_id=patterns[course_id],
                )
            )
    Lesson.objects.exclude(pk__in=kept).filter(is_pinned=False).delete()
    Lesson.objects.bulk_update(to_update, ["day", "slot", "room", "week_pattern", "updated_at"])
    Lesson.objects.bulk_create(to_create)
    _room_constraint_check()
    return len(solution.lessons)


def _room_constraint_check() -> None:
    """Check the deferred room constraint now, so that a clash fails here and not at COMMIT."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS lesson_room_free IMMEDIATE")
        cursor.execute("SET CONSTRAINTS lesson_room_free DEFERRED")


# ---- manual edits with conflict checks -----------------------------------------------------------


@dataclass(frozen=True)
class _Placement:
    lesson: Lesson
    day: int
    slot: int
    room_id: int | None

    @property
    def slots(self) -> range:
        return range(self.slot, self.slot + self.lesson.course.duration)


def _with_course(lessons: Iterable[Lesson]) -> list[Lesson]:
    return list(
        Lesson.objects.filter(pk__in=[lesson.pk for lesson in lessons])
        .select_related("course__subject", "week_pattern", "room")
        .prefetch_related("course__teachers", "course__classes", "course__groups__classes")
    )


def _audience(course: Course) -> tuple[set[int], dict[int, frozenset[int]]]:
    classes = {c.pk for c in course.classes.all()}
    groups = {g.pk: frozenset(c.pk for c in g.classes.all()) for g in course.groups.all()}
    return classes, groups


def _shared_audience(first: Course, second: Course) -> str | None:
    """A class or group both courses teach at once, by the solver's rule.

    Groups drawn from the same classes (half groups, LV2 groups) are taught in parallel; anything else
    touching a common class clashes.
    """
    classes_1, groups_1 = _audience(first)
    classes_2, groups_2 = _audience(second)
    labels = {c.pk: c.label for c in [*first.classes.all(), *second.classes.all()]}
    labels |= {
        cls.pk: cls.label for g in [*first.groups.all(), *second.groups.all()] for cls in g.classes.all()
    }
    group_labels = {g.pk: g.label for g in [*first.groups.all(), *second.groups.all()]}
    common = classes_1 & classes_2
    if common:
        return f"la classe {labels[min(common)]}"
    for class_id in classes_1:
        for members in groups_2.values():
            if class_id in members:
                return f"la classe {labels[class_id]}"
    for class_id in classes_2:
        for members in groups_1.values():
            if class_id in members:
                return f"la classe {labels[class_id]}"
    for group_1, members_1 in groups_1.items():
        for group_2, members_2 in groups_2.items():
            if group_1 == group_2 or (members_1 & members_2 and members_1 != members_2):
                return f"le groupe {group_labels[group_1]}"
    return None


def _others(moves: list[_Placement]) -> list[_Placement]:
    """The placed lessons that stay where they are, on the days of the moves."""
    moved_ids = [move.lesson.pk for move in moves if move.lesson.pk]
    return [
        _Placement(lesson, lesson.day, lesson.slot, lesson.room_id)
        for lesson in Lesson.objects.filter(day__in={move.day for move in moves})
        .exclude(pk__in=moved_ids)
        .select_related("course__subject", "week_pattern", "room")
        .prefetch_related("course__teachers", "course__classes", "course__groups__classes")
    ]


def _clashes(moves: list[_Placement], others: list[_Placement] | None = None) -> list[str]:
    """French descriptions of the clashes the moved lessons would have, with each other and the rest
    (``others``: those lessons, when the caller has them already)."""
    others = _others(moves) if others is None else others
    rooms = dict(Room.objects.values_list("id", "name"))
    found: list[str] = []
    for index, move in enumerate(moves):
        for other in [*moves[index + 1 :], *others]:
            if other.day != move.day or not set(move.slots) & set(other.slots):
                continue
            if not move.lesson.week_pattern.overlaps(other.lesson.week_pattern):
                continue
            when = f"{Day(move.day).label.lower()} créneau {max(move.slot, other.slot) + 1}"
            what = f"{other.lesson.course.subject.label}, {when}"
            teachers_1 = {t.pk: t for t in move.lesson.course.teachers.all()}
            for teacher in other.lesson.course.teachers.all():
                if teacher.pk in teachers_1:
                    found.append(f"{teacher.display_name} a déjà cours ({what})")
            if move.room_id is not None and move.room_id == other.room_id:
                found.append(f"la salle {rooms[move.room_id]} est déjà occupée ({what})")
            shared = _shared_audience(move.lesson.course, other.lesson.course)
            if shared is not None:
                found.append(f"{shared} a déjà cours ({what})")
    return list(dict.fromkeys(found))


def week_pattern_clashes(*, weeks_by_pattern: dict[int, list[int]]) -> list[str]:
    """The clashes placed lessons would have if these patterns (by id) took these ISO weeks, beyond those
    they have now: lessons that never met may meet once their weeks change."""
    lessons = list(
        Lesson.objects.filter(week_pattern_id__in=weeks_by_pattern)
        .select_related("course__subject", "week_pattern", "room")
        .prefetch_related("course__teachers", "course__classes", "course__groups__classes")
    )
    staying = [_Placement(lesson, lesson.day, lesson.slot, lesson.room_id) for lesson in lessons]
    others = _others(staying)
    before = set(_clashes(staying, others))
    for lesson in lessons:
        lesson.week_pattern.iso_weeks = weeks_by_pattern[lesson.week_pattern_id]
    return [clash for clash in _clashes(staying, others) if clash not in before]


def _place_check(move: _Placement) -> None:
    """Rules of one placement alone: inside the open grid, a suitable room, nobody unavailable."""
    course = move.lesson.course
    open_cells = set(TimeSlot.objects.filter(day=move.day).values_list("index", flat=True))
    if not set(move.slots) <= open_cells:
        raise errors.SlotOutsideGrid()
    if move.room_id is not None:
        room = Room.objects.get(pk=move.room_id)
        fixed = course.fixed_room_id
        if (fixed is not None and fixed != room.pk) or (course.room_kind and room.kind != course.room_kind):
            raise errors.RoomUnsuitable()
    blocked = Unavailability.objects.filter(day=move.day, slot__in=list(move.slots)).filter(
        _unavailable_for(course, move.room_id)
    )
    if blocked.exists():
        raise errors.LessonConflict(["un enseignant, une classe ou la salle est indisponible à ce moment"])


def _unavailable_for(course: Course, room_id: int | None) -> Q:
    condition = Q(teacher__in=course.teachers.all()) | Q(school_class__in=course.classes.all())
    condition |= Q(school_class__groups__in=course.groups.all())
    if room_id is not None:
        condition |= Q(room_id=room_id)
    return condition


def _apply(actor: Person, moves: list[_Placement], action: str) -> None:
    for move in moves:
        _place_check(move)
    clashes = _clashes(moves)
    if clashes:
        raise errors.LessonConflict(clashes)
    for move in moves:
        before = {"day": move.lesson.day, "slot": move.lesson.slot, "room_id": move.lesson.room_id}
        move.lesson.day, move.lesson.slot, move.lesson.room_id = move.day, move.slot, move.room_id
        move.lesson.save(update_fields=["day", "slot", "room", "updated_at"])
        audit_record(
            actor=actor,
            action=action,
            target=move.lesson,
            data={"before": before, "after": {"day": move.day, "slot": move.slot, "room_id": move.room_id}},
        )
    _room_constraint_check()


@transaction.atomic
def lesson_place(
    *,
    actor: Person,
    course: Course,
    session: int,
    day: int,
    slot: int,
    room: Room | None,
    is_pinned: bool = False,
) -> Lesson:
    """Place one session of a course by hand, refused if it clashes with anything already placed."""
    if session >= course.sessions_per_week:
        raise errors.SessionOutOfRange()
    if Lesson.objects.filter(course=course, session=session).exists():
        raise errors.LessonAlreadyPlaced()
    lesson = Lesson(
        course=course,
        session=session,
        day=day,
        slot=slot,
        room=room,
        week_pattern=course.week_pattern,
        is_pinned=is_pinned,
    )
    move = _Placement(lesson, day, slot, room.pk if room else None)
    _place_check(move)
    clashes = _clashes([move])
    if clashes:
        raise errors.LessonConflict(clashes)
    lesson.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            lesson.save()
            _room_constraint_check()
    except IntegrityError as exc:
        raise errors.LessonAlreadyPlaced() from exc
    audit_record(
        actor=actor, action="timetable.lesson_placed", target=lesson, data={"day": day, "slot": slot}
    )
    return lesson


@transaction.atomic
def lesson_move(
    *, actor: Person, lesson: Lesson, day: int, slot: int, room: Room | None, is_pinned: bool | None = None
) -> Lesson:
    """Move a lesson to another time or room; refused with the list of clashes, nothing written."""
    (lesson,) = _with_course([lesson])
    _apply(actor, [_Placement(lesson, day, slot, room.pk if room else None)], "timetable.lesson_moved")
    if is_pinned is not None and is_pinned != lesson.is_pinned:
        lesson.is_pinned = is_pinned
        lesson.save(update_fields=["is_pinned", "updated_at"])
    return lesson


@transaction.atomic
def lesson_swap(*, actor: Person, lesson: Lesson, other: Lesson) -> tuple[Lesson, Lesson]:
    """Exchange the times and rooms of two lessons; refused with the list of clashes, nothing written."""
    first, second = sorted(_with_course([lesson, other]), key=lambda ls: ls.pk != lesson.pk)
    moves = [
        _Placement(first, second.day, second.slot, second.room_id),
        _Placement(second, first.day, first.slot, first.room_id),
    ]
    _apply(actor, moves, "timetable.lesson_swapped")
    return first, second


@transaction.atomic
def lesson_remove(*, actor: Person, lesson: Lesson) -> None:
    """Take a lesson off the timetable (its dated changes go with it)."""
    audit_record(
        actor=actor,
        action="timetable.lesson_removed",
        target=lesson,
        data={
            "course_id": lesson.course_id,
            "session": lesson.session,
            "day": lesson.day,
            "slot": lesson.slot,
        },
    )
    lesson.delete()


# ---- daily changes -------------------------------------------------------------------------------


def _occurs_on(lesson: Lesson, on: date) -> bool:
    if on.weekday() != lesson.day or not lesson.week_pattern.has_week(on.isocalendar().week):
        return False
    year = SchoolYear.objects.filter(starts_on__lte=on, ends_on__gte=on).first()
    if year is None:
        return False
    return not year.holidays.filter(starts_on__lte=on, ends_on__gte=on).exists()


def _dated_clashes(lesson: Lesson, on: date, substitute: Person | None, room: Room | None) -> list[str]:
    """Clashes of a substitute or a room change with the other lessons held that very day."""
    if substitute is None and room is None:
        return []
    week = on.isocalendar().week
    span = set(range(lesson.slot, lesson.slot + lesson.course.duration))
    found: list[str] = []
    same_day = (
        Lesson.objects.filter(day=lesson.day)
        .exclude(pk=lesson.pk)
        .select_related("course__subject", "week_pattern")
        .prefetch_related("course__teachers")
    )
    changes = {c.lesson_id: c for c in LessonChange.objects.filter(on=on)}
    for other in same_day:
        if not other.week_pattern.has_week(week):
            continue
        if not span & set(range(other.slot, other.slot + other.course.duration)):
            continue
        change = changes.get(other.pk)
        if change is not None and change.is_cancelled:
            continue
        teachers = [change.substitute] if change and change.substitute else list(other.course.teachers.all())
        other_room = change.room_id if change and change.room_id else other.room_id
        what = f"{other.course.subject.label}, créneau {other.slot + 1}"
        if substitute is not None and substitute.pk in {t.pk for t in teachers if t is not None}:
            found.append(f"{substitute.display_name} a déjà cours ({what})")
        if room is not None and room.pk == other_room:
            found.append(f"la salle {room.name} est déjà occupée ({what})")
    return found


@transaction.atomic
def lesson_change_record(
    *,
    actor: Person,
    lesson: Lesson,
    on: date,
    is_cancelled: bool = False,
    substitute: Person | None = None,
    room: Room | None = None,
    note: str = "",
    is_published: bool = True,
) -> LessonChange:
    """Cancel a lesson on one date, or give it a substitute teacher or another room (one record per date)."""
    if not is_cancelled and substitute is None and room is None:
        raise errors.ChangeEmpty()
    (lesson,) = _with_course([lesson])
    if not _occurs_on(lesson, on):
        raise errors.ChangeDateInvalid()
    if substitute is not None and (not substitute.has_role(Role.TEACHER) or not substitute.is_active):
        raise errors.SubstituteNotTeacher()
    if not is_cancelled:
        clashes = _dated_clashes(lesson, on, substitute, room)
        if clashes:
            raise errors.LessonConflict(clashes)
    change = LessonChange.objects.select_for_update().filter(lesson=lesson, on=on).first()
    if change is None:
        change = LessonChange(lesson=lesson, on=on)
    else:
        change.version += 1
    change.is_cancelled, change.substitute, change.room = is_cancelled, substitute, room
    change.note, change.is_published, change.recorded_by = note, is_published, actor
    change.full_clean(validate_constraints=False)
    change.save()
    if is_published:
        enqueue_on_commit(lesson_change_notify_task, change_id=change.pk)
    audit_record(
        actor=actor,
        action="timetable.change_recorded",
        target=change,
        data={
            "on": on.isoformat(),
            "is_cancelled": is_cancelled,
            "substitute_id": substitute.pk if substitute else None,
            "room_id": room.pk if room else None,
        },
    )
    return change


# ---- iCalendar feed tokens -----------------------------------------------------------------------


@transaction.atomic
def feed_token_create(*, owner: Person, target_kind: str, target_id: int) -> FeedToken:
    """A secret feed URL for a timetable the owner may read."""
    selectors.feed_target_check(viewer=owner, target_kind=target_kind, target_id=target_id)
    feed = FeedToken.objects.create(
        owner=owner, target_kind=target_kind, target_id=target_id, token=secrets.token_urlsafe(32)
    )
    audit_record(actor=owner, action="timetable.feed_created", target=feed, data={"kind": target_kind})
    return feed


@transaction.atomic
def feed_token_revoke(*, owner: Person, feed: FeedToken) -> FeedToken:
    """Revoke a feed URL at once (idempotent)."""
    if feed.revoked_at is None:
        feed.revoked_at = timezone.now()
        feed.save(update_fields=["revoked_at"])
        audit_record(actor=owner, action="timetable.feed_revoked", target=feed)
    return feed


# ---- telling people about dated changes ----------------------------------------------------------


def lesson_change_notify(*, change_id: int) -> int:
    """Put a published change in the timeline of everyone it concerns (idempotent per change version)."""
    from tenants.ent.models import NotificationKind
    from tenants.ent.services import notifications_publish

    change = LessonChange.objects.select_related("lesson__course__subject", "room", "substitute").get(
        pk=change_id
    )
    if not change.is_published:
        return 0
    subject = change.lesson.course.subject.label
    starts_at = selectors.lesson_starts_at(lesson=change.lesson)
    when = f"{change.on:%d/%m/%Y}" + (f" à {starts_at:%H:%M}" if starts_at else "")
    if change.is_cancelled:
        title = f"{subject} : cours annulé le {when}"
    elif change.substitute is not None:
        title = f"{subject} : cours assuré par {change.substitute} le {when}"
    else:
        title = f"{subject} : changement de salle le {when}"
    body = " ".join(part for part in (f"Salle {change.room}." if change.room else "", change.note) if part)
    return notifications_publish(
        recipient_ids=selectors.lesson_people_concerned(change=change),
        kind=NotificationKind.TIMETABLE_CHANGE,
        title=title,
        body=body,
        url="/emploi-du-temps/",
        source_key=f"lessonchange:{change.pk}:v{change.version}",
    )
