"""Imports of timetable exchange files into the school: STS-Web structures and services, EDT/UDT lessons.

One transaction per file: the pure parsers (``tenants.timetable.imports``) read the file first, every
reference is then resolved against the school's data, and only then is anything written. A refusal
(``ImportRefused``: a malformed file, or a class, subject or teacher the school does not know) leaves
the database as it was. Writes are upserts that touch only what differs, so a second identical import
writes nothing and its report says so.

Choices where the sources are silent:

* STS teachers are matched to existing ``Person`` rows by their STS id (``Person.sts_id``, recorded at
  the first match), else by name (usage or birth name, first name) among the school's active teachers
  when exactly one matches. Accounts carry no birth date, so it cannot be used. Unmatched teachers
  are listed in the report, never created.
* An STS service becomes a ``Course`` (source ``sts``) of one session per weekly hour; the hours come
  from the service when the file gives them, else from the teacher's discipline hours when the
  teacher has a single service, else the course gets 0 sessions and a warning: the school completes it.
* EDT/UDT lessons are grouped into courses by (subject, teachers, classes, groups, length, weeks): an
  existing course with the same values is reused, otherwise one is created (source ``edt``/``udt``).
  Classes, subjects and teachers must exist; class parts and cross-class groups missing from the
  directory are created (with a warning); rooms are created by name.
* The EDT grid becomes the school's grid; refused when lessons placed otherwise would lose their times.
  UDT has no grid: its times must match the school's grid.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import time
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, F
from django.utils import timezone

from mbn.audit import audit_record
from mbn.tenancy import enqueue_on_commit, tenant_connection
from tenants.directory import services as directory_services
from tenants.directory.models import Person, Role, SchoolClass, Subject, TeachingGroup
from tenants.timetable.errors import ImportRefused
from tenants.timetable.imports import (
    PlacedLesson,
    StructureKind,
    StsExport,
    StsIndividual,
    TimetableExport,
    TimetableImportError,
    parse_edt,
    parse_sts,
    parse_udt,
)
from tenants.timetable.models import (
    Course,
    ImportFormat,
    ImportRun,
    ImportStatus,
    Lesson,
    PatternKind,
    Room,
    TimeSlot,
    WeekPattern,
)
from tenants.timetable.tasks import import_run_task

# (done, total, phase label in French)
ProgressCallback = Callable[[int, int, str], None]

# Files above this size are imported by a Celery task (queue "imports") with a progress page.
SYNC_LIMIT_BYTES = 512 * 1024
MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_SESSIONS = 20  # Course.sessions_per_week upper bound (DB constraint)
MAX_DURATION = 6  # Course.duration upper bound (DB constraint)
PROGRESS_CACHE_SECONDS = 3600

LABELS = {
    "subjects": "matières",
    "mefs": "MEF",
    "classes": "classes",
    "groups": "groupes",
    "services": "services d'enseignement",
    "teachers": "enseignants reconnus",
    "courses": "cours",
    "rooms": "salles",
    "week_patterns": "rythmes de semaines",
    "time_slots": "créneaux de la grille",
    "lessons": "séances placées",
}


# ---- report --------------------------------------------------------------------------------------


@dataclass
class ImportReport:
    """What one import did, per kind of row (keys of LABELS)."""

    file_format: str
    file_name: str
    created: Counter[str] = field(default_factory=Counter)
    updated: Counter[str] = field(default_factory=Counter)
    unchanged: Counter[str] = field(default_factory=Counter)
    deleted: Counter[str] = field(default_factory=Counter)
    ignored: Counter[str] = field(default_factory=Counter)
    warnings: list[str] = field(default_factory=list)
    unmatched_teachers: list[str] = field(default_factory=list)

    def add(self, kind: str, counts: directory_services.UpsertCounts) -> None:
        self.created[kind] += counts.created
        self.updated[kind] += counts.updated
        self.unchanged[kind] += counts.unchanged

    @property
    def changes(self) -> int:
        return sum(self.created.values()) + sum(self.updated.values()) + sum(self.deleted.values())

    def totals(self) -> dict[str, int]:
        return {
            "created": sum(self.created.values()),
            "updated": sum(self.updated.values()),
            "unchanged": sum(self.unchanged.values()),
            "deleted": sum(self.deleted.values()),
            "ignored": sum(self.ignored.values()),
            "warnings": len(self.warnings),
        }

    def rows(self) -> list[dict[str, Any]]:
        """One line per kind of row, for the page and the CLI."""
        return [
            {
                "kind": kind,
                "label": label,
                "created": self.created[kind],
                "updated": self.updated[kind],
                "unchanged": self.unchanged[kind],
                "deleted": self.deleted[kind],
                "ignored": self.ignored[kind],
            }
            for kind, label in LABELS.items()
            if any(c[kind] for c in (self.created, self.updated, self.unchanged, self.deleted, self.ignored))
        ]

    @property
    def summary(self) -> str:
        if self.changes == 0:
            return "Aucun changement : l'établissement était déjà à jour avec ce fichier."
        t = self.totals()
        return (
            f"{t['created']} créés, {t['updated']} mis à jour, {t['unchanged']} inchangés, "
            f"{t['deleted']} supprimés, {t['ignored']} ignorés."
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "file_format": self.file_format,
            "file_name": self.file_name,
            "changed": self.changes > 0,
            "summary": self.summary,
            "totals": self.totals(),
            "rows": self.rows(),
            "created": dict(self.created),
            "updated": dict(self.updated),
            "unchanged": dict(self.unchanged),
            "deleted": dict(self.deleted),
            "ignored": dict(self.ignored),
            "warnings": list(self.warnings),
            "unmatched_teachers": list(self.unmatched_teachers),
        }


# ---- helpers -------------------------------------------------------------------------------------


def _norm(value: str) -> str:
    """Comparison form: no accents, upper case, words separated by one space."""
    text = unicodedata.normalize("NFKD", value)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).upper()
    return " ".join("".join(ch if ch.isalnum() else " " for ch in text).split())


def _school_uai() -> str:
    return str(tenant_connection().schema_name).removeprefix("etab_").upper()


def _refused(exc: TimetableImportError) -> ImportRefused:
    return ImportRefused(
        code=exc.code,
        message=f"{exc.file}, {exc.line_or_element} : {exc.reason}.",
        file=exc.file,
        line=exc.line,
        element=exc.element,
    )


def _parse(parse: Callable[[], Any]) -> Any:
    try:
        return parse()
    except TimetableImportError as exc:
        raise _refused(exc) from exc


def _check_size(data: bytes, file_name: str) -> None:
    if len(data) > MAX_FILE_BYTES:
        raise ImportRefused(
            code="file_too_large",
            message=f"{file_name} : le fichier dépasse {MAX_FILE_BYTES // (1024 * 1024)} Mo.",
            file=file_name,
        )


def _key(*parts: object) -> str:
    return hashlib.sha1(repr(parts).encode(), usedforsecurity=False).hexdigest()[:40]


def _every_week_pattern(report: ImportReport) -> WeekPattern:
    pattern = WeekPattern.objects.filter(kind=PatternKind.EVERY).order_by("id").first()
    if pattern is None:
        pattern = WeekPattern.objects.create(
            code="TOUTES", label="Toutes les semaines", kind=PatternKind.EVERY
        )
        report.created["week_patterns"] += 1
    return pattern


def _teacher_index() -> tuple[dict[tuple[str, str], list[Person]], dict[tuple[str, str], list[Person]]]:
    """Active teachers by (last name, first name) and by (last name, first initial), normalised."""
    by_name: dict[tuple[str, str], list[Person]] = defaultdict(list)
    by_initial: dict[tuple[str, str], list[Person]] = defaultdict(list)
    teachers = Person.objects.filter(is_active=True, roles__contains=[Role.TEACHER]).select_related("account")
    for person in teachers:
        last, first = _norm(person.account.last_name), _norm(person.account.first_name)
        if last and first:
            by_name[(last, first)].append(person)
            by_initial[(last, first[0])].append(person)
    return by_name, by_initial


# ---- STS-Web -------------------------------------------------------------------------------------


def sts_import(
    *, actor: Person | None, data: bytes, file_name: str, on_progress: ProgressCallback | None = None
) -> ImportReport:
    """Structures (subjects, MEFs, classes, groups), teachers' services and courses from STS-Web."""
    _check_size(data, file_name)
    export: StsExport = _parse(lambda: parse_sts(data, file_name=file_name, expected_uai=_school_uai()))
    return _sts_write(actor=actor, export=export, file_name=file_name, on_progress=on_progress)


