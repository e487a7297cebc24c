"""A demo school's timetable: a small generated collège or lycée written into the school through its
services, the demo pupil in its first class, and a generation queued for the worker (the pages show it
live)."""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction

from shared.accounts.models import Account
from tenants.directory import services as directory_services
from tenants.directory.models import (
    ClassMembership,
    GroupMembership,
    Person,
    Role,
    SchoolClass,
    Subject,
    TeachingGroup,
)
from tenants.timetable import services, setup_services
from tenants.timetable.models import GenerationRun, RoomKind, WeekPattern
from tenants.timetable.solver import problem as solver
from tenants.timetable.solver.french import generate_college, generate_lycee

# Room kinds of the generator → the school's room kinds.
ROOM_KINDS = {"arts": RoomKind.ART, "techno": RoomKind.TECHNOLOGY, "lab": RoomKind.SCIENCE_LAB}
PATTERN_CODES = {
    solver.WeekPattern.EVERY: "TOUTES",
    solver.WeekPattern.WEEK_A: "A",
    solver.WeekPattern.WEEK_B: "B",
}

AccountFor = Callable[[str, str, str], Account]  # (username, first name, last name) → account


@transaction.atomic
def demo_timetable_seed(
    *,
    head: Person,
    pupil: Person,
    account_for: AccountFor,
    slug: str,
    lycee: bool = False,
    classes: int = 4,
    seed: int = 1,
) -> GenerationRun:
    """Classes, groups, subjects, teachers (accounts ``prof-<slug>-<n>``), rooms and courses of a generated
    collège or lycée; the pupil joins the first class and its first half groups; a generation is queued."""
    generate = generate_lycee if lycee else generate_college
    problem = generate(seed, classes=classes, teachers=classes * 3, rooms=classes + 4)
    labels = sorted({course.subject for course in problem.courses})
    subjects = {label: f"DEMO-{index:02d}" for index, label in enumerate(labels, start=1)}
    directory_services.subjects_upsert(
        subjects=[(code, label, "") for label, code in subjects.items()], actor=head
    )
    class_groups = [group for group in problem.groups if group.is_class]
    directory_services.classes_upsert(classes=[(g.id, g.name, None) for g in class_groups], actor=head)
    directory_services.groups_upsert(
        groups=[(g.id, g.name, g.class_ids) for g in problem.groups if not g.is_class], actor=head
    )
    teachers: dict[str, Person] = {}
    for number, teacher in enumerate(problem.teachers, start=1):
        civility, _, last_name = teacher.name.partition(" ")
        account = account_for(f"prof-{slug}-{number}", civility, last_name)
        teachers[teacher.id] = directory_services.person_enrol(
            account=account, roles=[Role.TEACHER], actor=head
        )
    rooms = {
        room.id: setup_services.room_create(
            actor=head, name=room.name, kind=ROOM_KINDS.get(room.kind, room.kind), capacity=room.capacity
        )
        for room in problem.rooms
    }
    class_by_code = {c.code: c for c in SchoolClass.objects.all()}
    group_by_code = {g.code: g for g in TeachingGroup.objects.all()}
    subject_by_code = {s.code: s for s in Subject.objects.filter(code__in=subjects.values())}
    patterns = {p.code: p for p in WeekPattern.objects.filter(code__in=PATTERN_CODES.values())}
    for course in problem.courses:
        setup_services.course_create(
            actor=head,
            subject=subject_by_code[subjects[course.subject]],
            teachers=[teachers[t] for t in course.teacher_ids],
            classes=[class_by_code[g] for g in course.group_ids if g in class_by_code],
            groups=[group_by_code[g] for g in course.group_ids if g in group_by_code],
            duration=course.duration,
            sessions_per_week=course.sessions_per_week,
            week_pattern=patterns[PATTERN_CODES[course.pattern]],
            room_kind=ROOM_KINDS.get(course.room_kind or "", course.room_kind or ""),
            fixed_room=rooms[course.fixed_room_id] if course.fixed_room_id else None,
            wants_double=course.wants_double,
        )
    first_class = class_by_code[class_groups[0].id]
    ClassMembership.objects.update_or_create(student=pupil, defaults={"school_class": first_class})
    halves = [g for g in problem.groups if g.class_ids == (first_class.code,) and g.id.endswith("-G1")]
    for group in halves:
        GroupMembership.objects.get_or_create(student=pupil, group=group_by_code[group.id])
    return services.generation_start(requested_by=head, time_limit_s=20, seed=seed, workers=2)
