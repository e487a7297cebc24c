"""Parser of the UnDeuxTemps (UDT) export as a zip of ``UDCal_NN.xml`` files → ``TimetableExport``.

The handbook (interop-timetable.md §4) lists the files and the element each carries, as the public
ENT importers read them. What is read here:

========================  ====================================================================
``UDCal_24.xml``          calendar: ``annee``, ``debut_eleve``, ``fin_eleve`` (``JJ/MM/AAAA``)
``UDCal_00.xml``          parameters: ``init @premiere_semaine_ISO`` (anchors week numbers)
``UDCal_03.xml``          rooms ``salle @code @nom``
``UDCal_04.xml``          teachers ``prof @code @epj @nom @prenom``
``UDCal_05.xml``          subjects ``mat @code @libelle @code_gep1``
``UDCal_07.xml``          grid: half-sequences ``demi_seq @code_jour @code @code_site @hre_deb @hre_fin``
``UDCal_08.xml``          classes ``div @code @libelle``
``UDCal_19.xml``          class parts ``gpe @code @code_div``
``UDCal_13.xml``          cross-class groups ``rgpmt @code @nom @code_div``
``UDCal_11.xml``          « fiches-T »: one cell each, ``fiche @code @jour @demi_seq @site``
``UDCal_12.xml``          lines of fiches-T, the theoretical week: ``ligfiche @code @fic @div @mat
                          @prof @salle @rgpmt @gpe``
``UDCal_23.xml``          co-teaching ``coens @lignefic @prof``: more teachers for a line
``UDCal_12_<WW>.xml``     the lines of ISO week ``WW`` (and ``UDCal_23_<WW>.xml`` its co-teaching)
========================  ====================================================================

A lesson is a run of lines of one (class, subject, teacher, cross-class group, class part) whose
codes follow each other (the first three digits of ``ligfiche @code`` count the half-sequences):
it starts at the first line's cell and ends at the last one's. The lines of one cross-class group
(one per class) make one lesson with all their classes, as in the CSV export.

Weeks: the lessons of the theoretical week (``UDCal_12.xml``) take place every week. A lesson met
only in weekly files (alternating weeks, a one-off week) takes place in exactly those ISO weeks,
counted from the Monday of ``premiere_semaine_ISO`` in the year of ``debut_eleve``.

UDT half-sequences are finer than a school's slots, so the export carries no grid: the lessons'
start and end times must match the school's grid, as with the CSV export.
"""

from __future__ import annotations

import datetime
import io
import re
from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from ._common import class_part_key, iter_xml, parse_clock, release, source_line, unzip_members
from .model import (
    PlacedLesson,
    TimetableClass,
    TimetableClassPart,
    TimetableExport,
    TimetableGroup,
    TimetableImportError,
    TimetableRoom,
    TimetableSource,
    TimetableSubject,
    TimetableTeacher,
    WeekPattern,
)

REQUIRED_MEMBERS = ("UDCal_07.xml", "UDCal_11.xml", "UDCal_12.xml")
_MEMBER_RE = re.compile(r"^(udcal_[0-9]{2}(_[0-9]{2})?|semaines)\.xml$", re.IGNORECASE)
_WEEKLY_RE = re.compile(r"^udcal_(12|23)_([0-9]{2})\.xml$", re.IGNORECASE)
_NO_GROUP = ("", "0")  # ``rgpmt="0"``: the line belongs to no cross-class group


def parse_udt_archive(data: bytes, *, file: str) -> TimetableExport:
    """Parse a UDT zip export (see the module docstring)."""
    members = unzip_members(data, file=file, member_pattern=_MEMBER_RE)
    return _ArchiveReader(file, {name.lower(): (name, content) for name, content in members.items()}).read()


@dataclass(frozen=True)
class _Row:
    """One element of a member: its attributes, where it is, and its text."""

    member: str
    tag: str
    values: dict[str, str]
    line: int | None
    text: str = ""

    def get(self, name: str) -> str:
        return self.values.get(name, "").strip()