@transaction.atomic
def _sts_write(
    *, actor: Person | None, export: StsExport, file_name: str, on_progress: ProgressCallback | None
) -> ImportReport:
    report = ImportReport(file_format=ImportFormat.STS, file_name=file_name)
    total = 5 + len(export.services)
    progress = on_progress or (lambda done, total, phase: None)
    progress(0, total, "Matières et structures")
    report.add(
        "subjects",
        directory_services.subjects_upsert(
            subjects=[(s.code, s.label, s.management_code) for s in export.subjects], actor=actor
        ),
    )
    report.add(
        "mefs", directory_services.mefs_upsert(mefs=[(m.code, m.label) for m in export.mefs], actor=actor)
    )
    report.add(
        "classes",
        directory_services.classes_upsert(
            classes=[
                (d.code, d.label or d.code, d.mef_codes[0] if d.mef_codes else None) for d in export.divisions
            ],
            actor=actor,
        ),
    )
    report.add(
        "groups",
        directory_services.groups_upsert(
            groups=[(g.code, g.label or g.code, g.division_codes) for g in export.groups], actor=actor
        ),
    )
    progress(4, total, "Enseignants")
    matched = _sts_teachers_match(actor=actor, export=export, report=report)
    report.ignored["services"] += export.ignored_services
    if export.ignored_services:
        report.warnings.append(
            f"{export.ignored_services} service(s) d'enseignants sans fonction (congé, retraite) ignoré(s)."
        )
    services = [
        (
            matched[s.teacher_id].pk,
            s.subject_code,
            s.structure_code if s.structure_kind is StructureKind.DIVISION else None,
            s.structure_code if s.structure_kind is StructureKind.GROUP else None,
        )
        for s in export.services
        if s.teacher_id in matched
    ]
    report.add("services", directory_services.teaching_services_ensure(services=services, actor=actor))
    unmatched_services = sum(1 for s in export.services if s.teacher_id not in matched)
    if unmatched_services:
        report.warnings.append(
            f"{unmatched_services} service(s) d'enseignants non reconnus : cours créés sans enseignant, "
            "à compléter."
        )
    progress(5, total, "Cours")
    _sts_courses(actor=actor, export=export, matched=matched, report=report)
    progress(total, total, "Terminé")
    if report.changes:
        audit_record(
            actor=actor, action="timetable.sts_imported", data={"file": file_name, **report.totals()}
        )
    return report


