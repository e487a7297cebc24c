"""Streaming parser of an existing timetable exported by Index Éducation EDT for an ENT.

The file EDT drops for an ENT is an envelope (``EXPORT_INDEX_EDUCATION``) whose content is
compressed then encrypted for the ENT partner (handbook/interop-timetable.md §3). ``parse_edt``
takes either that envelope or the decrypted timetable XML: an envelope is opened by
``edt_envelope.envelope_decrypt`` with the caller's partner name and private key (refused with
``edt_key_not_configured`` when there is none), then its content is parsed like a decrypted file.
Errors in the content name the uploaded file; their lines are lines of the decrypted XML.

Elements read, as the public importers read them: ``AnneeScolaire`` (``DatePremierJourSemaine1``,
``DateDebut``, ``DateFin``), ``GrilleHoraire`` (``DureePlace``, ``Place @Numero
@LibelleHeureDebut @LibelleHeureFin``), and the entities of the containers ``Matieres``,
``Professeurs``, ``Classes`` (with ``PartieDeClasse``), ``Groupes``, ``Salles`` and ``Cours``. Pupils
(``Eleves``) are skipped: a timetable import does not need them. The root's name is not relied on
(only its optional ``UAI`` attribute).

Weeks are bitmasks: bit *i* set in a child's ``Semaines`` (or ``SemainesInclusion``) means that
resource takes part in week *i* (week 1 starts on ``DatePremierJourSemaine1``); ``SemainesAnnulation``
removes weeks. A course whose resources differ between weeks becomes one ``PlacedLesson`` per
distinct set of resources, each with its explicit weeks. A child without a mask takes part in every
week of the course; a course with no mask at all runs every week (``weeks=None``).
"""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass
from typing import Any

from lxml import etree