@dataclass(frozen=True)
class _Cell:
    day: int
    start: datetime.time
    end: datetime.time | None


@dataclass
class _Lesson:
    line: int | None
    day: int
    start: datetime.time
    end: datetime.time | None
    subject: str
    teachers: tuple[str, ...]
    room: str
    group: str
    classes: list[str] = field(default_factory=list)
    class_parts: list[str] = field(default_factory=list)

    @property
    def key(self) -> tuple[object, ...]:
        return (
            self.day,
            self.start,
            self.end,
            self.subject,
            self.teachers,
            self.room,
            self.group,
            tuple(sorted(self.classes)),
            tuple(sorted(self.class_parts)),
        )


class _ArchiveReader:
    def __init__(self, file: str, members: dict[str, tuple[str, bytes]]) -> None:
        self.file = file
        self.members = members

    def error(
        self, code: str, reason: str, row: _Row | None = None, *, element: str | None = None
    ) -> TimetableImportError:
        return TimetableImportError(
            file=self.file,
            code=code,
            reason=reason,
            line=row.line if row is not None else None,
            element=f"{row.member} › {row.tag}" if row is not None else element,
        )

    def rows(self, member: str, *tags: str) -> Iterator[_Row]:
        """Elements named ``tags`` of ``member``, in one pass (a missing optional member has none)."""
        found = self.members.get(member.lower())
        if found is None:
            return
        name, content = found
        for event, element in iter_xml(io.BytesIO(content), file=f"{self.file} › {name}"):
            if event == "end" and element.tag in tags:
                values = {str(k): str(v) for k, v in element.attrib.items()}
                tag = str(element.tag)
                yield _Row(name, tag, values, source_line(element), (element.text or "").strip())
                release(element)

    def required(self, row: _Row, attribute: str, what: str) -> str:
        value = row.get(attribute)
        if not value:
            raise self.error("missing_field", f"l'attribut {attribute} ({what}) est absent ou vide", row)
        return value

    def read(self) -> TimetableExport:
        for member in REQUIRED_MEMBERS:
            if member.lower() not in self.members:
                raise self.error("bad_archive", f"le fichier {member} est absent de l'archive UDT")
        year_start, year_end = self.calendar()
        first_week_start = self.first_week_start(year_start)
        subjects = {
            row.get("code"): TimetableSubject(
                key=row.get("code"), code=row.get("code_gep1") or row.get("code"), label=row.get("libelle")
            )
            for row in self.rows("UDCal_05.xml", "mat")
        }
        teachers = {
            row.get("code"): TimetableTeacher(
                key=row.get("code"),
                external_id=row.get("epj"),
                last_name=row.get("nom"),
                first_name=row.get("prenom"),
                display_name=f"{row.get('nom')} {row.get('prenom')}".strip(),
            )
            for row in self.rows("UDCal_04.xml", "prof")
        }
        rooms = {
            row.get("code"): TimetableRoom(key=row.get("code"), name=row.get("nom") or row.get("code"))
            for row in self.rows("UDCal_03.xml", "salle")
        }
        classes = {
            row.get("code"): TimetableClass(key=row.get("code"), name=row.get("code"))
            for row in self.rows("UDCal_08.xml", "div")
        }
        parts = {
            class_part_key(row.get("code_div"), row.get("code")): TimetableClassPart(
                key=class_part_key(row.get("code_div"), row.get("code")),
                class_key=row.get("code_div"),
                name=row.get("code"),
            )
            for row in self.rows("UDCal_19.xml", "gpe")
        }
        group_rows: dict[str, list[_Row]] = defaultdict(list)
        for row in self.rows("UDCal_13.xml", "rgpmt"):
            group_rows[self.required(row, "code", "code du regroupement")].append(row)
        cells = self.cells()
        catalogues = _Catalogues(subjects, teachers, rooms, classes, parts, group_rows)

        theoretical = self.lessons("UDCal_12.xml", "UDCal_23.xml", cells, catalogues)
        every_week = {lesson.key for lesson in theoretical}
        weekly: dict[tuple[object, ...], tuple[_Lesson, set[int]]] = {}
        for week, (lines_member, coens_member) in sorted(self.weekly_members().items()):
            if first_week_start is None:
                raise self.error(
                    "missing_field",
                    "les fichiers par semaine exigent la première semaine (UDCal_00.xml, "
                    "init/@premiere_semaine_ISO) et la rentrée (UDCal_24.xml, debut_eleve)",
                    element="UDCal_00.xml › init",
                )
            index = _week_index(week, first_week_start)
            for lesson in self.lessons(lines_member, coens_member, cells, catalogues):
                if lesson.key not in every_week:
                    weekly.setdefault(lesson.key, (lesson, set()))[1].add(index)

        placed = [_placed(lesson, WeekPattern()) for lesson in theoretical]
        placed += [_placed(lesson, WeekPattern(weeks=frozenset(weeks))) for lesson, weeks in weekly.values()]
        used_groups = {key for lesson in placed for key in lesson.group_keys}
        return TimetableExport(
            file=self.file,
            source=TimetableSource.UDT,
            year_start=year_start,
            year_end=year_end,
            first_week_start=first_week_start,
            subjects=tuple(subjects[key] for key in sorted(subjects)),
            teachers=tuple(teachers[key] for key in sorted(teachers)),
            classes=tuple(classes[key] for key in sorted(classes)),
            class_parts=tuple(parts[key] for key in sorted(parts)),
            groups=tuple(catalogues.group(key) for key in sorted(used_groups)),
            rooms=tuple(rooms[key] for key in sorted(rooms)),
            lessons=tuple(placed),
        )

    # --- calendar and grid --------------------------------------------------------------------------

    def calendar(self) -> tuple[datetime.date | None, datetime.date | None]:
        dates: dict[str, datetime.date] = {}
        for row in self.rows("UDCal_24.xml", "debut_eleve", "fin_eleve"):
            try:
                dates[row.tag] = datetime.datetime.strptime(row.text, "%d/%m/%Y").date()
            except ValueError:
                raise self.error("bad_date", "la date doit s'écrire JJ/MM/AAAA", row) from None
        return dates.get("debut_eleve"), dates.get("fin_eleve")

    def first_week_start(self, year_start: datetime.date | None) -> datetime.date | None:
        for row in self.rows("UDCal_00.xml", "init"):
            text = row.get("premiere_semaine_ISO")
            if not text or year_start is None:
                return None
            if not text.isdigit() or not 1 <= int(text) <= 53:
                raise self.error("bad_value", "premiere_semaine_ISO doit être un numéro de semaine", row)
            try:
                return datetime.date.fromisocalendar(year_start.year, int(text), 1)
            except ValueError:
                raise self.error("bad_value", "cette semaine n'existe pas cette année-là", row) from None
        return None

    def cells(self) -> dict[str, tuple[_Cell, _Row]]:
        """Fiche-T code → (day and times of its half-sequence, the fiche's row)."""
        half_sequences: dict[tuple[str, str, str], tuple[datetime.time, datetime.time | None]] = {}
        for row in self.rows("UDCal_07.xml", "demi_seq"):
            day = self.required(row, "code_jour", "jour")
            key = (day, _number(self.required(row, "code", "code")), row.get("code_site"))
            start = self.clock(row, "hre_deb", required=True)
            assert start is not None
            half_sequences[key] = (start, self.clock(row, "hre_fin"))
        cells: dict[str, tuple[_Cell, _Row]] = {}
        for row in self.rows("UDCal_11.xml", "fiche"):
            code = self.required(row, "code", "code de la fiche")
            day_text = self.required(row, "jour", "jour")
            if not day_text.isdigit() or not 1 <= int(day_text) <= 7:
                raise self.error("bad_day", "le jour doit être un nombre de 1 (lundi) à 7 (dimanche)", row)
            key = (day_text, _number(self.required(row, "demi_seq", "demi-séquence")), row.get("site"))
            times = half_sequences.get(key)
            if times is None:
                raise self.error(
                    "unknown_reference", "la demi-séquence de cette fiche est absente de UDCal_07.xml", row
                )
            cells[code] = (_Cell(int(day_text), times[0], times[1]), row)
        return cells

    def clock(self, row: _Row, attribute: str, *, required: bool = False) -> datetime.time | None:
        text = self.required(row, attribute, "heure") if required else row.get(attribute)
        if not text:
            return None
        try:
            return parse_clock(text)
        except ValueError:
            raise self.error("bad_time", "l'heure doit s'écrire « 08:00 » ou « 8h00 »", row) from None

    # --- lessons ------------------------------------------------------------------------------------

    def weekly_members(self) -> dict[int, tuple[str, str]]:
        """ISO week → (its lines member, its co-teaching member)."""
        weeks: dict[int, tuple[str, str]] = {}
        for name in self.members:
            match = _WEEKLY_RE.match(name)
            if match and match.group(1) == "12":
                week = int(match.group(2))
                weeks[week] = (name, f"udcal_23_{week:02d}.xml")
        return weeks

    def lessons(
        self, lines_member: str, coens_member: str, cells: dict[str, tuple[_Cell, _Row]], known: _Catalogues
    ) -> list[_Lesson]:
        co_teachers: dict[str, list[str]] = defaultdict(list)
        for row in self.rows(coens_member, "coens"):
            teacher = self.required(row, "prof", "enseignant")
            known.check(self, row, teacher, known.teachers, "cet enseignant est absent de UDCal_04.xml")
            co_teachers[self.required(row, "lignefic", "ligne de fiche")].append(teacher)
        runs: dict[tuple[str, ...], list[tuple[int, _Row]]] = defaultdict(list)
        for row in self.rows(lines_member, "ligfiche"):
            division = row.get("div")
            if not division:  # a line without class (a meeting, a duty): not a lesson
                continue
            code = self.required(row, "code", "code de la ligne")
            if not code[:3].isdigit():
                raise self.error("bad_value", "le code de ligne doit commencer par trois chiffres", row)
            group = "" if row.get("rgpmt") in _NO_GROUP else row.get("rgpmt")
            key = (division, row.get("mat"), row.get("prof"), group, row.get("gpe"))
            runs[key].append((int(code[:3]), row))
        merged: dict[tuple[object, ...], _Lesson] = {}
        for (division, subject, teacher, group, part), lines in runs.items():
            lines.sort(key=lambda item: (item[0], item[1].get("code")))
            for run in _consecutive(lines, cells, self):
                first, last = run[0][1], run[-1][1]
                start_cell, end_cell = cells[first.get("fic")][0], cells[last.get("fic")][0]
                known.check(self, first, division, known.classes, "cette classe est absente de UDCal_08.xml")
                known.check(self, first, subject, known.subjects, "cette matière est absente de UDCal_05.xml")
                if not subject:
                    raise self.error("missing_field", "la matière de la ligne est vide", first)
                named = ([teacher] if teacher else []) + co_teachers.get(first.get("code"), [])
                teachers = tuple(dict.fromkeys(named))
                for name in teachers:
                    known.check(
                        self, first, name, known.teachers, "cet enseignant est absent de UDCal_04.xml"
                    )
                room = first.get("salle")
                known.check(self, first, room, known.rooms, "cette salle est absente de UDCal_03.xml")
                if group and group not in known.group_rows:
                    raise self.error("unknown_reference", "ce regroupement est absent de UDCal_13.xml", first)
                part_key = class_part_key(division, part) if part else ""
                known.check(self, first, part_key, known.parts, "ce groupe est absent de UDCal_19.xml")
                end = end_cell.end
                if end is not None and end <= start_cell.start:
                    raise self.error("bad_time", "le cours finit avant de commencer", last)
                lesson = _Lesson(
                    line=first.line,
                    day=start_cell.day,
                    start=start_cell.start,
                    end=end,
                    subject=subject,
                    teachers=teachers,
                    room=room,
                    group=group,
                )
                merge_key: tuple[object, ...] = (
                    (lesson.day, lesson.start, lesson.end, subject, teachers, room, group)
                    if group
                    else ("line", first.member, first.line, first.get("code"))
                )
                lesson = merged.setdefault(merge_key, lesson)
                if division not in lesson.classes:
                    lesson.classes.append(division)
                if part_key and part_key not in lesson.class_parts:
                    lesson.class_parts.append(part_key)
        return list(merged.values())