def _sts_teachers_match(
    *, actor: Person | None, export: StsExport, report: ImportReport
) -> dict[str, Person]:
    """STS individual id → Person for the teachers of the file that the school knows."""
    wanted = {s.teacher_id for s in export.services} | {i.id for i in export.teachers}
    individuals = [i for i in export.individuals if i.id in wanted]
    by_sts_id = {p.sts_id: p for p in Person.objects.filter(sts_id__in=[i.id for i in individuals])}
    by_name, _ = _teacher_index()
    matched: dict[str, Person] = {}
    for individual in individuals:
        person = by_sts_id.get(individual.id) or _sts_by_name(individual, by_name)
        if person is None or (person.sts_id and person.sts_id != individual.id):
            report.unmatched_teachers.append(_sts_label(individual))
            report.ignored["teachers"] += 1
            continue
        if person.sts_id == individual.id:
            report.unchanged["teachers"] += 1
        else:
            directory_services.person_sts_id_link(person=person, sts_id=individual.id, actor=actor)
            report.updated["teachers"] += 1
        matched[individual.id] = person
    if report.unmatched_teachers:
        report.warnings.append(
            f"{len(report.unmatched_teachers)} enseignant(s) du fichier sans compte dans l'établissement "
            "(ou homonymes) : rattachez-les dans l'annuaire puis importez à nouveau."
        )
    return matched


def _sts_by_name(individual: StsIndividual, by_name: dict[tuple[str, str], list[Person]]) -> Person | None:
    first = _norm(individual.first_name)
    candidates = {
        p.pk: p
        for last in {_norm(individual.last_name), _norm(individual.birth_name)} - {""}
        for p in by_name.get((last, first), [])
    }
    return next(iter(candidates.values())) if len(candidates) == 1 else None


def _sts_label(individual: StsIndividual) -> str:
    civility = f"{individual.civility.label} " if individual.civility is not None else ""
    return f"{civility}{individual.last_name} {individual.first_name.title()} (STS {individual.id})".strip()


def _sts_hours(export: StsExport) -> dict[tuple[str, str, str, str], Decimal | None]:
    hours: dict[tuple[str, str, str, str], Decimal | None] = {}
    disciplines = {i.id: [d.hours for d in i.disciplines if d.hours is not None] for i in export.individuals}
    per_teacher = Counter(s.teacher_id for s in export.services)
    for s in export.services:
        value = s.weekly_hours
        if value is None and per_teacher[s.teacher_id] == 1 and disciplines.get(s.teacher_id):
            value = sum(disciplines[s.teacher_id], Decimal(0))
        hours[(s.structure_kind.value, s.structure_code, s.subject_code, s.teacher_id)] = value
    return hours


def _sts_courses(
    *, actor: Person | None, export: StsExport, matched: dict[str, Person], report: ImportReport
) -> None:
    pattern = _every_week_pattern(report)
    subjects = dict(
        Subject.objects.filter(code__in={s.subject_code for s in export.services}).values_list("code", "pk")
    )
    classes = dict(
        SchoolClass.objects.filter(code__in={d.code for d in export.divisions}).values_list("code", "pk")
    )
    groups = dict(
        TeachingGroup.objects.filter(code__in={g.code for g in export.groups}).values_list("code", "pk")
    )
    existing: dict[str, Any] = {
        c.source_key: c
        for c in Course.objects.filter(source=ImportFormat.STS)
        .prefetch_related("teachers")
        .annotate(lesson_count=Count("lessons"))
    }
    hours = _sts_hours(export)
    seen: set[str] = set()
    missing_hours = 0
    for s in export.services:
        key = _key(s.structure_kind.value, s.structure_code, s.subject_code, s.teacher_id)
        if key in seen:
            continue
        seen.add(key)
        teacher = matched.get(s.teacher_id)
        course = existing.get(key)
        if course is None:
            value = hours[(s.structure_kind.value, s.structure_code, s.subject_code, s.teacher_id)]
            sessions = 0
            if value is None:
                missing_hours += 1
            else:
                sessions = int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))
                if sessions > MAX_SESSIONS or sessions != value:
                    report.warnings.append(
                        f"Cours {s.subject_code} de {s.structure_code} : {value} h par semaine arrondies à "
                        f"{min(sessions, MAX_SESSIONS)} séance(s) d'une heure, à vérifier."
                    )
                sessions = min(sessions, MAX_SESSIONS)
            course = Course.objects.create(
                subject_id=subjects[s.subject_code],
                sessions_per_week=sessions,
                week_pattern=pattern,
                source=ImportFormat.STS,
                source_key=key,
            )
            if s.structure_kind is StructureKind.DIVISION:
                course.classes.set([classes[s.structure_code]])
            else:
                course.groups.set([groups[s.structure_code]])
            if teacher is not None:
                course.teachers.set([teacher])
            report.created["courses"] += 1
        elif teacher is not None and teacher.pk not in {t.pk for t in course.teachers.all()}:
            course.teachers.add(teacher)
            report.updated["courses"] += 1
        else:
            report.unchanged["courses"] += 1
    if missing_hours:
        report.warnings.append(
            f"{missing_hours} cours sans volume horaire connu (0 séance par semaine) : "
            "indiquez le nombre de séances avant de générer l'emploi du temps."
        )
    gone = [c for key, c in existing.items() if key not in seen]
    removable = [c.pk for c in gone if c.lesson_count == 0]  # type: ignore[attr-defined]
    if removable:
        Course.objects.filter(pk__in=removable).delete()
        report.deleted["courses"] += len(removable)
    if len(gone) > len(removable):
        report.warnings.append(
            f"{len(gone) - len(removable)} cours ne figurent plus dans STS mais ont des séances placées : "
            "conservés, retirez-les à la main si besoin."
        )


