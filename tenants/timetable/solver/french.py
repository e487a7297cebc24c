"""Realistic generated problems: a collège and a lycée of the Grand Est, for tests and benchmarks.

Hours follow the national volumes (cycle 3 and 4 for the collège, seconde / première / terminale
générales for the lycée), rounded to the hourly grid: half hours become one hour every other
week (week A or B), practicals are two-hour sessions for half groups, one half in week A and the
other in week B. Names are invented. The generator is deterministic for a given seed.
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from dataclasses import dataclass, field

from tenants.timetable.solver.problem import (
    Course,
    Grid,
    Problem,
    ResourceKind,
    Room,
    StudentGroup,
    Teacher,
    TimeSlot,
    Unavailability,
    WeekPattern,
)

EVERY, A, B = WeekPattern.EVERY, WeekPattern.WEEK_A, WeekPattern.WEEK_B
DAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi")
WEDNESDAY = 2
FIRST_HOUR, LAST_HOUR = 8, 17
LUNCH_HOURS = (11, 12, 13)
MORNING = frozenset((day, slot) for day in range(len(DAYS)) for slot in range(4))
ROOM_USE = 0.7  # share of a room's open slots a generated school plans to fill
FULL_SERVICE = 18  # weekly teaching hours of a full-time certifié

SURNAMES = (
    "Martin",
    "Bernard",
    "Thomas",
    "Petit",
    "Robert",
    "Richard",
    "Durand",
    "Dubois",
    "Moreau",
    "Laurent",
    "Simon",
    "Michel",
    "Lefebvre",
    "Leroy",
    "Roux",
    "David",
    "Bertrand",
    "Morel",
    "Fournier",
    "Girard",
    "Bonnet",
    "Dupont",
    "Lambert",
    "Fontaine",
    "Rousseau",
    "Vincent",
    "Muller",
    "Lefevre",
    "Faure",
    "Andre",
    "Mercier",
    "Blanc",
    "Guerin",
    "Boyer",
    "Garnier",
    "Chevalier",
    "Francois",
    "Legrand",
    "Gauthier",
    "Garcia",
    "Perrin",
    "Robin",
    "Clement",
    "Morin",
    "Nicolas",
    "Henry",
    "Roussel",
    "Mathieu",
    "Gautier",
    "Masson",
    "Marchand",
    "Duval",
    "Denis",
    "Dumont",
    "Marie",
    "Lemaire",
    "Noel",
    "Meyer",
    "Dufour",
    "Meunier",
    "Brun",
    "Blanchard",
    "Giraud",
    "Joly",
    "Riviere",
    "Lucas",
    "Brunet",
    "Gaillard",
    "Barbier",
    "Arnaud",
    "Martinez",
    "Gerard",
    "Roche",
    "Renard",
    "Schmitt",
    "Roy",
    "Leroux",
    "Colin",
    "Vidal",
    "Caron",
    "Picard",
    "Roger",
    "Fabre",
    "Aubert",
    "Lemoine",
    "Renaud",
    "Dumas",
    "Lacroix",
    "Olivier",
    "Philippe",
    "Bourgeois",
    "Pierre",
    "Benoit",
    "Rey",
    "Leclerc",
    "Payet",
    "Rolland",
    "Leclercq",
    "Guillaume",
    "Lecomte",
    "Lopez",
    "Jean",
    "Dupuy",
    "Guillot",
    "Hubert",
    "Berger",
    "Carpentier",
    "Sanchez",
    "Weber",
)


def french_grid() -> Grid:
    """Monday–Friday, 8:00–17:00 in hours, lunch window 11:00–14:00, Wednesday afternoon off."""
    slots = tuple(
        TimeSlot(hour * 60, (hour + 1) * 60, is_lunch=hour in LUNCH_HOURS)
        for hour in range(FIRST_HOUR, LAST_HOUR)
    )
    closed = frozenset((WEDNESDAY, index) for index in range(len(slots)) if FIRST_HOUR + index >= 12)
    return Grid(days=DAYS, slots=slots, closed=closed)


@dataclass
class _Service:
    """Courses that one teacher of a subject takes together (one class's maths, one LV2 group…)."""

    subject: str
    courses: list[Course]
    hours: float


@dataclass
class _Builder:
    rng: random.Random
    groups: list[StudentGroup] = field(default_factory=list)
    parallel: list[frozenset[str]] = field(default_factory=list)
    services: list[_Service] = field(default_factory=list)

    def add_group(self, group: StudentGroup) -> StudentGroup:
        self.groups.append(group)
        return group

    def service(self, subject: str, courses: list[Course]) -> None:
        hours = sum(
            course.duration * course.sessions_per_week * (1.0 if course.pattern is EVERY else 0.5)
            for course in courses
        )
        self.services.append(_Service(subject, courses, hours))

    def class_with_halves(self, class_id: str, name: str, max_hours: int) -> tuple[StudentGroup, ...]:
        size = self.rng.randint(24, 30)
        whole = self.add_group(StudentGroup(class_id, name, size, max_hours_per_day=max_hours))
        first = self.add_group(StudentGroup(f"{class_id}-G1", f"{name} gr. 1", size // 2, (class_id,)))
        second = self.add_group(
            StudentGroup(f"{class_id}-G2", f"{name} gr. 2", size - size // 2, (class_id,))
        )
        self.parallel.append(frozenset({first.id, second.id}))
        return whole, first, second


def _weekly(
    course_id: str,
    subject: str,
    groups: tuple[str, ...],
    hours: float,
    kind: str | None,
    odd_week: WeekPattern = A,
    preferred_times: frozenset[tuple[int, int]] = frozenset(),
) -> list[Course]:
    """``hours`` a week as 1-hour sessions; a half hour becomes one hour in ``odd_week``."""
    courses = []
    whole = int(hours)
    if whole:
        courses.append(
            Course(
                course_id,
                subject,
                (),
                groups,
                sessions_per_week=whole,
                room_kind=kind,
                preferred_times=preferred_times,
            )
        )
    if hours - whole:
        courses.append(
            Course(f"{course_id}-{odd_week}", subject, (), groups, pattern=odd_week, room_kind=kind)
        )
    return courses


def _practicals(
    course_id: str, subject: str, halves: tuple[str, str], first_week: WeekPattern
) -> list[Course]:
    """A two-hour practical in a lab, half group 1 one week and half group 2 the other."""
    second_week = B if first_week is A else A
    return [
        Course(
            f"{course_id}-G1",
            f"{subject} TP",
            (),
            (halves[0],),
            duration=2,
            pattern=first_week,
            room_kind="lab",
        ),
        Course(
            f"{course_id}-G2",
            f"{subject} TP",
            (),
            (halves[1],),
            duration=2,
            pattern=second_week,
            room_kind="lab",
        ),
    ]


def _college_class(builder: _Builder, level: str, class_id: str, name: str) -> None:
    whole, first, second = builder.class_with_halves(class_id, name, max_hours=7)
    halves = (first.id, second.id)
    cls = (whole.id,)
    add = builder.service
    if level == "6":
        add(
            "Français",
            _weekly(f"{class_id}-FRA", "Français", cls, 4.5, "classroom", A, preferred_times=MORNING),
        )
        add(
            "Mathématiques",
            _weekly(f"{class_id}-MAT", "Mathématiques", cls, 4.5, "classroom", B, preferred_times=MORNING),
        )
        add("Anglais", _weekly(f"{class_id}-ANG", "Anglais", cls, 4, "classroom"))
        add("Histoire-géographie", _weekly(f"{class_id}-HG", "Histoire-géographie EMC", cls, 3, "classroom"))
        sciences = _weekly(f"{class_id}-SCI", "Sciences et technologie", cls, 3, "classroom")
        add("SVT", sciences + _practicals(f"{class_id}-SCI", "Sciences", halves, A))
        add(
            "EPS",
            [
                Course(
                    f"{class_id}-EPS", "EPS", (), cls, sessions_per_week=4, room_kind="gym", wants_double=True
                )
            ],
        )
    else:
        french_hours = 4.0 if level == "3" else 4.5
        add(
            "Français",
            _weekly(
                f"{class_id}-FRA", "Français", cls, french_hours, "classroom", A, preferred_times=MORNING
            ),
        )
        add(
            "Mathématiques",
            _weekly(f"{class_id}-MAT", "Mathématiques", cls, 3.5, "classroom", B, preferred_times=MORNING),
        )
        add("Anglais", _weekly(f"{class_id}-ANG", "Anglais", cls, 3, "classroom"))
        add(
            "Histoire-géographie",
            _weekly(
                f"{class_id}-HG", "Histoire-géographie EMC", cls, 3.5 if level == "3" else 3, "classroom", A
            ),
        )
        add(
            "SVT",
            _weekly(f"{class_id}-SVT", "SVT", cls, 0.5, "classroom", B)
            + _practicals(f"{class_id}-SVT", "SVT", halves, A),
        )
        add(
            "Physique-chimie",
            _weekly(f"{class_id}-PC", "Physique-chimie", cls, 0.5, "classroom", A)
            + _practicals(f"{class_id}-PC", "Physique-chimie", halves, B),
        )
        add(
            "Technologie",
            _weekly(f"{class_id}-TEC", "Technologie", cls, 1.5, "techno", A if level != "3" else B),
        )
        add(
            "EPS",
            [
                Course(
                    f"{class_id}-EPS", "EPS", (), cls, sessions_per_week=3, room_kind="gym", wants_double=True
                )
            ],
        )
    add("Arts plastiques", _weekly(f"{class_id}-ART", "Arts plastiques", cls, 1, "arts"))
    add("Éducation musicale", _weekly(f"{class_id}-MUS", "Éducation musicale", cls, 1, "music"))


def _language_groups(
    builder: _Builder,
    prefix: str,
    level_name: str,
    class_ids: list[str],
    hours: float,
    languages: tuple[str, ...] = ("Allemand", "Espagnol"),
) -> None:
    """LV2 taught in a barrette: the pupils of two classes split by language, groups in parallel."""
    sizes = {group.id: group.size for group in builder.groups}
    for index in range(0, len(class_ids), 2):
        pair = tuple(class_ids[index : index + 2])
        pupils = sum(sizes[class_id] for class_id in pair)
        shares = _split(pupils, len(languages), builder.rng)
        members = []
        for language, share in zip(languages, shares, strict=True):
            group_id = f"{prefix}-{language[:3].upper()}-{index // 2 + 1}"
            name = f"{language} LV2 {level_name} ({'-'.join(pair)})"
            builder.add_group(StudentGroup(group_id, name, share, pair))
            members.append(group_id)
            odd = A if language == languages[0] else B
            builder.service(
                language, _weekly(f"{group_id}-C", language, (group_id,), hours, "classroom", odd)
            )
        builder.parallel.append(frozenset(members))


def _split(total: int, parts: int, rng: random.Random) -> list[int]:
    weights = [rng.uniform(0.8, 1.2) for _ in range(parts)]
    shares = [max(8, round(total * weight / sum(weights))) for weight in weights]
    return shares


def generate_college(seed: int, classes: int = 24, teachers: int = 45, rooms: int = 30) -> Problem:
    """A collège: classes spread over 6e–3e, LV2 barrettes, latin across three classes, TP in labs."""
    rng = random.Random(seed)  # noqa: S311  # reproducible test data, not security
    builder = _Builder(rng)
    levels = ("6", "5", "4", "3")
    per_level = _spread_count(classes, len(levels))
    for level, count in zip(levels, per_level, strict=True):
        class_ids = []
        for index in range(count):
            letter = chr(ord("A") + index)
            class_id = f"{level}{letter}"
            _college_class(builder, level, class_id, f"{level}e {letter}")
            class_ids.append(class_id)
        if level == "6":
            continue
        _language_groups(builder, f"{level}LV2", f"{level}e", class_ids, 2.5)
        latin_hours = 1 if level == "5" else 2
        for index in range(0, len(class_ids), 3):
            trio = tuple(class_ids[index : index + 3])
            group_id = f"{level}LAT-{index // 3 + 1}"
            builder.add_group(
                StudentGroup(group_id, f"Latin {level}e ({'-'.join(trio)})", rng.randint(12, 22), trio)
            )
            latin = Course(
                f"{group_id}-C",
                "Latin",
                (),
                (group_id,),
                sessions_per_week=latin_hours,
                room_kind="classroom",
            )
            builder.service("Latin", [latin])
    return _finish(builder, f"Collège généré (graine {seed})", teachers, rooms, max_teacher_day=6)


def generate_lycee(seed: int, classes: int = 40, teachers: int = 90, rooms: int | None = None) -> Problem:
    """A lycée général: seconde classes with TP, première/terminale spécialités in barrettes per pôle."""
    rng = random.Random(seed)  # noqa: S311  # reproducible test data, not security
    builder = _Builder(rng)
    seconde, premiere, terminale = _spread_count(classes, 3)
    class_ids = []
    for index in range(seconde):
        class_id = f"2-{index + 1:02d}"
        whole, first, second = builder.class_with_halves(class_id, f"Seconde {index + 1}", max_hours=8)
        cls, halves = (whole.id,), (first.id, second.id)
        add = builder.service
        add("Français", _weekly(f"{class_id}-FRA", "Français", cls, 4, "classroom"))
        add("Mathématiques", _weekly(f"{class_id}-MAT", "Mathématiques", cls, 4, "classroom"))
        add("Histoire-géographie", _weekly(f"{class_id}-HG", "Histoire-géographie", cls, 3, "classroom"))
        add("Anglais", _weekly(f"{class_id}-ANG", "Anglais", cls, 3, "classroom"))
        add(
            "Physique-chimie",
            _weekly(f"{class_id}-PC", "Physique-chimie", cls, 2, "classroom")
            + _practicals(f"{class_id}-PC", "Physique-chimie", halves, A),
        )
        add(
            "SVT",
            _weekly(f"{class_id}-SVT", "SVT", cls, 0.5, "classroom", A)
            + _practicals(f"{class_id}-SVT", "SVT", halves, B),
        )
        add("SES", _weekly(f"{class_id}-SES", "SES", cls, 1.5, "classroom", B))
        add("NSI", _weekly(f"{class_id}-SNT", "SNT", cls, 1.5, "computer", A))
        add("EPS", [Course(f"{class_id}-EPS", "EPS", (), cls, duration=2, room_kind="gym")])
        add("Histoire-géographie", _weekly(f"{class_id}-EMC", "EMC", cls, 0.5, "classroom", B))
        class_ids.append(class_id)
    _language_groups(builder, "2LVB", "seconde", class_ids, 2.5)
    for level, count, specialities, spe_hours in (("1", premiere, 3, 4), ("T", terminale, 2, 6)):
        level_ids = []
        for index in range(count):
            class_id = f"{level}-{index + 1:02d}"
            name = f"{'Première' if level == '1' else 'Terminale'} {index + 1}"
            whole = builder.add_group(StudentGroup(class_id, name, rng.randint(26, 32), max_hours_per_day=8))
            cls = (whole.id,)
            add = builder.service
            if level == "1":
                add("Français", _weekly(f"{class_id}-FRA", "Français", cls, 4, "classroom"))
            else:
                add("Philosophie", _weekly(f"{class_id}-PHI", "Philosophie", cls, 4, "classroom"))
            add("Histoire-géographie", _weekly(f"{class_id}-HG", "Histoire-géographie", cls, 3, "classroom"))
            add(
                "Anglais",
                _weekly(f"{class_id}-ANG", "Anglais", cls, 2.5, "classroom", A if level == "1" else B),
            )
            add(
                "Physique-chimie", _weekly(f"{class_id}-ES", "Enseignement scientifique", cls, 2, "classroom")
            )
            add("EPS", [Course(f"{class_id}-EPS", "EPS", (), cls, duration=2, room_kind="gym")])
            add("Histoire-géographie", _weekly(f"{class_id}-EMC", "EMC", cls, 0.5, "classroom", B))
            level_ids.append(class_id)
        _language_groups(builder, f"{level}LVB", level, level_ids, 2)
        _barrettes(builder, level, level_ids, specialities, spe_hours)
    return _finish(builder, f"Lycée généré (graine {seed})", teachers, rooms, max_teacher_day=6)


SPECIALITIES = (
    ("Mathématiques", "classroom"),
    ("Physique-chimie", "lab"),
    ("SVT", "lab"),
    ("SES", "classroom"),
    ("Histoire-géographie", "classroom"),  # HGGSP
    ("Philosophie", "classroom"),  # HLP
    ("Anglais", "classroom"),  # LLCER
    ("NSI", "computer"),
)


def _barrettes(builder: _Builder, level: str, class_ids: list[str], count: int, hours: int) -> None:
    """Spécialités by pôle of about four classes: each barrette holds parallel cross-class groups."""
    sizes = {group.id: group.size for group in builder.groups}
    poles = [class_ids[index : index + 4] for index in range(0, len(class_ids), 4)]
    if len(poles) > 1 and len(poles[-1]) < 3:
        poles[-2].extend(poles.pop())
    offset = 0
    for pole_index, pole in enumerate(poles):
        pupils = sum(sizes[class_id] for class_id in pole)
        per_group = len(pole) + 1
        for barrette in range(count):
            members = []
            shares = _split(pupils, per_group, builder.rng)
            for index, share in enumerate(shares):
                subject, kind = SPECIALITIES[(offset + index) % len(SPECIALITIES)]
                group_id = f"{level}SPE-{pole_index + 1}{chr(ord('a') + barrette)}{index + 1}"
                name = f"Spé {subject} {level} pôle {pole_index + 1} barrette {barrette + 1}"
                builder.add_group(StudentGroup(group_id, name, min(share, 30), tuple(pole)))
                members.append(group_id)
                spe = Course(
                    f"{group_id}-C",
                    f"Spécialité {subject}",
                    (),
                    (group_id,),
                    duration=2,
                    sessions_per_week=hours // 2,
                    room_kind=kind,
                )
                builder.service(subject, [spe])
            offset += per_group
            builder.parallel.append(frozenset(members))


def _spread_count(total: int, parts: int) -> list[int]:
    return [total // parts + (1 if index < total % parts else 0) for index in range(parts)]


def _finish(
    builder: _Builder, name: str, teacher_count: int, room_count: int | None, max_teacher_day: int
) -> Problem:
    grid = french_grid()
    rng = builder.rng
    teachers, courses = _staff(builder, teacher_count, max_teacher_day)
    unavailabilities = []
    for teacher in teachers:
        if rng.random() < 0.15:
            # One half-day off asked by the teacher (never Wednesday afternoon, already closed).
            day = rng.choice([0, 1, 3, 4])
            slots = range(4) if rng.random() < 0.5 else range(5, len(grid.slots))
            unavailabilities += [
                Unavailability(ResourceKind.TEACHER, teacher.id, day, slot) for slot in slots
            ]
    return Problem(
        name=name,
        grid=grid,
        teachers=tuple(teachers),
        groups=tuple(builder.groups),
        rooms=tuple(_rooms(courses, grid, room_count, builder.groups)),
        courses=tuple(courses),
        parallel_groups=tuple(builder.parallel),
        unavailabilities=tuple(unavailabilities),
    )


def _staff(builder: _Builder, teacher_count: int, max_day: int) -> tuple[list[Teacher], list[Course]]:
    """Enough teachers per subject for full services, the rest where the load is heaviest.

    Services go to the least loaded teacher of the subject. ``teacher_count`` is a target: a school
    too small for its hours gets the teachers it needs.
    """
    rng = builder.rng
    demand: dict[str, float] = defaultdict(float)
    for service in builder.services:
        demand[service.subject] += service.hours
    subjects = sorted(demand)
    counts = {subject: max(1, math.ceil(demand[subject] / FULL_SERVICE)) for subject in subjects}
    for _ in range(teacher_count - sum(counts.values())):
        busiest = max(subjects, key=lambda s: (demand[s] / counts[s], s))
        counts[busiest] += 1
    surnames = rng.sample(SURNAMES, k=min(len(SURNAMES), teacher_count))
    teachers: list[Teacher] = []
    staff: dict[str, list[Teacher]] = {}
    for subject in subjects:
        staff[subject] = []
        for _ in range(counts[subject]):
            index = len(teachers)
            surname = surnames[index % len(surnames)] + ("" if index < len(surnames) else f" {index}")
            civility = "Mme" if rng.random() < 0.6 else "M."
            undesired: frozenset[tuple[int, int]] = frozenset()
            if rng.random() < 0.3:
                undesired = frozenset(
                    {(rng.randrange(len(DAYS)), rng.choice([0, LAST_HOUR - FIRST_HOUR - 1]))}
                )
            teacher = Teacher(f"T{index + 1:03d}", f"{civility} {surname}", max_day, undesired)
            teachers.append(teacher)
            staff[subject].append(teacher)
    load: dict[str, float] = defaultdict(float)
    courses: list[Course] = []
    for service in sorted(builder.services, key=lambda s: (-s.hours, s.courses[0].id)):
        teacher = min(staff[service.subject], key=lambda t: (load[t.id], t.id))
        load[teacher.id] += service.hours
        courses += [_with_teacher(course, teacher.id) for course in service.courses]
    courses.sort(key=lambda course: course.id)
    return teachers, courses


def _with_teacher(course: Course, teacher_id: str) -> Course:
    return Course(
        id=course.id,
        subject=course.subject,
        teacher_ids=(teacher_id,),
        group_ids=course.group_ids,
        duration=course.duration,
        sessions_per_week=course.sessions_per_week,
        pattern=course.pattern,
        room_kind=course.room_kind,
        group_size=course.group_size,
        preferred_times=course.preferred_times,
        wants_double=course.wants_double,
    )


ROOM_NAMES = {
    "classroom": ("Salle", 32),
    "lab": ("Laboratoire", 18),
    "techno": ("Salle de technologie", 16),
    "arts": ("Salle d'arts plastiques", 32),
    "music": ("Salle de musique", 32),
    "computer": ("Salle informatique", 32),
    "gym": ("Gymnase, plateau", 32),
}


def _rooms(
    courses: list[Course], grid: Grid, room_count: int | None, groups: list[StudentGroup]
) -> list[Room]:
    """Rooms per kind sized on the weekly demand; what is left of ``room_count`` are classrooms."""
    open_slots = sum(len(grid.open_slots(day)) for day in range(len(grid.days)))
    sizes = {group.id: group.size for group in groups}
    demand: dict[str, dict[WeekPattern, int]] = defaultdict(lambda: defaultdict(int))
    largest: dict[str, int] = defaultdict(int)
    for course in courses:
        if course.room_kind is None:
            continue
        for week in course.pattern.weeks:
            demand[course.room_kind][week] += course.duration * course.sessions_per_week
        largest[course.room_kind] = max(largest[course.room_kind], sum(sizes[g] for g in course.group_ids))
    needed = {
        kind: max(1, math.ceil(max(weeks.values()) / (open_slots * ROOM_USE)))
        for kind, weeks in demand.items()
    }
    if room_count is not None and "classroom" in needed:
        others = sum(count for kind, count in needed.items() if kind != "classroom")
        needed["classroom"] = max(needed["classroom"], room_count - others)
    rooms = []
    for kind in sorted(needed):
        label, capacity = ROOM_NAMES.get(kind, (kind, 32))
        capacity = max(capacity, largest[kind])
        for index in range(needed[kind]):
            # A few smaller classrooms, as in real buildings: room choice must respect capacity.
            small = kind == "classroom" and index % 6 == 5
            rooms.append(
                Room(f"{kind}-{index + 1:02d}", f"{label} {index + 1}", kind, 24 if small else capacity)
            )
    return rooms
