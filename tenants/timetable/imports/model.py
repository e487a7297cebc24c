"""Result records of the timetable imports (STS-Web, EDT, UDT) and the one error type they raise.

Pure data: no Django, no ORM. Every record is a frozen dataclass so that a parsed file can be
compared, hashed and handed to a Celery task without surprises. The Django importer maps these
records to models; the parsers never write anything.

Two families:

* ``Sts*``: the STS-Web ``sts_emp_<UAI>_<année>.xml`` export (structures and teachers' services,
  no weekly slots), see handbook/interop-timetable.md §2.
* ``Timetable*`` / ``PlacedLesson``: an existing timetable, read from the EDT export (its encrypted
  envelope or the decrypted XML) or the UDT export. Both produce the same records; what a source
  cannot say is ``None``.

Every reference between records is a *key* local to the file (EDT ``Ident``, STS code or id,
UDT cell value): the importer resolves keys to MBN rows, the parser only checks that each key
it meets was declared in the same file.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from enum import IntEnum, StrEnum

# --- Errors ------------------------------------------------------------------------------------------

# Stable English codes: clients and tests depend on them, never rename one once shipped.
ERROR_CODES: frozenset[str] = frozenset(
    {
        "not_xml",  # not well-formed XML (or empty)
        "wrong_root",  # well-formed XML of another kind
        "not_sts_web",  # STS_EDT file produced by a private timetable tool (APPLICATION_SOURCE)
        "missing_field",  # a mandatory element, attribute or cell is absent or empty
        "bad_value",  # a value of the wrong shape (number, code, civility…)
        "bad_date",  # a date that is not AAAA-MM-JJ or does not exist
        "bad_time",  # a time that cannot be read, or an end before its start
        "bad_day",  # a day that is not a day of the week
        "bad_weeks",  # an EDT week mask that is not a number
        "unknown_reference",  # a key used but never declared in the same file
        "duplicate",  # a key declared twice
        "uai_mismatch",  # the UAI of the file name, the content or the school disagree
        "year_mismatch",  # the year of the file name and of the content disagree
        "bad_archive",  # a zip that cannot be read or holds no (or several) candidate files
        "bad_encoding",  # bytes that decode neither as UTF-8 nor as Windows-1252
        "bad_csv_header",  # no separator, or mandatory columns missing from the header
        "empty_file",  # nothing to read
        # The EDT envelope (EXPORT_INDEX_EDUCATION), see edt_envelope.py:
        "edt_key_not_configured",  # an envelope, but this platform has no (readable) private key for it
        "partner_key_missing",  # no CLES/PARTENAIRE for our partner name
        "key_unreadable",  # our PARTENAIRE key does not decrypt with our private key (or bad base64)
        "key_checksum",  # the decrypted AES key and IV do not match their MD5
        "content_unreadable",  # CONTENU: bad base64, AES padding or zlib stream, or too large inflated
        "content_checksum",  # VERIFICATION does not match the content's SHA-256
    }
)


class TimetableImportError(ValueError):
    """A file cannot be accepted: the whole import is rejected with this report line.

    ``file`` is the file name as uploaded, ``line`` the 1-based line when known, ``element`` the
    path of the XML element (tags only, never values) or the CSV column. ``reason`` is French, for
    the administrator, and never carries personal data (no names, no birth dates, no ids of people).
    """

    def __init__(
        self,
        *,
        file: str,
        code: str,
        reason: str,
        line: int | None = None,
        element: str | None = None,
    ) -> None:
        if code not in ERROR_CODES:
            raise ValueError(f"unknown timetable import error code {code!r}")
        self.file = file
        self.code = code
        self.reason = reason
        self.line = line
        self.element = element
        super().__init__(str(self))

    @property
    def line_or_element(self) -> str:
        """Where, in French: « ligne 12 (DIVISION) », « ligne 3 », « élément UAJ »…"""
        if self.line is not None and self.element:
            return f"ligne {self.line} ({self.element})"
        if self.line is not None:
            return f"ligne {self.line}"
        if self.element:
            return f"élément {self.element}"
        return "fichier entier"

    def __str__(self) -> str:
        return f"{self.file}, {self.line_or_element} : {self.reason} [{self.code}]"


# --- STS-Web (structures and services) --------------------------------------------------------------


class Civility(IntEnum):
    """``CIVILITE`` of an STS individual."""

    M = 1  # M.
    MME = 2  # Mme
    MLLE = 3  # Mlle (still found in old records)

    @property
    def label(self) -> str:
        return {Civility.M: "M.", Civility.MME: "Mme", Civility.MLLE: "Mlle"}[self]


class StructureKind(StrEnum):
    """What a service is attached to: a whole class (``DIVISION``) or a group (``GROUPE``)."""

    DIVISION = "division"
    GROUP = "group"


@dataclass(frozen=True, slots=True, kw_only=True)
class StsSchool:
    uai: str  # PARAMETRES/UAJ/@CODE, upper case
    year: int  # PARAMETRES/ANNEE_SCOLAIRE/@ANNEE: starting year (2025 for 2025-2026)
    name: str = ""  # DENOM_PRINC + DENOM_COMPL when present


@dataclass(frozen=True, slots=True, kw_only=True)
class StsSubject:
    code: str  # MATIERE/@CODE: 6-digit BCN code (key of services)
    management_code: str = ""  # CODE_GESTION: MATHS, AGL1…
    short_label: str = ""  # LIBELLE_COURT
    long_label: str = ""  # LIBELLE_LONG

    @property
    def label(self) -> str:
        return self.long_label or self.short_label or self.management_code or self.code


@dataclass(frozen=True, slots=True, kw_only=True)
class StsMef:
    code: str  # NOMENCLATURES/MEFS/MEF/@CODE (11 digits)
    short_label: str = ""  # LIBELLE_COURT
    long_label: str = ""  # LIBELLE_LONG
    edition_label: str = ""  # LIBELLE_EDITION

    @property
    def label(self) -> str:
        return self.long_label or self.edition_label or self.short_label or self.code


@dataclass(frozen=True, slots=True, kw_only=True)
class StsDivision:
    """A class (« division »)."""

    code: str  # DIVISION/@CODE, e.g. 4B
    label: str = ""  # LIBELLE_LONG
    mef_codes: tuple[str, ...] = ()  # MEFS_APPARTENANCE/MEF_APPARTENANCE/@CODE, in file order


@dataclass(frozen=True, slots=True, kw_only=True)
class StsGroup:
    """A group; with several divisions it is a cross-class « regroupement »."""

    code: str  # GROUPE/@CODE
    label: str = ""  # LIBELLE_LONG
    division_codes: tuple[str, ...] = ()  # DIVISIONS_APPARTENANCE/DIVISION_APPARTENANCE/@CODE


@dataclass(frozen=True, slots=True, kw_only=True)
class StsService:
    """One teacher teaching one subject to one division or group (``SERVICE``/``ENSEIGNANT``)."""

    structure_kind: StructureKind
    structure_code: str  # DIVISION/@CODE or GROUPE/@CODE
    subject_code: str  # SERVICE/@CODE_MATIERE (key into subjects)
    teacher_id: str  # ENSEIGNANT/@ID (key into individuals)
    teacher_type: str = ""  # ENSEIGNANT/@TYPE: epp | local
    modality: str = ""  # SERVICE/@CODE_MOD_COURS: CG (cours général), TP, TD…
    # Weekly hours: the public STS readers show no per-service volume in sts_emp files, so the
    # parser leaves this None; it is filled from EDT/UDT placed lessons when those are imported.
    weekly_hours: Decimal | None = None
    line: int | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class StsDiscipline:
    code: str  # DISCIPLINE/@CODE, e.g. L1300
    short_label: str = ""  # LIBELLE_COURT
    hours: Decimal | None = None  # NB_HEURES: the teacher's hours in this discipline


@dataclass(frozen=True, slots=True, kw_only=True)
class StsMainTeacherOf:
    """``PROFS_PRINC/PROF_PRINC``: professeur principal of a structure until ``end``."""

    structure_code: str  # CODE_STRUCTURE
    end: datetime.date | None = None  # DATE_FIN


@dataclass(frozen=True, slots=True, kw_only=True)
class StsIndividual:
    """A member of staff (``INDIVIDU``). ``id`` is the STS id LSU needs as ``id-sts``."""

    id: str  # INDIVIDU/@ID
    type: str = ""  # INDIVIDU/@TYPE: epp | local
    civility: Civility | None = None  # CIVILITE
    last_name: str = ""  # NOM_USAGE
    birth_name: str = ""  # NOM_PATRONYMIQUE
    first_name: str = ""  # PRENOM
    birth_date: datetime.date | None = None  # DATE_NAISSANCE
    function: str = ""  # FONCTION: ENS, EDU, DIR, DOC…; empty on long leave or retirement
    grade: str = ""  # GRADE
    disciplines: tuple[StsDiscipline, ...] = ()
    main_teacher_of: tuple[StsMainTeacherOf, ...] = ()
    line: int | None = field(default=None, compare=False)

    @property
    def is_teacher(self) -> bool:
        return self.function == "ENS"


@dataclass(frozen=True, slots=True, kw_only=True)
class StsExport:
    """Everything read from one STS-Web file, in file order."""

    file: str
    school: StsSchool
    subjects: tuple[StsSubject, ...] = ()
    mefs: tuple[StsMef, ...] = ()
    divisions: tuple[StsDivision, ...] = ()
    groups: tuple[StsGroup, ...] = ()
    individuals: tuple[StsIndividual, ...] = ()
    # Services of individuals that have a FONCTION; links to individuals without one (long leave,
    # retirement) are dropped as the handbook says, and counted here.
    services: tuple[StsService, ...] = ()
    ignored_services: int = 0

    @property
    def teachers(self) -> tuple[StsIndividual, ...]:
        return tuple(individual for individual in self.individuals if individual.is_teacher)

    def services_of(self, teacher_id: str) -> tuple[StsService, ...]:
        return tuple(service for service in self.services if service.teacher_id == teacher_id)


# --- Existing timetable (EDT, UDT) -------------------------------------------------------------------


class TimetableSource(StrEnum):
    EDT = "edt"  # Index Éducation EDT export for ENTs (encrypted envelope or decrypted XML)
    UDT = "udt"  # UnDeuxTemps, CSV export of the « Emploi du temps » search


@dataclass(frozen=True, slots=True, kw_only=True)
class GridSlot:
    number: int  # EDT Place/@Numero (0 = first place of the day)
    start: datetime.time
    end: datetime.time


@dataclass(frozen=True, slots=True, kw_only=True)
class Grid:
    slot_minutes: int | None  # EDT GrilleHoraire/@DureePlace
    slots: tuple[GridSlot, ...] = ()

    def slot(self, number: int) -> GridSlot | None:
        for slot in self.slots:
            if slot.number == number:
                return slot
        return None


@dataclass(frozen=True, slots=True, kw_only=True)
class WeekPattern:
    """When a lesson takes place.

    ``weeks`` is the explicit set of the source's week numbers (EDT: week 1 starts on
    ``TimetableExport.first_week_start``), or None when the source does not list weeks: then
    ``label`` is the source's own name for the pattern (UDT « Freq » cell), "" meaning every week.
    The importer turns both into the school's ``SemainePattern`` (explicit ISO weeks).
    """

    label: str = ""
    weeks: frozenset[int] | None = None

    @property
    def every_week(self) -> bool:
        return self.weeks is None and self.label == ""

    def dates(self, first_week_start: datetime.date) -> Iterator[datetime.date]:
        """First day of each listed week (nothing when the weeks are not listed)."""
        for week in sorted(self.weeks or ()):
            yield first_week_start + datetime.timedelta(weeks=week - 1)


@dataclass(frozen=True, slots=True, kw_only=True)
class TimetableSubject:
    key: str  # EDT Matiere/@Ident; UDT « Matière » cell
    code: str = ""  # EDT Matiere/@Code (school subject code); UDT: the cell
    label: str = ""  # EDT Matiere/@Libelle (or @Nom); UDT: the cell


@dataclass(frozen=True, slots=True, kw_only=True)
class TimetableTeacher:
    key: str  # EDT Professeur/@Ident; UDT « Professeur » cell
    external_id: str = ""  # EDT @IDPN (Pronote/EDT person id), first choice for matching
    last_name: str = ""  # EDT @Nom
    first_name: str = ""  # EDT @Prenom
    birth_date: datetime.date | None = None  # EDT @DateNaissance
    display_name: str = ""  # UDT: the cell as written (« DURAND P. »); EDT: « NOM Prénom »


@dataclass(frozen=True, slots=True, kw_only=True)
class TimetableClass:
    key: str  # EDT Classe/@Ident; UDT « Div » cell
    name: str = ""  # EDT @Nom; UDT: the cell


@dataclass(frozen=True, slots=True, kw_only=True)
class TimetableClassPart:
    """Part of one class (EDT ``PartieDeClasse``; UDT « Groupe » within a « Div »)."""

    key: str
    class_key: str
    name: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class TimetableGroup:
    """Cross-class group, « regroupement » (EDT ``Groupe``; UDT « Regroup »)."""

    key: str
    name: str = ""
    class_keys: tuple[str, ...] = ()
    class_part_keys: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class TimetableRoom:
    key: str  # EDT Salle/@Ident; UDT « Salle » cell
    name: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class PlacedLesson:
    """A weekly lesson at a fixed day and time, with the same resources on every listed week.

    An EDT ``Cours`` whose resources change during the year (another teacher from week 10, a
    room on A weeks only…) becomes several PlacedLessons, one per distinct set of resources.
    """

    day: int  # ISO weekday: 1 = Monday … 7 = Sunday
    start: datetime.time
    end: datetime.time | None  # None when the source gives only a start (UDT « 8h00 »)
    weeks: WeekPattern
    subject_key: str | None  # None for an EDT course without Matiere
    teacher_keys: tuple[str, ...] = ()
    class_keys: tuple[str, ...] = ()
    class_part_keys: tuple[str, ...] = ()
    group_keys: tuple[str, ...] = ()
    room_keys: tuple[str, ...] = ()
    start_slot: int | None = None  # EDT NumeroPlaceDebut
    slot_count: int | None = None  # EDT NombrePlaces
    modality: str = ""  # UDT « Mo » (CG, TP…)
    headcount: int | None = None  # UDT « Eff »
    source_id: str = ""  # EDT Cours/@Ident when present
    line: int | None = field(default=None, compare=False)

    @property
    def duration_minutes(self) -> int | None:
        if self.end is None:
            return None
        return (self.end.hour * 60 + self.end.minute) - (self.start.hour * 60 + self.start.minute)


@dataclass(frozen=True, slots=True, kw_only=True)
class TimetableExport:
    """An existing timetable read from EDT or UDT. Catalogues are sorted by key."""

    file: str
    source: TimetableSource
    uai: str | None = None  # EDT: root @UAI when present; UDT: never in the file
    year_start: datetime.date | None = None  # EDT AnneeScolaire/@DateDebut
    year_end: datetime.date | None = None  # EDT AnneeScolaire/@DateFin
    first_week_start: datetime.date | None = None  # EDT @DatePremierJourSemaine1
    grid: Grid | None = None  # EDT GrilleHoraire; UDT has none
    subjects: tuple[TimetableSubject, ...] = ()
    teachers: tuple[TimetableTeacher, ...] = ()
    classes: tuple[TimetableClass, ...] = ()
    class_parts: tuple[TimetableClassPart, ...] = ()
    groups: tuple[TimetableGroup, ...] = ()
    rooms: tuple[TimetableRoom, ...] = ()
    lessons: tuple[PlacedLesson, ...] = ()