# ---- EDT / UDT -----------------------------------------------------------------------------------


def edt_import(
    *, actor: Person | None, data: bytes, file_name: str, on_progress: ProgressCallback | None = None
) -> ImportReport:
    """Placed lessons from an EDT export (its grid becomes the school's grid): the encrypted envelope
    EDT drops for the ENT, opened with the platform's key (settings ``MBN_EDT_*``), or its XML."""
    _check_size(data, file_name)
    export: TimetableExport = _parse(
        lambda: parse_edt(
            data,
            file_name=file_name,
            expected_uai=_school_uai(),
            partner=settings.MBN_EDT_PARTNER_NAME,
            private_key_pem=settings.MBN_EDT_PRIVATE_KEY,
        )
    )
    return _timetable_write(actor=actor, export=export, file_format=ImportFormat.EDT, on_progress=on_progress)


def udt_import(
    *, actor: Person | None, data: bytes, file_name: str, on_progress: ProgressCallback | None = None
) -> ImportReport:
    """Placed lessons from a UDT export, zip of UDCal files or CSV (times must match the school's grid)."""
    _check_size(data, file_name)
    export: TimetableExport = _parse(lambda: parse_udt(data, file_name=file_name))
    return _timetable_write(actor=actor, export=export, file_format=ImportFormat.UDT, on_progress=on_progress)


@dataclass
class _Resolved:
    """A placed lesson resolved to the school's ids."""

    lesson: PlacedLesson
    subject_id: int
    teacher_ids: frozenset[int]
    class_ids: frozenset[int]
    group_ids: frozenset[int]
    room_id: int | None
    pattern_id: int
    day: int
    slot: int
    duration: int

    @property
    def course_key(self) -> tuple[object, ...]:
        return (
            self.subject_id,
            tuple(sorted(self.teacher_ids)),
            tuple(sorted(self.class_ids)),
            tuple(sorted(self.group_ids)),
            self.duration,
            self.pattern_id,
        )