@dataclass(frozen=True)
class _Catalogues:
    subjects: dict[str, TimetableSubject]
    teachers: dict[str, TimetableTeacher]
    rooms: dict[str, TimetableRoom]
    classes: dict[str, TimetableClass]
    parts: dict[str, TimetableClassPart]
    group_rows: dict[str, list[_Row]]

    @staticmethod
    def check(
        reader: _ArchiveReader, row: _Row, key: str, catalogue: Mapping[str, object], reason: str
    ) -> None:
        if key and key not in catalogue:
            raise reader.error("unknown_reference", reason, row)

    def group(self, key: str) -> TimetableGroup:
        rows = self.group_rows[key]
        classes = list(dict.fromkeys(row.get("code_div") for row in rows if row.get("code_div")))
        parts = list(
            dict.fromkeys(
                class_part_key(row.get("code_div"), row.get("code_gpe"))
                for row in rows
                if row.get("code_gpe")
            )
        )
        name = next((row.get("nom") for row in rows if row.get("nom")), key)
        return TimetableGroup(key=key, name=name, class_keys=tuple(classes), class_part_keys=tuple(parts))


def _consecutive(
    lines: list[tuple[int, _Row]], cells: dict[str, tuple[_Cell, _Row]], reader: _ArchiveReader
) -> Iterator[list[tuple[int, _Row]]]:
    """Runs of lines whose numbers follow each other on one day."""
    run: list[tuple[int, _Row]] = []
    for number, row in lines:
        fiche = reader.required(row, "fic", "fiche")
        if fiche not in cells:
            raise reader.error(
                "unknown_reference", "la fiche de cette ligne est absente de UDCal_11.xml", row
            )
        if run and (number != run[-1][0] + 1 or cells[fiche][0].day != cells[run[-1][1].get("fic")][0].day):
            yield run
            run = []
        run.append((number, row))
    if run:
        yield run


def _placed(lesson: _Lesson, weeks: WeekPattern) -> PlacedLesson:
    return PlacedLesson(
        day=lesson.day,
        start=lesson.start,
        end=lesson.end,
        weeks=weeks,
        subject_key=lesson.subject,
        teacher_keys=lesson.teachers,
        class_keys=tuple(lesson.classes),
        class_part_keys=tuple(lesson.class_parts),
        group_keys=(lesson.group,) if lesson.group else (),
        room_keys=(lesson.room,) if lesson.room else (),
        line=lesson.line,
    )


def _week_index(iso_week: int, first_week_start: datetime.date) -> int:
    """1-based week of the school year (week 1 starts on ``first_week_start``) of an ISO week number."""
    first = first_week_start.isocalendar()
    weeks_in_year = datetime.date(first.year, 12, 28).isocalendar().week
    return (iso_week - first.week) % weeks_in_year + 1


def _number(text: str) -> str:
    """``"03"`` and ``"3"`` name the same half-sequence."""
    return text.lstrip("0") or "0"
