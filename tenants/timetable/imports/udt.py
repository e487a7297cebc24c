"""Parser of the UnDeuxTemps (UDT) exports of a timetable → ``PlacedLesson`` records.

The handbook (interop-timetable.md §4) documents UDT's export as a zip of ``UDCal_NN.xml`` files:
``parse_udt`` hands a zip to ``udt_archive.parse_udt_archive``. The handbook found no public CSV
layout; the CSV read here (UDT's « Emploi du temps » search) is the one GEPI's UDT importer documents
for the export « UDT (profil concepteur) > Recherche > Emploi du temps > Rechercher »: one lesson
per line, columns ``Jour; Heure; Div; Matière; Professeur; Salle; Groupe; Regroup; Eff; Mo; Freq;
Aire``, a header line, ``Heure`` written ``8h00 - 9h35``. It stays **unverified** against a real
export, so the reader is tolerant where it costs nothing:

* encoding: UTF-8 (with or without BOM), UTF-16 with BOM, else Windows-1252 (the handbook says
  nothing; Windows tools write it); bytes valid in none of them → ``bad_encoding``;
* separator: ``;``, tab (the « TXT » export) or ``,``, whichever the first line uses most;
* header: matched without case, accents or punctuation, with aliases (``Division``, ``Classe``,
  ``Matiere``…), extra columns ignored; a file without header (GEPI asks to remove it) is read
  by position when its first cell is a day.

Mapping to the common model: ``Div`` → class, ``Groupe`` → part of that class, ``Regroup`` →
cross-class group, ``Freq`` → ``WeekPattern.label`` (weeks not listed: the school maps labels such
as A/B to weeks), ``Mo`` → modality, ``Eff`` → headcount. Lines of one regroupement (same day,
times, subject, teacher, room, weeks and ``Regroup``, one line per division) are merged into one
lesson with all their classes.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import io
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field

from ._common import Source, class_part_key, file_label, is_zip, parse_clock, read_bytes
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
from .udt_archive import parse_udt_archive

# canonical name → (column title as UDT writes it, normalised aliases)
COLUMNS: dict[str, tuple[str, frozenset[str]]] = {
    "day": ("Jour", frozenset({"jour", "jours"})),
    "time": ("Heure", frozenset({"heure", "heures", "horaire", "horaires"})),
    "class": ("Div", frozenset({"div", "division", "divisions", "classe", "classes"})),
    "subject": ("Matière", frozenset({"matiere", "matieres", "mat"})),
    "teacher": ("Professeur", frozenset({"professeur", "professeurs", "prof", "profs", "enseignant"})),
    "room": ("Salle", frozenset({"salle", "salles"})),
    "class_part": ("Groupe", frozenset({"groupe", "groupes", "gpe"})),
    "group": ("Regroup", frozenset({"regroup", "regroupement", "regroupements", "rgpmt"})),
    "headcount": ("Eff", frozenset({"eff", "effectif", "effectifs"})),
    "modality": ("Mo", frozenset({"mo", "modalite", "modalites"})),
    "weeks": ("Freq", frozenset({"freq", "frequence", "frequences"})),
    "area": ("Aire", frozenset({"aire"})),
}
POSITIONAL_ORDER: tuple[str, ...] = tuple(COLUMNS)  # GEPI's order, for files without header
REQUIRED_COLUMNS: tuple[str, ...] = ("day", "time", "subject")
SEPARATORS = (";", "\t", ",")

DAYS: dict[str, int] = {
    "lundi": 1, "lu": 1, "lun": 1,
    "mardi": 2, "ma": 2, "mar": 2,
    "mercredi": 3, "me": 3, "mer": 3,
    "jeudi": 4, "je": 4, "jeu": 4,
    "vendredi": 5, "ve": 5, "ven": 5,
    "samedi": 6, "sa": 6, "sam": 6,
    "dimanche": 7, "di": 7, "dim": 7,
}  # fmt: skip
DAY_NAMES = ("Lundi", "Mardi", "Mercredi", "Jeudi", "Vendredi", "Samedi", "Dimanche")
_TIME_SPLIT_RE = re.compile(r"\s*[-–à]\s*")


def parse_udt(source: Source, *, file_name: str | None = None) -> TimetableExport:
    """Parse a UDT timetable export: the zip of UDCal XML files, or the CSV (or TXT) search export."""
    file = file_label(source, file_name)
    data = read_bytes(source)
    if not data.strip():
        raise TimetableImportError(file=file, code="empty_file", reason="le fichier est vide")
    if is_zip(data):
        return parse_udt_archive(data, file=file)
    text = decode_text(data, file=file)
    if text.lstrip().startswith("<"):
        raise TimetableImportError(
            file=file, code="bad_csv_header", reason="ce fichier est du XML, pas un export CSV d'UDT", line=1
        )
    return _UdtReader(file, text).read()


def decode_text(data: bytes, *, file: str) -> str:
    """UTF-8 (BOM optional), UTF-16 with BOM, else Windows-1252; ``bad_encoding`` otherwise."""
    if data.startswith(codecs.BOM_UTF8):
        return _decode(
            data[len(codecs.BOM_UTF8) :], "utf-8", file=file, offset=len(codecs.BOM_UTF8), whole=data
        )
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _decode(data, "utf-16", file=file, offset=0, whole=data)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = _decode(data, "cp1252", file=file, offset=0, whole=data)
    if "\x00" in text:
        raise TimetableImportError(
            file=file,
            code="bad_encoding",
            reason="le fichier contient des octets nuls : ce n'est pas un texte CSV",
            line=text.count("\n", 0, text.index("\x00")) + 1,
        )
    return text


def _decode(chunk: bytes, encoding: str, *, file: str, offset: int, whole: bytes) -> str:
    try:
        return chunk.decode(encoding)
    except UnicodeDecodeError as exc:
        line = whole[: offset + exc.start].count(b"\n") + 1
        raise TimetableImportError(
            file=file,
            code="bad_encoding",
            reason=(
                "le fichier contient des caractères illisibles : enregistrez-le en UTF-8 ou en Windows-1252"
            ),
            line=line,
        ) from exc


def normalise(value: str) -> str:
    """Lower case, no accents, letters and digits only: « Matière » → « matiere »."""
    decomposed = unicodedata.normalize("NFKD", value)
    return "".join(char for char in decomposed if char.isalnum() and not unicodedata.combining(char)).lower()


def parse_day(value: str) -> int | None:
    text = normalise(value)
    if text.isdigit() and 1 <= int(text) <= 7:
        return int(text)
    return DAYS.get(text)


def parse_time_range(value: str) -> tuple[datetime.time, datetime.time | None]:
    """``8h00 - 9h35`` → (8:00, 9:35); ``8h00`` → (8:00, None). ValueError when unreadable."""
    parts = [part for part in _TIME_SPLIT_RE.split(value.strip()) if part]
    if len(parts) not in (1, 2):
        raise ValueError(value)
    start = parse_clock(parts[0])
    end = parse_clock(parts[1]) if len(parts) == 2 else None
    return start, end


@dataclass
class _Lesson:
    line: int
    day: int
    start: datetime.time
    end: datetime.time | None
    weeks_label: str
    subject: str
    teacher: str
    room: str
    group: str
    modality: str
    headcounts: list[int | None] = field(default_factory=list)
    classes: list[str] = field(default_factory=list)
    class_parts: list[str] = field(default_factory=list)


class _UdtReader:
    def __init__(self, file: str, text: str) -> None:
        self.file = file
        self.text = text

    def error(self, code: str, reason: str, *, line: int | None = None, column: str | None = None) -> None:
        raise TimetableImportError(file=self.file, code=code, reason=reason, line=line, element=column)

    def read(self) -> TimetableExport:
        separator = self.separator()
        reader = csv.reader(io.StringIO(self.text, newline=""), delimiter=separator)
        rows = self.rows(reader)
        first = next(rows, None)
        if first is None:
            self.error("empty_file", "le fichier ne contient aucune ligne")
        assert first is not None
        first_line, first_cells = first
        positions = self.header(first_cells, first_line)
        lessons: dict[tuple[object, ...], _Lesson] = {}
        if positions is None:  # no header: GEPI's column order, first line is data
            positions = {name: index for index, name in enumerate(POSITIONAL_ORDER)}
            self.add_row(first_line, first_cells, positions, lessons)
        for line, cells in rows:
            self.add_row(line, cells, positions, lessons)
        return self.export(list(lessons.values()))

    def separator(self) -> str:
        first_line = next((line for line in self.text.splitlines() if line.strip()), "")
        counts = {separator: first_line.count(separator) for separator in SEPARATORS}
        best = max(SEPARATORS, key=lambda separator: counts[separator])
        if counts[best] == 0:
            self.error(
                "bad_csv_header",
                "aucun séparateur de colonnes (point-virgule, tabulation ou virgule) sur la première ligne",
                line=1,
            )
        return best

    def rows(self, reader: Iterator[list[str]]) -> Iterator[tuple[int, list[str]]]:
        line = 0
        try:
            for cells in reader:
                line = reader.line_num  # type: ignore[attr-defined]
                if any(cell.strip() for cell in cells):
                    yield line, [cell.strip() for cell in cells]
        except csv.Error as exc:
            self.error("bad_csv_header", f"ligne CSV illisible ({exc})", line=line + 1)

    def header(self, cells: list[str], line: int) -> dict[str, int] | None:
        positions: dict[str, int] = {}
        for index, cell in enumerate(cells):
            key = normalise(cell)
            for name, (_title, aliases) in COLUMNS.items():
                if key in aliases and name not in positions:
                    positions[name] = index
        if not positions and cells and parse_day(cells[0]) is not None:
            return None
        missing = [COLUMNS[name][0] for name in REQUIRED_COLUMNS if name not in positions]
        if missing:
            self.error(
                "bad_csv_header",
                "colonnes obligatoires absentes de la ligne d'en-tête : " + ", ".join(missing),
                line=line,
            )
        return positions

    def add_row(
        self,
        line: int,
        cells: list[str],
        positions: dict[str, int],
        lessons: dict[tuple[object, ...], _Lesson],
    ) -> None:
        def cell(name: str) -> str:
            index = positions.get(name)
            return cells[index] if index is not None and index < len(cells) else ""

        day_text = cell("day")
        if not day_text:
            self.error("missing_field", "le jour est vide", line=line, column="Jour")
        day = parse_day(day_text)
        if day is None:
            self.error(
                "bad_day",
                "le jour n'est pas un jour de la semaine (Lundi … Dimanche)",
                line=line,
                column="Jour",
            )
        assert day is not None
        time_text = cell("time")
        if not time_text:
            self.error("missing_field", "l'heure est vide", line=line, column="Heure")
        try:
            start, end = parse_time_range(time_text)
        except ValueError:
            self.error(
                "bad_time", "l'heure doit s'écrire « 8h00 - 8h55 » ou « 8h00 »", line=line, column="Heure"
            )
        if end is not None and end <= start:
            self.error("bad_time", "le cours finit avant de commencer", line=line, column="Heure")
        subject = cell("subject")
        if not subject:
            self.error("missing_field", "la matière est vide", line=line, column="Matière")
        division, part, group = cell("class"), cell("class_part"), cell("group")
        if not division and not group:
            self.error(
                "missing_field",
                "ni classe (Div) ni regroupement (Regroup) pour ce cours",
                line=line,
                column="Div",
            )
        if part and not division:
            self.error("missing_field", "un groupe est donné sans sa classe (Div)", line=line, column="Div")
        headcount_text = cell("headcount")
        headcount = None
        if headcount_text:
            if not headcount_text.isdigit():
                self.error("bad_value", "l'effectif doit être un nombre entier", line=line, column="Eff")
            headcount = int(headcount_text)
        teacher, room, weeks_label, modality = cell("teacher"), cell("room"), cell("weeks"), cell("modality")
        # One line per division for a regroupement: the lines of one lesson share everything else.
        merge_key: tuple[object, ...] = (
            (day, start, end, weeks_label, subject, teacher, room, group, modality)
            if group
            else ("line", line)
        )
        lesson = lessons.get(merge_key)
        if lesson is None:
            lesson = lessons[merge_key] = _Lesson(
                line=line,
                day=day,
                start=start,
                end=end,
                weeks_label=weeks_label,
                subject=subject,
                teacher=teacher,
                room=room,
                group=group,
                modality=modality,
            )
        lesson.headcounts.append(headcount)
        if division and division not in lesson.classes:
            lesson.classes.append(division)
        if part:
            part_key = class_part_key(division, part)
            if part_key not in lesson.class_parts:
                lesson.class_parts.append(part_key)

    def export(self, lessons: list[_Lesson]) -> TimetableExport:
        subjects: dict[str, TimetableSubject] = {}
        teachers: dict[str, TimetableTeacher] = {}
        classes: dict[str, TimetableClass] = {}
        class_parts: dict[str, TimetableClassPart] = {}
        groups: dict[str, tuple[list[str], list[str]]] = {}
        rooms: dict[str, TimetableRoom] = {}
        placed: list[PlacedLesson] = []
        for lesson in lessons:
            subjects.setdefault(
                lesson.subject,
                TimetableSubject(key=lesson.subject, code=lesson.subject, label=lesson.subject),
            )
            if lesson.teacher:
                teachers.setdefault(
                    lesson.teacher, TimetableTeacher(key=lesson.teacher, display_name=lesson.teacher)
                )
            if lesson.room:
                rooms.setdefault(lesson.room, TimetableRoom(key=lesson.room, name=lesson.room))
            for division in lesson.classes:
                classes.setdefault(division, TimetableClass(key=division, name=division))
            for part_key in lesson.class_parts:
                division, _, name = part_key.partition("/")
                class_parts.setdefault(
                    part_key, TimetableClassPart(key=part_key, class_key=division, name=name)
                )
            if lesson.group:
                members = groups.setdefault(lesson.group, ([], []))
                members[0].extend(key for key in lesson.classes if key not in members[0])
                members[1].extend(key for key in lesson.class_parts if key not in members[1])
            distinct_headcounts = set(lesson.headcounts)
            placed.append(
                PlacedLesson(
                    day=lesson.day,
                    start=lesson.start,
                    end=lesson.end,
                    weeks=WeekPattern(label=lesson.weeks_label, weeks=None),
                    subject_key=lesson.subject,
                    teacher_keys=(lesson.teacher,) if lesson.teacher else (),
                    class_keys=tuple(lesson.classes),
                    class_part_keys=tuple(lesson.class_parts),
                    group_keys=(lesson.group,) if lesson.group else (),
                    room_keys=(lesson.room,) if lesson.room else (),
                    modality=lesson.modality,
                    headcount=distinct_headcounts.pop() if len(distinct_headcounts) == 1 else None,
                    line=lesson.line,
                )
            )
        return TimetableExport(
            file=self.file,
            source=TimetableSource.UDT,
            subjects=tuple(subjects[key] for key in sorted(subjects)),
            teachers=tuple(teachers[key] for key in sorted(teachers)),
            classes=tuple(classes[key] for key in sorted(classes)),
            class_parts=tuple(class_parts[key] for key in sorted(class_parts)),
            groups=tuple(
                TimetableGroup(
                    key=key, name=key, class_keys=tuple(groups[key][0]), class_part_keys=tuple(groups[key][1])
                )
                for key in sorted(groups)
            ),
            rooms=tuple(rooms[key] for key in sorted(rooms)),
            lessons=tuple(placed),
        )