class _Unknown:
    """Collects unresolved references; the import is refused with all of them at once."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.items: dict[str, int | None] = {}

    def add(self, text: str, line: int | None) -> None:
        self.items.setdefault(text, line)

    def raise_if_any(self) -> None:
        if not self.items:
            return
        names = list(self.items)
        shown = " ; ".join(names[:10]) + (f" ; et {len(names) - 10} autre(s)" if len(names) > 10 else "")
        first_line = next((line for line in self.items.values() if line is not None), None)
        raise ImportRefused(
            code="unknown_reference",
            message=(
                f"{self.file} : rien n'a été importé, ces éléments sont inconnus de l'établissement : "
                f"{shown}. "
                "Importez d'abord STS-Web ou complétez l'annuaire, puis recommencez."
            ),
            file=self.file,
            line=first_line,
        )


def _index(pairs: Iterable[tuple[str, int]]) -> dict[str, set[int]]:
    index: dict[str, set[int]] = defaultdict(set)
    for text, pk in pairs:
        if _norm(text):
            index[_norm(text)].add(pk)
    return index


def _one(index: dict[str, set[int]], *texts: str) -> int | None:
    for text in texts:
        found = index.get(_norm(text), set())
        if len(found) == 1:
            return next(iter(found))
    return None


@transaction.atomic
def _timetable_write(
    *, actor: Person | None, export: TimetableExport, file_format: str, on_progress: ProgressCallback | None
) -> ImportReport:
    report = ImportReport(file_format=file_format, file_name=export.file)
    progress = on_progress or (lambda done, total, phase: None)
    total = len(export.lessons) + 3
    progress(0, total, "Vérification des références")
    unknown = _Unknown(export.file)

    subject_index = _index(
        (text, s.pk) for s in Subject.objects.all() for text in (s.code, s.management_code, s.label)
    )
    subject_ids = {s.key: _one(subject_index, s.code, s.label) for s in export.subjects}
    class_index = _index((text, c.pk) for c in SchoolClass.objects.all() for text in (c.code, c.label))
    class_ids = {c.key: _one(class_index, c.name, c.key) for c in export.classes}
    teacher_ids = _teachers_resolve(export)
    used_subjects = {lesson.subject_key for lesson in export.lessons if lesson.subject_key}
    used_teachers = {k for lesson in export.lessons for k in lesson.teacher_keys}
    used_classes = {k for lesson in export.lessons for k in lesson.class_keys}
    for s in export.subjects:
        if s.key in used_subjects and subject_ids[s.key] is None:
            unknown.add(f"matière « {s.label or s.code or s.key} »", _first_line(export, subject=s.key))
    for t in export.teachers:
        if t.key in used_teachers and teacher_ids[t.key] is None:
            name = t.display_name or f"{t.last_name} {t.first_name}".strip() or t.key
            unknown.add(f"enseignant « {name} »", _first_line(export, teacher=t.key))
    class_keys_needed = (
        used_classes
        | {p.class_key for p in export.class_parts}
        | {k for g in export.groups for k in g.class_keys}
    )
    for c in export.classes:
        if c.key in class_keys_needed and class_ids[c.key] is None:
            unknown.add(f"classe « {c.name or c.key} »", _first_line(export, school_class=c.key))
    unknown.raise_if_any()

    # Groups (class parts and cross-class groups) missing from the directory are created.
    group_index = _index((text, g.pk) for g in TeachingGroup.objects.all() for text in (g.code, g.label))
    class_codes = dict(SchoolClass.objects.values_list("pk", "code"))
    missing_groups: list[tuple[str, str, tuple[str, ...]]] = []
    group_keys: dict[str, str] = {}  # file key → group code
    for part in export.class_parts:
        name = part.name or part.key
        group_keys[part.key] = name
        if _one(group_index, name) is None:
            parent = class_ids.get(part.class_key)
            missing_groups.append((name, name, (class_codes[parent],) if parent else ()))
    for group in export.groups:
        name = group.name or group.key
        group_keys[group.key] = name
        if _one(group_index, name) is None:
            members = tuple(
                class_codes[cid] for k in group.class_keys if (cid := class_ids.get(k)) is not None
            )
            missing_groups.append((name, name, members))
    if missing_groups:
        report.add("groups", directory_services.groups_upsert(groups=missing_groups, actor=actor))
        report.warnings.append(
            f"{len(missing_groups)} groupe(s) absent(s) de l'annuaire créé(s) : "
            + ", ".join(code for code, _, _ in missing_groups[:10])
            + ". Pensez à y inscrire les élèves."
        )
        group_index = _index((text, g.pk) for g in TeachingGroup.objects.all() for text in (g.code, g.label))
    group_ids = {key: _one(group_index, code) for key, code in group_keys.items()}
    part_class = {p.key: class_ids.get(p.class_key) for p in export.class_parts}
    group_classes = {
        g.key: {cid for k in g.class_keys if (cid := class_ids.get(k)) is not None} for g in export.groups
    }

    room_ids = _rooms_resolve(export, report)
    progress(1, total, "Grille horaire")
    cells = _grid_sync(export, file_format, report)
    patterns = _patterns_resolve(export, report, unknown)
    unknown.raise_if_any()

    resolved: list[_Resolved] = []
    for done, lesson in enumerate(export.lessons, start=2):
        if done % 200 == 0:
            progress(done, total, "Séances")
        if lesson.subject_key is None:
            report.ignored["lessons"] += 1
            continue
        day = lesson.day - 1
        if not 0 <= day <= 5:
            raise ImportRefused(
                code="bad_day",
                message=(
                    f"{export.file}, {_where(lesson)} : un cours a lieu le dimanche, jour hors de la grille."
                ),
                file=export.file,
                line=lesson.line,
            )
        slot, duration = _cells_of(lesson, day, cells, file_format, export.file)
        parts = [g for k in lesson.class_part_keys if (g := group_ids.get(k)) is not None]
        cross = [g for k in lesson.group_keys if (g := group_ids.get(k)) is not None]
        covered = {part_class[k] for k in lesson.class_part_keys} | {
            c for k in lesson.group_keys for c in group_classes.get(k, set())
        }
        classes = {cid for k in lesson.class_keys if (cid := class_ids[k]) is not None} - covered
        if len(lesson.room_keys) > 1:
            report.warnings.append(
                f"{_where(lesson)} : plusieurs salles pour un cours, seule la première est gardée."
            )
        resolved.append(
            _Resolved(
                lesson=lesson,
                subject_id=subject_ids[lesson.subject_key] or 0,
                teacher_ids=frozenset(
                    tid for k in lesson.teacher_keys if (tid := teacher_ids[k]) is not None
                ),
                class_ids=frozenset(classes),
                group_ids=frozenset(parts + cross),
                room_id=room_ids.get(lesson.room_keys[0]) if lesson.room_keys else None,
                pattern_id=patterns[lesson.weeks],
                day=day,
                slot=slot,
                duration=duration,
            )
        )
    if report.ignored["lessons"]:
        report.warnings.append(f"{report.ignored['lessons']} cours sans matière ignoré(s).")
    progress(total - 1, total, "Enregistrement")
    _lessons_write(resolved, file_format, export.file, report)
    progress(total, total, "Terminé")
    if report.changes:
        audit_record(
            actor=actor,
            action=f"timetable.{file_format}_imported",
            data={"file": export.file, **report.totals()},
        )
    return report


def _where(lesson: PlacedLesson) -> str:
    return f"ligne {lesson.line}" if lesson.line is not None else "cours"


def _first_line(export: TimetableExport, **wanted: str) -> int | None:
    for lesson in export.lessons:
        if (
            ("subject" in wanted and lesson.subject_key == wanted["subject"])
            or ("teacher" in wanted and wanted["teacher"] in lesson.teacher_keys)
            or ("school_class" in wanted and wanted["school_class"] in lesson.class_keys)
        ):
            return lesson.line
    return None


def _teachers_resolve(export: TimetableExport) -> dict[str, int | None]:
    """EDT: (name, first name); UDT: « NOM P. » (name and first initial); exactly one teacher each."""
    by_name, by_initial = _teacher_index()
    found: dict[str, int | None] = {}
    for teacher in export.teachers:
        candidates: list[Person] = []
        if teacher.last_name and teacher.first_name:
            candidates = by_name.get((_norm(teacher.last_name), _norm(teacher.first_name)), [])
        elif teacher.display_name:
            words = _norm(teacher.display_name).split()
            if len(words) >= 2 and len(words[-1]) == 1:
                candidates = by_initial.get((" ".join(words[:-1]), words[-1]), [])
            elif len(words) >= 2:  # « NOM Prénom »
                candidates = by_name.get((words[0], " ".join(words[1:])), [])
        found[teacher.key] = candidates[0].pk if len(candidates) == 1 else None
    return found


def _rooms_resolve(export: TimetableExport, report: ImportReport) -> dict[str, int]:
    index = {_norm(name): pk for pk, name in Room.objects.values_list("pk", "name")}
    used = {k for lesson in export.lessons for k in lesson.room_keys}
    ids: dict[str, int] = {}
    for room in export.rooms:
        if room.key not in used:
            continue
        name = (room.name or room.key)[:60]
        pk = index.get(_norm(name))
        if pk is None:
            pk = Room.objects.create(name=name).pk
            index[_norm(name)] = pk
            report.created["rooms"] += 1
        else:
            report.unchanged["rooms"] += 1
        ids[room.key] = pk
    return ids


def _grid_sync(
    export: TimetableExport, file_format: str, report: ImportReport
) -> dict[int, dict[int, TimeSlot]]:
    """The school's grid as {day: {index: slot}}, replaced by the EDT grid when the file has one.

    A cell of the EDT grid stays closed on a day whose current cells never overlap its time (Wednesday
    afternoon), unless a lesson of the file is there.
    """
    current = list(TimeSlot.objects.all())
    if export.grid is not None and export.grid.slots:
        lesson_cells = {
            (lesson.day - 1, lesson.start_slot + offset)
            for lesson in export.lessons
            if lesson.start_slot is not None
            for offset in range(lesson.slot_count or 1)
        }
        open_days = {slot.day for slot in current} | {day for day, _ in lesson_cells if 0 <= day <= 5}
        if not open_days:
            open_days = {0, 1, 2, 3, 4}
        wanted: set[tuple[int, int, time, time]] = set()
        for day in open_days:
            today = [s for s in current if s.day == day]
            for place in export.grid.slots:
                overlaps = any(s.starts_at < place.end and place.start < s.ends_at for s in today)
                if not today or overlaps or (day, place.number) in lesson_cells:
                    wanted.add((day, place.number, place.start, place.end))
        have = {(s.day, s.index, s.starts_at, s.ends_at) for s in current}
        if wanted != have:
            if Lesson.objects.exclude(source=file_format).exists():
                raise ImportRefused(
                    code="grid_conflict",
                    message=(
                        f"{export.file} : la grille horaire du fichier diffère de celle de l'établissement, "
                        "qui a déjà des séances placées autrement (génération, saisie, autre import). "
                        "Retirez ces séances ou alignez la grille, puis recommencez."
                    ),
                    file=export.file,
                    element="GrilleHoraire",
                )
            lunch = {(s.day, s.index) for s in current if s.is_lunch}
            TimeSlot.objects.all().delete()
            TimeSlot.objects.bulk_create(
                TimeSlot(day=d, index=i, starts_at=start, ends_at=end, is_lunch=(d, i) in lunch)
                for d, i, start, end in sorted(wanted)
            )
            report.deleted["time_slots"] += len(have - wanted)
            report.created["time_slots"] += len(wanted - have)
            report.unchanged["time_slots"] += len(wanted & have)
            current = list(TimeSlot.objects.all())
        else:
            report.unchanged["time_slots"] += len(have)
    cells: dict[int, dict[int, TimeSlot]] = defaultdict(dict)
    for slot in current:
        cells[slot.day][slot.index] = slot
    return cells


def _cells_of(
    lesson: PlacedLesson, day: int, cells: dict[int, dict[int, TimeSlot]], file_format: str, file: str
) -> tuple[int, int]:
    """(first slot index, number of slots) of a lesson on the school's grid."""
    today = cells.get(day, {})
    if file_format == ImportFormat.EDT and lesson.start_slot is not None:
        first, count = lesson.start_slot, lesson.slot_count or 1
    else:
        starting = [s for s in today.values() if s.starts_at == lesson.start]
        first = starting[0].index if starting else -1
        count = 1
        if starting and lesson.end is not None:
            ending = [s for s in today.values() if s.ends_at == lesson.end and s.index >= first]
            count = ending[0].index - first + 1 if ending else 0
    if first < 0 or count < 1 or not all(first + k in today for k in range(count)):
        when = lesson.start.strftime("%H:%M") + (f"–{lesson.end:%H:%M}" if lesson.end else "")
        raise ImportRefused(
            code="slot_outside_grid",
            message=(
                f"{file}, {_where(lesson)} : le cours de {when} ne correspond à aucun créneau de la grille "
                "horaire de l'établissement. Corrigez la grille puis recommencez."
            ),
            file=file,
            line=lesson.line,
        )
    if count > MAX_DURATION:
        raise ImportRefused(
            code="bad_time",
            message=f"{file}, {_where(lesson)} : un cours dure plus de {MAX_DURATION} créneaux.",
            file=file,
            line=lesson.line,
        )
    return first, count