from ._common import (
    Source,
    XmlReader,
    file_label,
    iter_xml,
    open_binary,
    parse_clock,
    path_of,
    release,
    source_line,
)
from .edt_envelope import ENVELOPE_TAG, envelope_decrypt
from .model import (
    Grid,
    GridSlot,
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

# Roots of other files a school could upload here by mistake.
_OTHER_ROOTS = {
    "STS_EDT": "un export STS-Web",
    "EDT_STS": "une remontée vers STS-Web",
    "HighSchoolTimetableArchive": "une archive XHSTT",
    "ficAlimMENESR": "un fichier de l'annuaire académique (AAF)",
}
# Course children kept, by tag; Materiel and Personnel are not resources of our model.
_CHILD_KINDS = ("Matiere", "Professeur", "Classe", "PartieDeClasse", "Groupe", "Salle")
_MAX_WEEK = 63


@dataclass(frozen=True, slots=True)
class _RawChild:
    kind: str
    ident: str
    weeks: frozenset[int] | None  # None: no mask, takes part in every week of the course


@dataclass(frozen=True, slots=True)
class _RawCourse:
    line: int | None
    path: str
    source_id: str
    day: int
    start_slot: int
    slot_count: int
    cancelled: frozenset[int]
    children: tuple[_RawChild, ...]


def parse_edt(
    source: Source,
    *,
    file_name: str | None = None,
    expected_uai: str | None = None,
    partner: str | None = None,
    private_key_pem: bytes | None = None,
) -> TimetableExport:
    """Parse an EDT export, its encrypted envelope or the decrypted XML.

    ``expected_uai`` is the importing school's UAI; ``partner`` and ``private_key_pem`` (our name in
    the envelope's ``CLES`` and our RSA key) open an envelope.
    """
    file = file_label(source, file_name)
    stream = open_binary(source)
    opened_here = stream is not source
    try:
        if not stream.seekable():
            stream = io.BytesIO(stream.read())
        start = stream.tell()
        try:
            export = _EdtReader(file).read(stream)
        except _EnvelopeFound:
            stream.seek(start)
            xml = envelope_decrypt(
                stream.read(),
                partner=partner,
                private_key_pem=private_key_pem,
                file_name=file,
                expected_uai=expected_uai,
            )
            export = _EdtReader(file, in_envelope=True).read(io.BytesIO(xml))
    finally:
        if opened_here:
            stream.close()
    if expected_uai is not None and export.uai is not None and export.uai != expected_uai.upper():
        raise TimetableImportError(
            file=file,
            code="uai_mismatch",
            reason=(
                f"ce fichier est l'emploi du temps de l'établissement {export.uai}, "
                f"pas de {expected_uai.upper()}"
            ),
            element="racine (attribut UAI)",
        )
    return export


def week_mask(weeks: frozenset[int] | set[int]) -> int:
    """The EDT bitmask of a set of week numbers (bit *i* = week *i*)."""
    mask = 0
    for week in weeks:
        mask |= 1 << week
    return mask


def weeks_of_mask(mask: int) -> frozenset[int]:
    return frozenset(week for week in range(1, max(mask.bit_length(), 1)) if mask >> week & 1)


class _EnvelopeFound(Exception):
    """The root is the encrypted envelope: the whole file is read again by edt_envelope."""


class _EdtReader(XmlReader):
    def __init__(self, file: str, *, in_envelope: bool = False) -> None:
        super().__init__(file)
        self.in_envelope = in_envelope
        self.uai: str | None = None
        self.year_seen = False
        self.first_week_start: datetime.date | None = None
        self.year_start: datetime.date | None = None
        self.year_end: datetime.date | None = None
        self.grid: Grid | None = None
        self.grid_line: int | None = None
        self.subjects: dict[str, TimetableSubject] = {}
        self.teachers: dict[str, TimetableTeacher] = {}
        self.classes: dict[str, TimetableClass] = {}
        self.class_parts: dict[str, TimetableClassPart] = {}
        self.groups: dict[str, TimetableGroup] = {}
        self.group_lines: dict[str, int | None] = {}
        self.rooms: dict[str, TimetableRoom] = {}
        self.courses: list[_RawCourse] = []
        self.entities_seen = 0

    def integer(self, element: etree._Element, attribute: str, what: str, *, minimum: int, code: str) -> int:
        text = self.required(element, attribute, what)
        try:
            value = int(text)
        except ValueError:
            value = minimum - 1
        if value < minimum:
            self.error(
                code,
                f"l'attribut {attribute} ({what}) doit être un entier supérieur ou égal à {minimum}",
                element,
            )
        return value

    def date(
        self, element: etree._Element, attribute: str, what: str, *, required: bool
    ) -> datetime.date | None:
        text = (element.get(attribute) or "").strip()
        if not text:
            if required:
                self.error("missing_field", f"l'attribut {attribute} ({what}) est absent ou vide", element)
            return None
        try:
            if "/" in text:  # JJ/MM/AAAA, seen in some exports
                day, month, year = (int(part) for part in text.split("/"))
                return datetime.date(year, month, day)
            return datetime.date.fromisoformat(text[:10])
        except ValueError:
            self.error("bad_date", f"l'attribut {attribute} ({what}) n'est pas une date valide", element)
        return None

    def mask(self, element: etree._Element, attribute: str) -> frozenset[int] | None:
        text = (element.get(attribute) or "").strip()
        if not text:
            return None
        try:
            value = int(text)
        except ValueError:
            value = -1
        if value < 0:
            self.error(
                "bad_weeks",
                f"l'attribut {attribute} doit être un masque de semaines (entier positif)",
                element,
            )
        return weeks_of_mask(value)

    def read(self, stream: Any) -> TimetableExport:
        root_checked = False
        for event, element in iter_xml(stream, file=self.file):
            if not root_checked:
                self.check_root(element)
                root_checked = True
                continue
            if event != "end":
                continue
            tag = str(element.tag)
            parent = element.getparent()
            parent_tag = str(parent.tag) if parent is not None else ""
            if tag == "AnneeScolaire":
                self.on_school_year(element)
            elif tag == "GrilleHoraire":
                self.on_grid(element)
            else:
                handler = _HANDLERS.get((tag, parent_tag))
                if handler is not None:
                    self.entities_seen += 1
                    handler(self, element)
                    release(element)
        if not root_checked:
            raise TimetableImportError(file=self.file, code="not_xml", reason="le fichier est vide", line=1)
        return self.finish()

    def check_root(self, root: etree._Element) -> None:
        tag = str(root.tag)
        if tag == ENVELOPE_TAG:
            if not self.in_envelope:
                raise _EnvelopeFound()
            self.error(
                "wrong_root", "l'enveloppe chiffrée d'EDT contient une autre enveloppe", root, path=tag
            )
        if tag in _OTHER_ROOTS:
            self.error(
                "wrong_root",
                f"ce fichier est {_OTHER_ROOTS[tag]}, pas un export d'emploi du temps EDT",
                root,
                path=tag,
            )
        uai = (root.get("UAI") or "").strip().upper()
        self.uai = uai or None

    def on_school_year(self, element: etree._Element) -> None:
        self.year_seen = True
        self.first_week_start = self.date(
            element, "DatePremierJourSemaine1", "premier jour de la semaine 1", required=True
        )
        self.year_start = self.date(element, "DateDebut", "début de l'année", required=False)
        self.year_end = self.date(element, "DateFin", "fin de l'année", required=False)

    def on_grid(self, element: etree._Element) -> None:
        slot_minutes = None
        if (element.get("DureePlace") or "").strip():
            slot_minutes = self.integer(
                element, "DureePlace", "durée d'une place", minimum=1, code="bad_value"
            )
        slots: dict[int, GridSlot] = {}
        for place in element.iter("Place"):
            number = self.integer(place, "Numero", "numéro de la place", minimum=0, code="bad_value")
            if number in slots:
                self.error("duplicate", f"la place {number} est déclarée deux fois dans la grille", place)
            start, end = (
                self.clock(place, attribute, what)
                for attribute, what in (
                    ("LibelleHeureDebut", "heure de début"),
                    ("LibelleHeureFin", "heure de fin"),
                )
            )
            if end <= start:
                self.error("bad_time", f"la place {number} finit avant de commencer", place)
            slots[number] = GridSlot(number=number, start=start, end=end)
        self.grid = Grid(slot_minutes=slot_minutes, slots=tuple(slots[number] for number in sorted(slots)))
        self.grid_line = source_line(element)

    def clock(self, element: etree._Element, attribute: str, what: str) -> datetime.time:
        text = self.required(element, attribute, what)
        try:
            return parse_clock(text)
        except ValueError:
            self.error("bad_time", f"l'attribut {attribute} ({what}) n'est pas une heure (HH:MM)", element)
        raise AssertionError("unreachable")

    def ident(self, element: etree._Element, what: str, catalogue: dict[str, Any]) -> str:
        ident = self.required(element, "Ident", f"identifiant {what}")
        if ident in catalogue:
            self.error("duplicate", f"l'identifiant {ident} ({what}) est déclaré deux fois", element)
        return ident

    def on_subject(self, element: etree._Element) -> None:
        key = self.ident(element, "de la matière", self.subjects)
        label = (element.get("Libelle") or element.get("Nom") or "").strip()
        self.subjects[key] = TimetableSubject(key=key, code=(element.get("Code") or "").strip(), label=label)

    def on_teacher(self, element: etree._Element) -> None:
        key = self.ident(element, "du professeur", self.teachers)
        last_name = (element.get("Nom") or "").strip()
        first_name = (element.get("Prenom") or "").strip()
        self.teachers[key] = TimetableTeacher(
            key=key,
            external_id=(element.get("IDPN") or "").strip(),
            last_name=last_name,
            first_name=first_name,
            birth_date=self.date(element, "DateNaissance", "date de naissance", required=False),
            display_name=" ".join(part for part in (last_name, first_name) if part),
        )

    def on_class(self, element: etree._Element) -> None:
        key = self.ident(element, "de la classe", self.classes)
        self.classes[key] = TimetableClass(key=key, name=(element.get("Nom") or "").strip())
        for part in element.iterfind("PartieDeClasse"):
            part_key = self.ident(part, "de la partie de classe", self.class_parts)
            self.class_parts[part_key] = TimetableClassPart(
                key=part_key, class_key=key, name=(part.get("Nom") or "").strip()
            )

    def on_group(self, element: etree._Element) -> None:
        key = self.ident(element, "du groupe", self.groups)
        self.groups[key] = TimetableGroup(
            key=key,
            name=(element.get("Nom") or "").strip(),
            class_keys=_unique(
                self.required(item, "Ident", "classe du groupe") for item in element.iterfind("Classe")
            ),
            class_part_keys=_unique(
                self.required(item, "Ident", "partie de classe du groupe")
                for item in element.iterfind("PartieDeClasse")
            ),
        )
        self.group_lines[key] = source_line(element)

    def on_room(self, element: etree._Element) -> None:
        key = self.ident(element, "de la salle", self.rooms)
        self.rooms[key] = TimetableRoom(key=key, name=(element.get("Nom") or "").strip())

    def on_pupil(self, element: etree._Element) -> None:
        """Pupils are not needed for the timetable: dropped unread."""

    def on_course(self, element: etree._Element) -> None:
        day = self.integer(element, "Jour", "jour du cours", minimum=1, code="bad_day")
        if day > 7:
            self.error("bad_day", "l'attribut Jour doit être compris entre 1 et 7", element)
        children = []
        for child in element:
            if child.tag in _CHILD_KINDS:
                weeks = self.mask(child, "Semaines")
                if weeks is None:
                    weeks = self.mask(child, "SemainesInclusion")
                children.append(
                    _RawChild(
                        kind=str(child.tag),
                        ident=self.required(child, "Ident", "ressource du cours"),
                        weeks=weeks,
                    )
                )
        self.courses.append(
            _RawCourse(
                line=source_line(element),
                path=path_of(element),
                source_id=(element.get("Ident") or "").strip(),
                day=day,
                start_slot=self.integer(
                    element, "NumeroPlaceDebut", "place de début", minimum=0, code="bad_value"
                ),
                slot_count=self.integer(
                    element, "NombrePlaces", "nombre de places", minimum=1, code="bad_value"
                ),
                cancelled=self.mask(element, "SemainesAnnulation") or frozenset(),
                children=tuple(children),
            )
        )

    # -- After the last element

    def finish(self) -> TimetableExport:
        if not self.year_seen:
            if self.entities_seen == 0 and self.grid is None:
                raise TimetableImportError(
                    file=self.file,
                    code="wrong_root",
                    reason="ce fichier ne contient pas d'emploi du temps EDT (ni année scolaire, ni cours)",
                    element="racine",
                )
            raise TimetableImportError(
                file=self.file,
                code="missing_field",
                reason="l'élément AnneeScolaire (premier jour de la semaine 1) est absent",
                element="AnneeScolaire",
            )
        assert self.first_week_start is not None
        for key, group in self.groups.items():
            for class_key in group.class_keys:
                self.check_reference(
                    class_key, self.classes, "une classe", self.group_lines[key], "Groupe/Classe"
                )
            for part_key in group.class_part_keys:
                self.check_reference(
                    part_key,
                    self.class_parts,
                    "une partie de classe",
                    self.group_lines[key],
                    "Groupe/PartieDeClasse",
                )
        lessons: list[PlacedLesson] = []
        if self.courses and self.grid is None:
            raise TimetableImportError(
                file=self.file,
                code="missing_field",
                reason="la grille horaire (GrilleHoraire) est absente : les heures des cours sont inconnues",
                element="GrilleHoraire",
            )
        for course in self.courses:
            lessons.extend(self.lessons_of(course))
        return TimetableExport(
            file=self.file,
            source=TimetableSource.EDT,
            uai=self.uai,
            year_start=self.year_start,
            year_end=self.year_end,
            first_week_start=self.first_week_start,
            grid=self.grid,
            subjects=_sorted(self.subjects),
            teachers=_sorted(self.teachers),
            classes=_sorted(self.classes),
            class_parts=_sorted(self.class_parts),
            groups=_sorted(self.groups),
            rooms=_sorted(self.rooms),
            lessons=tuple(lessons),
        )

    def check_reference(
        self, key: str, catalogue: dict[str, Any], what: str, line: int | None, path: str
    ) -> None:
        if key not in catalogue:
            raise TimetableImportError(
                file=self.file,
                code="unknown_reference",
                reason=f"l'identifiant {key} désigne {what} qui n'est pas déclarée dans le fichier",
                line=line,
                element=path,
            )

    def lessons_of(self, course: _RawCourse) -> list[PlacedLesson]:
        assert self.grid is not None
        assert self.first_week_start is not None
        catalogues: dict[str, tuple[dict[str, Any], str]] = {
            "Matiere": (self.subjects, "une matière"),
            "Professeur": (self.teachers, "un professeur"),
            "Classe": (self.classes, "une classe"),
            "PartieDeClasse": (self.class_parts, "une partie de classe"),
            "Groupe": (self.groups, "un groupe"),
            "Salle": (self.rooms, "une salle"),
        }
        for child in course.children:
            catalogue, what = catalogues[child.kind]
            self.check_reference(child.ident, catalogue, what, course.line, f"{course.path}/{child.kind}")
        first = self.grid.slot(course.start_slot)
        last = self.grid.slot(course.start_slot + course.slot_count - 1)
        if first is None or last is None:
            raise TimetableImportError(
                file=self.file,
                code="bad_time",
                reason=(
                    f"le cours occupe les places {course.start_slot} à "
                    f"{course.start_slot + course.slot_count - 1}, "
                    "absentes de la grille horaire"
                ),
                line=course.line,
                element=course.path,
            )
        day = (self.first_week_start.isoweekday() - 1 + course.day - 1) % 7 + 1
        masked = [child for child in course.children if child.weeks is not None]
        if not masked:
            segments: list[tuple[tuple[_RawChild, ...], frozenset[int] | None]] = [(course.children, None)]
        else:
            all_weeks = (
                frozenset().union(*(child.weeks or frozenset() for child in masked)) - course.cancelled
            )
            by_resources: dict[tuple[_RawChild, ...], set[int]] = {}
            for week in sorted(all_weeks):
                active = tuple(
                    child for child in course.children if child.weeks is None or week in child.weeks
                )
                by_resources.setdefault(active, set()).add(week)
            segments = [(active, frozenset(weeks)) for active, weeks in by_resources.items()]

        lessons = []
        for active, weeks in segments:

            def keys(kind: str, active: tuple[_RawChild, ...] = active) -> tuple[str, ...]:
                return _unique(child.ident for child in active if child.kind == kind)

            subjects = keys("Matiere")
            lessons.append(
                PlacedLesson(
                    day=day,
                    start=first.start,
                    end=last.end,
                    weeks=WeekPattern(label="", weeks=weeks),
                    subject_key=subjects[0] if subjects else None,
                    teacher_keys=keys("Professeur"),
                    class_keys=keys("Classe"),
                    class_part_keys=keys("PartieDeClasse"),
                    group_keys=keys("Groupe"),
                    room_keys=keys("Salle"),
                    start_slot=course.start_slot,
                    slot_count=course.slot_count,
                    source_id=course.source_id,
                    line=course.line,
                )
            )
        return lessons


def _unique(values: Any) -> tuple[str, ...]:
    return tuple(dict.fromkeys(values))


def _sorted(catalogue: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(catalogue[key] for key in sorted(catalogue))


_HANDLERS: dict[tuple[str, str], Any] = {
    ("Matiere", "Matieres"): _EdtReader.on_subject,
    ("Professeur", "Professeurs"): _EdtReader.on_teacher,
    ("Classe", "Classes"): _EdtReader.on_class,
    ("Groupe", "Groupes"): _EdtReader.on_group,
    ("Salle", "Salles"): _EdtReader.on_room,
    ("Eleve", "Eleves"): _EdtReader.on_pupil,
    ("Cours", "Cours"): _EdtReader.on_course,
}

__all__ = ["ENVELOPE_TAG", "parse_edt", "week_mask", "weeks_of_mask"]