def _patterns_resolve(export: TimetableExport, report: ImportReport, unknown: _Unknown) -> dict[Any, int]:
    """Week pattern of each distinct lesson rhythm: every week, the school's A/B, or explicit weeks."""
    result: dict[Any, int] = {}
    every: WeekPattern | None = None
    by_code = {p.code.upper(): p for p in WeekPattern.objects.all()}
    by_weeks = {tuple(sorted(p.iso_weeks)): p for p in WeekPattern.objects.exclude(kind=PatternKind.EVERY)}
    for weeks in {lesson.weeks for lesson in export.lessons}:
        if weeks.every_week:
            every = every or _every_week_pattern(report)
            result[weeks] = every.pk
        elif weeks.weeks is not None and export.first_week_start is not None:
            iso = tuple(sorted({d.isocalendar().week for d in weeks.dates(export.first_week_start)}))
            pattern = by_weeks.get(iso)
            if pattern is None:
                code = f"{export.source.value.upper()}-{_key(iso)[:8]}"
                pattern = WeekPattern.objects.create(
                    code=code,
                    label=f"Semaines importées ({len(iso)} sem.)",
                    kind=PatternKind.CUSTOM,
                    iso_weeks=list(iso),
                )
                by_weeks[iso] = pattern
                report.created["week_patterns"] += 1
            result[weeks] = pattern.pk
        else:
            found = by_code.get(weeks.label.upper())
            if found is None:
                line = next((lesson.line for lesson in export.lessons if lesson.weeks == weeks), None)
                unknown.add(f"rythme de semaines « {weeks.label} »", line)
            else:
                result[weeks] = found.pk
    return result


def _lessons_write(resolved: Sequence[_Resolved], source: str, file: str, report: ImportReport) -> None:
    """Courses matched or created, then this source's lessons made equal to the file's."""
    by_course: dict[tuple[object, ...], list[_Resolved]] = defaultdict(list)
    seen_cells: set[tuple[tuple[object, ...], int, int]] = set()
    for item in resolved:
        cell = (item.course_key, item.day, item.slot)
        if cell in seen_cells:
            report.ignored["lessons"] += 1
            continue
        seen_cells.add(cell)
        by_course[item.course_key].append(item)
    courses = {
        _course_key(c): c
        for c in Course.objects.filter(subject_id__in={k[0] for k in by_course}).prefetch_related(
            "teachers", "classes", "groups"
        )
    }
    other_lessons = set(Lesson.objects.exclude(source=source).values_list("course_id", flat=True).distinct())
    used_course_ids: set[int] = set()
    plan: list[tuple[Course, list[_Resolved]]] = []
    for key, items in by_course.items():
        course = courses.get(key)
        if course is not None and course.pk in other_lessons:
            raise ImportRefused(
                code="course_already_placed",
                message=(
                    f"{file} : le cours de {course.subject.label} a déjà des séances placées autrement "
                    "(génération, saisie ou autre import). Retirez-les puis recommencez."
                ),
                file=file,
                line=items[0].lesson.line,
            )
        if course is None:
            first = items[0]
            course = Course.objects.create(
                subject_id=first.subject_id,
                duration=first.duration,
                sessions_per_week=min(len(items), MAX_SESSIONS),
                week_pattern_id=first.pattern_id,
                room_kind="",
                source=source,
                source_key=_key(*key),
            )
            course.teachers.set(first.teacher_ids)
            course.classes.set(first.class_ids)
            course.groups.set(first.group_ids)
            report.created["courses"] += 1
        elif course.sessions_per_week != min(len(items), MAX_SESSIONS):
            course.sessions_per_week = min(len(items), MAX_SESSIONS)
            course.save(update_fields=["sessions_per_week"])
            report.updated["courses"] += 1
        else:
            report.unchanged["courses"] += 1
        if len(items) > MAX_SESSIONS:
            raise ImportRefused(
                code="bad_value",
                message=f"{file} : un cours a plus de {MAX_SESSIONS} séances par semaine.",
                file=file,
                line=items[0].lesson.line,
            )
        used_course_ids.add(course.pk)
        plan.append((course, sorted(items, key=lambda i: (i.day, i.slot))))

    existing: dict[tuple[int, int, int], Lesson] = {
        (lesson.course_id, lesson.day, lesson.slot): lesson for lesson in Lesson.objects.filter(source=source)
    }
    wanted_cells = {(course.pk, i.day, i.slot) for course, items in plan for i in items}
    stale = [lesson.pk for cell, lesson in existing.items() if cell not in wanted_cells]
    if stale:
        Lesson.objects.filter(pk__in=stale).delete()
        report.deleted["lessons"] += len(stale)
    to_create: list[Lesson] = []
    for course, items in plan:
        kept = [existing[(course.pk, i.day, i.slot)] for i in items if (course.pk, i.day, i.slot) in existing]
        same = all(
            (lesson.session, lesson.room_id, lesson.week_pattern_id) == (n, i.room_id, i.pattern_id)
            for n, i in enumerate(items)
            if (lesson := existing.get((course.pk, i.day, i.slot))) is not None
        )
        if not same and kept:  # renumber through free numbers: (course, session) is unique
            Lesson.objects.filter(pk__in=[lesson.pk for lesson in kept]).update(session=F("session") + 1000)
        for n, item in enumerate(items):
            lesson = existing.get((course.pk, item.day, item.slot))
            if lesson is None:
                to_create.append(
                    Lesson(
                        course=course,
                        session=n,
                        day=item.day,
                        slot=item.slot,
                        room_id=item.room_id,
                        week_pattern_id=item.pattern_id,
                        source=source,
                        source_key=_key(course.source_key or course.pk, item.day, item.slot),
                    )
                )
                report.created["lessons"] += 1
            elif (lesson.session, lesson.room_id, lesson.week_pattern_id) != (
                n,
                item.room_id,
                item.pattern_id,
            ) or not same:
                lesson.session, lesson.room_id, lesson.week_pattern_id = n, item.room_id, item.pattern_id
                lesson.save(update_fields=["session", "room", "week_pattern", "updated_at"])
                report.updated["lessons"] += 1
            else:
                report.unchanged["lessons"] += 1
    Lesson.objects.bulk_create(to_create)
    # Courses this source created earlier and no longer uses go away with their (source) lessons.
    orphans = (
        Course.objects.filter(source=source).exclude(pk__in=used_course_ids).exclude(lessons__isnull=False)
    )
    removed = orphans.count()
    if removed:
        Course.objects.filter(pk__in=list(orphans.values_list("pk", flat=True))).delete()
        report.deleted["courses"] += removed
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS lesson_room_free IMMEDIATE")
            cursor.execute("SET CONSTRAINTS lesson_room_free DEFERRED")
    except IntegrityError as exc:
        raise ImportRefused(
            code="room_conflict",
            message=(
                f"{file} : deux séances occupent la même salle au même moment pour les mêmes semaines. "
                "Corrigez l'emploi du temps d'origine puis recommencez."
            ),
            file=file,
        ) from exc


def _course_key(course: Course) -> tuple[object, ...]:
    return (
        course.subject_id,
        tuple(sorted(t.pk for t in course.teachers.all())),
        tuple(sorted(c.pk for c in course.classes.all())),
        tuple(sorted(g.pk for g in course.groups.all())),
        course.duration,
        course.week_pattern_id,
    )


IMPORTERS: dict[str, Callable[..., ImportReport]] = {
    ImportFormat.STS: sts_import,
    ImportFormat.EDT: edt_import,
    ImportFormat.UDT: udt_import,
}


def timetable_import(
    *,
    actor: Person | None,
    file_format: str,
    data: bytes,
    file_name: str,
    on_progress: ProgressCallback | None = None,
) -> ImportReport:
    """Import one file of the given format (``sts``, ``edt``, ``udt``) now, in one transaction."""
    return IMPORTERS[file_format](actor=actor, data=data, file_name=file_name, on_progress=on_progress)


# ---- large files: a Celery task with progress ----------------------------------------------------


def _progress_key(run_id: int) -> str:
    return f"timetable-import-progress:{run_id}"


def import_progress(*, run_id: int) -> tuple[int, int, str] | None:
    """(done, total, phase) of a running import, from the cache (the import's transaction is open)."""
    from django.core.cache import cache

    value = cache.get(_progress_key(run_id))
    return tuple(value) if value else None  # type: ignore[return-value]


@transaction.atomic
def import_run_start(*, actor: Person, file_format: str, data: bytes, file_name: str) -> ImportRun:
    """Keep a large file and import it in the background (queue « imports »)."""
    _check_size(data, file_name)
    run = ImportRun.objects.create(
        file_format=file_format, file_name=file_name[:200], content=data, size=len(data), requested_by=actor
    )
    audit_record(actor=actor, action="timetable.import_queued", target=run, data={"format": file_format})
    enqueue_on_commit(import_run_task, run_id=run.pk)
    return run


def import_run_execute(*, run_id: int) -> ImportRun:
    """Body of the import task; a run no longer queued is left as it is (at-least-once delivery)."""
    from django.core.cache import cache

    with transaction.atomic():
        run = ImportRun.objects.select_for_update().get(pk=run_id)
        if run.status != ImportStatus.QUEUED:
            return run
        run.status = ImportStatus.RUNNING
        run.save(update_fields=["status"])
    data = bytes(run.content or b"")

    def progress(done: int, total: int, phase: str) -> None:
        cache.set(_progress_key(run_id), [done, total, phase], PROGRESS_CACHE_SECONDS)

    try:
        with transaction.atomic():
            report = timetable_import(
                actor=run.requested_by,
                file_format=run.file_format,
                data=data,
                file_name=run.file_name,
                on_progress=progress,
            )
            run.status, run.report = ImportStatus.DONE, report.as_dict()
            run.content, run.finished_at = None, timezone.now()
            run.save()
    except ImportRefused as exc:
        run.status, run.error = ImportStatus.REFUSED, exc.as_dict()
        run.content, run.finished_at = None, timezone.now()
        run.save()
    except Exception:
        run.status, run.content, run.finished_at = ImportStatus.FAILED, None, timezone.now()
        run.error = {"code": "internal_error", "message": "L'import a échoué à cause d'une erreur interne."}
        run.save()
        raise
    finally:
        cache.delete(_progress_key(run_id))
    return run


def import_submit(
    *, actor: Person, file_format: str, data: bytes, file_name: str
) -> ImportReport | ImportRun:
    """What the page and the API call: a small file is imported now (its report comes back, or
    ImportRefused), a large one is queued (its run comes back, to follow its progress)."""
    if len(data) > SYNC_LIMIT_BYTES:
        return import_run_start(actor=actor, file_format=file_format, data=data, file_name=file_name)
    return timetable_import(actor=actor, file_format=file_format, data=data, file_name=file_name)


def import_run_out(run: ImportRun) -> dict[str, Any]:
    """A run as the API and the page show it, with its live progress while it runs."""
    progress = import_progress(run_id=run.pk) if run.is_active else None
    return {
        "id": run.pk,
        "status": run.status,
        "status_label": run.get_status_display(),
        "file_format": run.file_format,
        "file_name": run.file_name,
        "size": run.size,
        "report": run.report,
        "error": run.error,
        "progress": {"done": progress[0], "total": progress[1], "phase": progress[2]} if progress else None,
        "percent": round(100 * progress[0] / progress[1]) if progress and progress[1] else 0,
        "created_at": run.created_at,
        "finished_at": run.finished_at,
    }
