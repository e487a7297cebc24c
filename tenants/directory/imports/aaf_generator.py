"""Deterministic synthetic AAF exports, for tests, demos and benchmarks. Every person is invented.

``generate`` writes a full export ("Complet") of any size with flat memory: nothing is kept per
person. Each family and each staff member is a pure function of ``(seed, its index)`` (its own
``random.Random``), so a school's file set, or a delta, can regenerate exactly the people it needs
without holding the others.

Shape of a run (``people`` = N): ≈ 3 % teachers (some in two or three schools), ≈ 3 % other staff,
the rest split into families: one or two pupils (≈ 35 % of N), one or two responsables (≈ 59 %).
Some siblings attend two schools of the same académie, so their parents appear once, linked to
two schools. Codes marked "illustrative" below are not checked against the BCN.
"""

from __future__ import annotations

import datetime
import math
import random
import unicodedata
from collections.abc import Iterator, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import IO, Literal

from tenants.directory.imports.aaf_parser import ROOT_TAG, is_valid_uai
from tenants.directory.imports.aaf_records import CATEGORY_ATTRIBUTES, FileKind

Layout = Literal["academie", "school"]

MAX_PEOPLE = 10_000_000  # the numeric id ranges below hold this many
_STAFF_ID_BASE = 10_000_000
_OTHER_STAFF_ID_BASE = 15_000_000
_GUARDIAN_ID_BASE = 20_000_000
_STUDENT_ID_BASE = 30_000_000
_STRUCTURE_ID_BASE = 600_001

_TEACHER_SHARE = 0.03
_OTHER_STAFF_SHARE = 0.03
_SIBLINGS_PERCENT = 8  # families with two pupils: 1.08 pupils and 1.82 responsables per family
_SINGLE_PARENT_PERCENT = 18  # ⇒ ≈ 35 % pupils and ≈ 59 % responsables of N
_SPLIT_SIBLINGS_PER_4 = 1  # one sibling family in four has its children in two schools
_MULTI_SCHOOL_TEACHER_PERCENT = 15  # of which 4 points in three schools

_SALT_SCHOOL, _SALT_FAMILY, _SALT_FAMILY_RNG, _SALT_TEACHER, _SALT_OTHER, _SALT_DELTA = range(1, 7)
_MASK64 = (1 << 64) - 1

ACADEMIE_BY_DEPARTEMENT = {
    "054": "NANCY-METZ",
    "055": "NANCY-METZ",
    "057": "NANCY-METZ",
    "088": "NANCY-METZ",
    "008": "REIMS",
    "010": "REIMS",
    "051": "REIMS",
    "052": "REIMS",
    "067": "STRASBOURG",
    "068": "STRASBOURG",
}
_CITIES = {
    "054": ("NANCY", "LUNEVILLE", "TOUL"),
    "055": ("BAR-LE-DUC", "VERDUN"),
    "057": ("METZ", "THIONVILLE", "FORBACH", "SARREGUEMINES"),
    "088": ("EPINAL", "SAINT-DIE-DES-VOSGES"),
    "008": ("CHARLEVILLE-MEZIERES", "SEDAN"),
    "010": ("TROYES", "ROMILLY-SUR-SEINE"),
    "051": ("REIMS", "CHALONS-EN-CHAMPAGNE", "EPERNAY"),
    "052": ("CHAUMONT", "SAINT-DIZIER"),
    "067": ("STRASBOURG", "HAGUENAU", "SELESTAT", "SAVERNE"),
    "068": ("COLMAR", "MULHOUSE", "SAINT-LOUIS"),
}
_SCHOOL_NAMES = (
    "JEAN MOULIN", "VICTOR HUGO", "LOUISE WEISS", "LES TILLEULS", "JULES FERRY", "MARIE CURIE",
    "ALBERT SCHWEITZER", "PASTEUR", "ROBERT SCHUMAN", "GEORGES BRASSENS", "LA SALLE", "DU RIED",
    "SIMONE VEIL", "JEANNE D'ARC", "PAUL VERLAINE", "LES VOSGES", "CAMILLE CLAUDEL", "JEAN MACE",
)  # fmt: skip
_LAST_NAMES = (
    "MARTIN", "BERNARD", "THOMAS", "PETIT", "ROBERT", "RICHARD", "DURAND", "DUBOIS", "MOREAU", "LAURENT",
    "SIMON", "MICHEL", "LEFEBVRE", "LEROY", "ROUX", "DAVID", "BERTRAND", "MOREL", "FOURNIER", "GIRARD",
    "BONNET", "DUPONT", "LAMBERT", "FONTAINE", "ROUSSEAU", "VINCENT", "MULLER", "LEFÈVRE", "FAURE", "ANDRÉ",
    "MERCIER", "BLANC", "GUÉRIN", "BOYER", "GARNIER", "CHEVALIER", "FRANÇOIS", "LEGRAND", "GAUTHIER",
    "SCHMITT", "MEYER", "WEBER", "SCHNEIDER", "KLEIN", "WAGNER", "HOFFMANN", "BECKER", "SCHMIDT", "FISCHER",
    "KELLER", "BAUER", "HUBER", "ZIMMERMANN", "JACQUOT", "COLLIN", "MATHIEU", "HUMBERT", "GÉRARD", "MASSON",
    "N'DIAYE", "DIALLO", "DA SILVA", "DOS SANTOS", "BENALI", "NGUYEN", "D'ANGELO", "LE GALL", "MOHAMED",
)  # fmt: skip
_GIRL_NAMES = (
    "LÉA", "EMMA", "JADE", "LOUISE", "ALICE", "CHLOÉ", "LINA", "ROSE", "ANNA", "MILA", "JULIA", "ZOÉ",
    "INÈS", "AMBRE", "LÉNA", "MANON", "CAMILLE", "SARAH", "LOLA", "CLARA", "ANAÏS", "MARIE-LOU", "YASMINE",
    "CLAIRE", "SOPHIE", "NATHALIE", "ISABELLE", "SANDRINE", "CÉLINE", "AURÉLIE", "JULIE", "STÉPHANIE",
)  # fmt: skip
_BOY_NAMES = (
    "GABRIEL", "LÉO", "RAPHAËL", "ARTHUR", "LOUIS", "JULES", "ADAM", "LUCAS", "HUGO", "NOAH", "PAUL",
    "ETHAN", "NATHAN", "TOM", "SACHA", "MOHAMED", "THÉO", "MAËL", "JEAN-BAPTISTE", "YANIS", "ENZO",
    "NICOLAS", "JÉRÔME", "FRANÇOIS", "SÉBASTIEN", "STÉPHANE", "OLIVIER", "CHRISTOPHE", "FRÉDÉRIC", "PIERRE",
)  # fmt: skip
# (ENTMatJointure, label, discipline code). 061300, 030101, 030201, 020700 and 100100 are in the
# handbook; the others, and every discipline code but L1300, are illustrative.
SUBJECTS = (
    ("020700", "FRANCAIS", "L0202"),
    ("061300", "MATHEMATIQUES", "L1300"),
    ("030201", "ANGLAIS LV1", "L0422"),
    ("030101", "ALLEMAND LV1", "L0421"),
    ("100100", "EDUCATION PHYSIQUE ET SPORTIVE", "L1900"),
    ("040100", "HISTOIRE-GEOGRAPHIE", "L1000"),
    ("061500", "PHYSIQUE-CHIMIE", "L1500"),
    ("062100", "SCIENCES DE LA VIE ET DE LA TERRE", "L1600"),
    ("070200", "TECHNOLOGIE", "L1400"),
    ("031300", "ESPAGNOL LV2", "L0426"),
)
# (ENTMefJointure, label, level of the class codes, age at the start of the school year). The four
# collège codes are in the handbook; 20010018110 is the handbook's illustrative 2nde, 1re and Tle
# codes are illustrative too.
_COLLEGE_LEVELS = (
    ("10010012110", "6EME", "6", 11),
    ("10110001110", "5EME", "5", 12),
    ("10210001110", "4EME", "4", 13),
    ("10310019110", "3EME", "3", 14),
)
_LYCEE_LEVELS = (
    ("20010018110", "2NDE GT", "2", 15),
    ("20110019110", "1ERE G", "1", 16),
    ("20210019110", "TLE G", "T", 17),
)
_OTHER_STAFF_FUNCTIONS = (
    ("DIR", "DIRECTION"),
    ("EDU", "EDUCATION"),
    ("DIR", "DIRECTION"),
    ("AED", "ASSISTANT D'EDUCATION"),
    ("DOC", "DOCUMENTATION"),
    ("ADF", "PERSONNELS ADMINISTRATIFS"),
    ("AED", "ASSISTANT D'EDUCATION"),
    ("LAB", "LABORATOIRE"),
    ("ADF", "PERSONNELS ADMINISTRATIFS"),
    ("MDS", "MEDICO-SOCIAL"),
    ("OUV", "PERSONNELS OUVRIERS ET DE SERVICE"),
)


def _mix(seed: int, salt: int, index: int) -> int:
    """splitmix64 of (seed, salt, index): a cheap, stable per-entity hash."""
    z = (seed * 0x9E3779B97F4A7C15 + salt * 0xD1B54A32D192ED03 + index * 0x94D049BB133111EB) & _MASK64
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK64
    return z ^ (z >> 31)


def _rng(seed: int, salt: int, index: int) -> random.Random:
    # Synthetic data, not secrets: a seeded Mersenne Twister is what makes the export reproducible.
    return random.Random(_mix(seed, salt, index))  # noqa: S311


def _ascii(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if c.isalnum() or c in "-.").lower()


def _aaf_date(on: datetime.date) -> str:
    return on.strftime("%d/%m/%Y")


# --- The invented population ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Level:
    mef_code: str
    mef_label: str
    code: str
    age: int
    class_codes: tuple[str, ...]
    group_codes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class _School:
    index: int  # position in académie order: family and staff blocks follow it
    uai: str
    jointure: str
    academie: str
    is_college: bool
    name: str
    city: str
    levels: tuple[_Level, ...]
    classes: tuple[tuple[str, str, str], ...]  # (code, label, MEF)
    groups: tuple[tuple[str, str], ...]  # (code, label)
    next_index: int  # another school of the same académie (itself when alone)
    previous_index: int


@dataclass(frozen=True, slots=True)
class _Pupil:
    jointure: str
    school: int
    level: _Level
    class_code: str
    group_codes: tuple[str, ...]
    first_name: str
    title: str
    birth_date: datetime.date
    ine: str


@dataclass(frozen=True, slots=True)
class _Parent:
    jointure: str
    first_name: str
    last_name: str
    birth_name: str
    title: str
    relationship: str  # BCN lien: 10 mère, 20 père, 38 ascendant
    legal: str  # 1 représentant légal, 0 simple contact
    birth_date: datetime.date | None
    mobile: str
    email: str


@dataclass(frozen=True, slots=True)
class _Family:
    index: int
    last_name: str
    pupils: tuple[_Pupil, ...]
    parents: tuple[_Parent, ...]
    address: tuple[str, str, str]  # street, postal code, city


@dataclass(frozen=True, slots=True)
class _StaffMember:
    jointure: str
    is_teacher: bool
    schools: tuple[int, ...]  # first one is the home school
    first_name: str
    last_name: str
    title: str
    birth_date: datetime.date
    function: tuple[str, str]  # (code, label)
    subject: tuple[str, str, str]  # teachers: (code, label, discipline code)
    services: tuple[tuple[int, str, bool], ...]  # (school, class or group code, is_group)
    main_class: tuple[int, str] | None


class _Population:
    """Everything about a run that is derived from (people, seed, uais): counts, schools, blocks."""

    def __init__(self, *, people: int, seed: int, uais: Sequence[str], on: datetime.date) -> None:
        if not uais:
            raise ValueError("at least one UAI is needed")
        if not 0 < people <= MAX_PEOPLE:
            raise ValueError(f"people must be between 1 and {MAX_PEOPLE}")
        bad = [uai for uai in uais if not is_valid_uai(uai)]
        if bad or len(set(uais)) != len(uais):
            raise ValueError(f"invalid or repeated UAIs: {bad or 'duplicates'}")
        self.seed = seed
        self.on = on
        self.school_year = on.year if on.month >= 8 else on.year - 1
        self.teacher_count = round(people * _TEACHER_SHARE)
        target = people - self.teacher_count - round(people * _OTHER_STAFF_SHARE)
        self.family_count = 0
        self.student_count = 0
        self.guardian_count = 0
        while True:
            children, parents = self._composition(self.family_count)
            if self.student_count + self.guardian_count + children + parents > target:
                break
            self.family_count += 1
            self.student_count += children
            self.guardian_count += parents
        # What families cannot fill exactly goes to other staff: the total is exactly `people`.
        self.other_staff_count = people - self.teacher_count - self.student_count - self.guardian_count
        self.schools = self._schools(uais)

    def _composition(self, family: int) -> tuple[int, int]:
        mixed = _mix(self.seed, _SALT_FAMILY, family)
        children = 2 if mixed % 100 < _SIBLINGS_PERCENT else 1
        parents = 1 if (mixed // 100) % 100 < _SINGLE_PARENT_PERCENT else 2
        return children, parents

    def is_split_family(self, family: int) -> bool:
        mixed = _mix(self.seed, _SALT_FAMILY, family)
        return mixed % 100 < _SIBLINGS_PERCENT and (mixed // 10_000) % 4 < _SPLIT_SIBLINGS_PER_4

    def _schools(self, uais: Sequence[str]) -> tuple[_School, ...]:
        by_academie = sorted(
            uais, key=lambda uai: (ACADEMIE_BY_DEPARTEMENT.get(uai[:3], "AUTRE"), uais.index(uai))
        )
        pupils_per_school = self.student_count / len(uais)
        schools = []
        for index, uai in enumerate(by_academie):
            academie = ACADEMIE_BY_DEPARTEMENT.get(uai[:3], "AUTRE")
            same = [
                i
                for i, other in enumerate(by_academie)
                if ACADEMIE_BY_DEPARTEMENT.get(other[:3], "AUTRE") == academie
            ]
            position = same.index(index)
            mixed = _mix(self.seed, _SALT_SCHOOL, int(uai[:7]))
            is_college = mixed % 4 != 0
            kind_name = "COLLEGE" if is_college else "LYCEE"
            level_specs = _COLLEGE_LEVELS if is_college else _LYCEE_LEVELS
            per_level = max(4, min(10, math.ceil(pupils_per_school / len(level_specs) / 28)))
            levels = tuple(self._level(spec, per_level, is_college) for spec in level_specs)
            cities = _CITIES.get(uai[:3], ("VILLE",))
            schools.append(
                _School(
                    index=index,
                    uai=uai,
                    jointure=str(_STRUCTURE_ID_BASE + index),
                    academie=academie,
                    is_college=is_college,
                    name=f"{kind_name} {_SCHOOL_NAMES[(mixed >> 8) % len(_SCHOOL_NAMES)]}",
                    city=cities[(mixed >> 16) % len(cities)],
                    levels=levels,
                    classes=tuple(
                        (code, self._class_label(level, code), level.mef_code)
                        for level in levels
                        for code in level.class_codes
                    ),
                    groups=tuple(
                        (code, self._group_label(code)) for level in levels for code in level.group_codes
                    ),
                    next_index=same[(position + 1) % len(same)],
                    previous_index=same[(position - 1) % len(same)],
                )
            )
        return tuple(schools)

    @staticmethod
    def _level(spec: tuple[str, str, str, int], per_level: int, is_college: bool) -> _Level:
        mef_code, mef_label, code, age = spec
        if is_college:
            class_codes = tuple(f"{code}{letter}" for letter in "ABCDEFGHIJ"[:per_level])
            groups = (
                ()
                if code == "6"
                else (f"{code}ALL2", f"{code}ESP2") + (() if code == "5" else (f"{code}LAT",))
            )
        else:
            prefix = "2ND" if code == "2" else f"{code}G"
            class_codes = tuple(f"{prefix}{n}" for n in range(1, per_level + 1))
            groups = (
                (f"{code}LV2-ALL", f"{code}LV2-ESP")
                if code == "2"
                else tuple(f"{code}SPE-{spe}" for spe in ("MATHS", "NSI", "SES", "PC", "SVT"))
            )
        return _Level(mef_code, mef_label, code, age, class_codes, groups)

    @staticmethod
    def _class_label(level: _Level, code: str) -> str:
        return f"{level.mef_label} {code[len(level.code) :].lstrip('GND')}"

    @staticmethod
    def _group_label(code: str) -> str:
        labels = {
            "ALL2": "ALLEMAND LV2",
            "ESP2": "ESPAGNOL LV2",
            "LAT": "LATIN",
            "LV2-ALL": "ALLEMAND LV2",
            "LV2-ESP": "ESPAGNOL LV2",
        }
        for suffix, label in labels.items():
            if code.endswith(suffix):
                return f"{label} {code[: -len(suffix)]}"
        return f"SPECIALITE {code.split('SPE-')[-1]} {code[0]}"

    def academie_of(self, school: int) -> str:
        return self.schools[school].academie

    # Blocks: families (and staff) are spread over schools in contiguous index ranges.
    def family_school(self, family: int) -> int:
        return family * len(self.schools) // self.family_count

    def families_of(self, school: int) -> range:
        count, schools = self.family_count, len(self.schools)
        return range(-(-school * count // schools), -(-(school + 1) * count // schools))

    def staff_of(self, school: int, total: int) -> range:
        schools = len(self.schools)
        return range(-(-school * total // schools), -(-(school + 1) * total // schools))

    def family(self, index: int) -> _Family:
        children, parent_count = self._composition(index)
        rng = _rng(self.seed, _SALT_FAMILY_RNG, index)
        home = self.family_school(index)
        school_of_child = [home, self.schools[home].next_index if self.is_split_family(index) else home]
        last_name = rng.choice(_LAST_NAMES)
        pupils = []
        for child in range(children):
            school = self.schools[school_of_child[child]]
            level = rng.choice(school.levels)
            is_girl = rng.random() < 0.5
            number = _STUDENT_ID_BASE + 2 * index + child
            groups = tuple(code for code in level.group_codes if rng.random() < 0.4)
            pupils.append(
                _Pupil(
                    jointure=str(number),
                    school=school.index,
                    level=level,
                    class_code=rng.choice(level.class_codes),
                    group_codes=groups[:3],
                    first_name=rng.choice(_GIRL_NAMES if is_girl else _BOY_NAMES),
                    title="Mme" if is_girl else "M.",
                    birth_date=datetime.date(self.school_year - level.age, 1, 1)
                    + datetime.timedelta(days=rng.randrange(365)),
                    # INE shape of the handbook: 9 digits + 2 letters, unique through a bijection.
                    ine=f"{(number * 7919 + self.seed) % 1_000_000_000:09d}"
                    + "".join(rng.choice("ABCDEFGHJKLMNPRSTUVWXYZ") for _ in range(2)),
                )
            )
        parents = []
        for position in range(parent_count):
            is_mother = position == 0 if parent_count == 2 else rng.random() < 0.75
            is_grandparent = position == 1 and rng.random() < 0.05
            first_name = rng.choice(_GIRL_NAMES[-10:] if is_mother else _BOY_NAMES[-10:])
            number = _GUARDIAN_ID_BASE + 2 * index + position
            birth_name = rng.choice(_LAST_NAMES) if is_mother else last_name
            parents.append(
                _Parent(
                    jointure=str(number),
                    first_name=first_name,
                    last_name=last_name,
                    birth_name=birth_name,
                    title="Mme" if is_mother else "M.",
                    relationship="38" if is_grandparent else ("10" if is_mother else "20"),
                    legal="0" if is_grandparent else "1",
                    birth_date=(
                        datetime.date(self.school_year - rng.randrange(30, 55), 1, 1)
                        + datetime.timedelta(days=rng.randrange(365))
                        if rng.random() < 0.5
                        else None
                    ),
                    mobile=f"+33 6 39 98 {rng.randrange(100):02d} {rng.randrange(100):02d}",
                    email=f"{_ascii(first_name)}.{_ascii(last_name)}.{number}@example.org",
                )
            )
        cities = _CITIES.get(self.schools[home].uai[:3], ("VILLE",))
        address = (
            f"{rng.randrange(1, 120)} RUE {rng.choice(_SCHOOL_NAMES)}",
            f"{self.schools[home].uai[1:3]}{rng.randrange(0, 1000):03d}",
            rng.choice(cities),
        )
        return _Family(index, last_name, tuple(pupils), tuple(parents), address)

    def teacher_schools(self, teacher: int) -> tuple[int, ...]:
        home = self.staff_school(teacher, self.teacher_count)
        extra = _mix(self.seed, _SALT_TEACHER, teacher) % 100
        count = 3 if extra < 4 else 2 if extra < _MULTI_SCHOOL_TEACHER_PERCENT else 1
        schools = [home]
        for _ in range(count - 1):
            following = self.schools[schools[-1]].next_index
            if following not in schools:
                schools.append(following)
        return tuple(schools)

    def staff_school(self, member: int, total: int) -> int:
        return member * len(self.schools) // total

    def teacher(self, index: int) -> _StaffMember:
        rng = _rng(self.seed, _SALT_TEACHER, index)
        schools = self.teacher_schools(index)
        subject = rng.choice(SUBJECTS)
        services: list[tuple[int, str, bool]] = []
        for school_index in schools:
            school = self.schools[school_index]
            class_codes = [code for code, _, _ in school.classes]
            services.extend(
                (school_index, code, False) for code in rng.sample(class_codes, rng.randint(2, 4))
            )
            if school.groups and rng.random() < 0.3:
                services.append((school_index, rng.choice(school.groups)[0], True))
        main_class = (schools[0], services[0][1]) if rng.random() < 0.3 else None
        return self._staff_member(
            rng, _STAFF_ID_BASE + index, True, schools, ("ENS", "ENSEIGNEMENT"), subject, services, main_class
        )

    def other_staff(self, index: int) -> _StaffMember:
        rng = _rng(self.seed, _SALT_OTHER, index)
        school = self.staff_school(index, self.other_staff_count)
        rank = index - self.staff_of(school, self.other_staff_count).start
        function = _OTHER_STAFF_FUNCTIONS[rank % len(_OTHER_STAFF_FUNCTIONS)]
        return self._staff_member(
            rng, _OTHER_STAFF_ID_BASE + index, False, (school,), function, ("", "", ""), [], None
        )

    def _staff_member(
        self,
        rng: random.Random,
        number: int,
        is_teacher: bool,
        schools: tuple[int, ...],
        function: tuple[str, str],
        subject: tuple[str, str, str],
        services: list[tuple[int, str, bool]],
        main_class: tuple[int, str] | None,
    ) -> _StaffMember:
        is_woman = rng.random() < 0.6
        return _StaffMember(
            jointure=str(number),
            is_teacher=is_teacher,
            schools=schools,
            first_name=rng.choice(_GIRL_NAMES if is_woman else _BOY_NAMES),
            last_name=rng.choice(_LAST_NAMES),
            title="Mme" if is_woman else "M.",
            birth_date=datetime.date(self.school_year - rng.randrange(24, 64), 1, 1)
            + datetime.timedelta(days=rng.randrange(365)),
            function=function,
            subject=subject,
            services=tuple(services),
            main_class=main_class,
        )


# --- XML writing ----------------------------------------------------------------------------------

Attributes = list[tuple[str, Sequence[str]]]


def _escape(value: str) -> str:
    if "&" in value or "<" in value or ">" in value:
        return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return value


def _request(kind: FileKind, jointure: str, attributes: Attributes, operation: str = "add") -> str:
    category_name, category_value = CATEGORY_ATTRIBUTES[kind]
    parts = [
        f'<{operation}Request>\n  <operationalAttributes><attr name="{category_name}">'
        f"<value>{category_value}</value></attr></operationalAttributes>\n"
        f"  <identifier><id>{jointure}</id></identifier>\n"
    ]
    if operation == "add":
        parts.append("  <attributes>\n")
        for name, values in attributes:
            if values:
                parts.append(f'    <attr name="{name}">')
                parts.extend(f"<value>{_escape(v)}</value>" for v in values)
                parts.append("</attr>\n")
        parts.append("  </attributes>\n")
    elif operation == "modify":
        parts.append("  <modifications>\n")
        for name, values in attributes:
            parts.append(f'    <modification name="{name}" operation="replace">')
            parts.extend(f"<value>{_escape(v)}</value>" for v in values)
            parts.append("<value/>" if not values else "")
            parts.append("</modification>\n")
        parts.append("  </modifications>\n")
    parts.append(f"</{operation}Request>\n")
    return "".join(parts)


class _ChunkedWriter:
    """Writes one kind of one file set, rotating to ``_0001``… every `chunk_size` records."""

    def __init__(
        self, directory: Path, prefix: str, kind: FileKind, chunk_size: int, files: list[Path]
    ) -> None:
        self._directory = directory
        self._prefix = prefix
        self._kind = kind
        self._chunk_size = chunk_size
        self._files = files
        self._stream: IO[str] | None = None
        self._chunk = -1
        self._in_chunk = 0
        self.count = 0

    def write(self, request: str) -> None:
        if self._stream is None or self._in_chunk >= self._chunk_size:
            self._rotate()
        assert self._stream is not None
        self._stream.write(request)
        self._in_chunk += 1
        self.count += 1

    def _rotate(self) -> None:
        self._close_chunk()
        self._chunk += 1
        path = self._directory / f"{self._prefix}_{self._kind.value}_{self._chunk:04d}.xml"
        self._files.append(path)
        self._stream = path.open("w", encoding="utf-8", buffering=1 << 20)
        self._stream.write(
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<!DOCTYPE {ROOT_TAG} SYSTEM "ficAlimMENESR.dtd">\n'
            f'<{ROOT_TAG}>\n<!-- versionAF="AAF-VE1803" -->\n'
        )
        self._in_chunk = 0

    def _close_chunk(self) -> None:
        if self._stream is not None:
            self._stream.write(f"</{ROOT_TAG}>\n")
            self._stream.close()
            self._stream = None

    def close(self) -> None:
        if self._chunk < 0:
            self._rotate()  # an empty kind still gets its file: a missing file would look truncated
        self._close_chunk()


class _FileSet:
    """The six writers of one file set (one académie, or one school)."""

    def __init__(self, directory: Path, prefix: str, chunk_size: int, files: list[Path]) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.writers = {kind: _ChunkedWriter(directory, prefix, kind, chunk_size, files) for kind in FileKind}

    def write(self, kind: FileKind, request: str) -> None:
        self.writers[kind].write(request)

    def __enter__(self) -> _FileSet:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        for writer in self.writers.values():
            writer.close()


def _structure_attributes(school: _School) -> Attributes:
    return [
        ("ENTStructureJointure", [school.jointure]),
        ("ENTStructureUAI", [school.uai]),
        ("ENTStructureSIREN", [f"1000000{school.index:07d}"]),
        ("ENTStructureNomCourant", [f"{school.name}${school.city}"]),
        ("ENTStructureTypeStruct", ["COLLEGE" if school.is_college else "LYCEE POLYVALENT"]),
        ("ENTEtablissementContrat", ["PU"]),
        ("l", [school.city]),
        ("ENTServAcAcademie", [school.academie]),
        ("ENTStructureClasses", [f"{code}${label}${mef}" for code, label, mef in school.classes]),
        ("ENTStructureGroupes", [f"{code}${label}" for code, label in school.groups]),
    ]


def _write_referentials(file_set: _FileSet, schools: Sequence[_School]) -> None:
    for school in schools:
        file_set.write(
            FileKind.STRUCTURES, _request(FileKind.STRUCTURES, school.jointure, _structure_attributes(school))
        )
    for code, label, _ in SUBJECTS:
        file_set.write(
            FileKind.SUBJECTS,
            _request(FileKind.SUBJECTS, code, [("ENTMatJointure", [code]), ("ENTLibelleMatiere", [label])]),
        )
    levels = {level.mef_code: level for school in schools for level in school.levels}
    for code, level in sorted(levels.items()):
        file_set.write(
            FileKind.MEFS,
            _request(
                FileKind.MEFS,
                code,
                [("ENTMefJointure", [code]), ("ENTLibelleMef", [level.mef_label]), ("ENTMEFRattach", [code])],
            ),
        )


def _student_attributes(population: _Population, family: _Family, pupil: _Pupil) -> Attributes:
    school = population.schools[pupil.school]
    year_start = _aaf_date(datetime.date(population.school_year, 9, 1))
    guardian_links = []
    for position, parent in enumerate(family.parents):
        # respJointure$lien$financier$légal$contact$paiement: the first responsable pays.
        pays = int(position == 0)
        guardian_links.append(f"{parent.jointure}${parent.relationship}${pays}${parent.legal}$1${pays}")
    return [
        ("ENTPersonJointure", [pupil.jointure]),
        ("ENTEleveINE", [pupil.ine]),
        ("ENTEleveStructRattachId", [str(800_000 + int(pupil.jointure) % 10_000_000)]),
        ("ENTPersonDateNaissance", [_aaf_date(pupil.birth_date)]),
        ("ENTPersonNomPatro", [family.last_name]),
        ("sn", [family.last_name]),
        ("givenName", [pupil.first_name]),
        ("ENTPersonAutresPrenoms", [pupil.first_name]),
        ("personalTitle", [pupil.title]),
        ("ENTPersonStructRattach", [school.jointure]),
        ("ENTEleveMEF", [pupil.level.mef_code]),
        ("ENTEleveLibelleMEF", [pupil.level.mef_label]),
        ("ENTEleveClasses", [f"{school.jointure}${pupil.class_code}"]),
        ("ENTEleveGroupes", [f"{school.jointure}${code}" for code in pupil.group_codes]),
        ("ENTEleveDateEntreeClasses", [f"{school.jointure}${year_start}${pupil.class_code}"]),
        ("ENTElevePersRelEleve", guardian_links),
        ("ENTEleveBoursier", ["O" if int(pupil.jointure) % 5 == 0 else "N"]),
        ("ENTEleveStatutEleve", ["SCOLAIRE"]),
        ("ENTPersonAdresse", [f"{family.address[0]}$$$"]),
        ("ENTPersonCodePostal", [family.address[1]]),
        ("ENTPersonVille", [family.address[2]]),
    ]


def _guardian_attributes(family: _Family, parent: _Parent, pupils: Sequence[_Pupil]) -> Attributes:
    return [
        ("ENTPersonJointure", [parent.jointure]),
        ("sn", [parent.last_name]),
        ("givenName", [parent.first_name]),
        ("ENTPersonNomPatro", [parent.birth_name]),
        ("personalTitle", [parent.title]),
        ("ENTPersonDateNaissance", [_aaf_date(parent.birth_date)] if parent.birth_date else []),
        ("ENTPersonAdresse", [f"{family.address[0]}$$$"]),
        ("ENTPersonCodePostal", [family.address[1]]),
        ("ENTPersonVille", [family.address[2]]),
        ("mail", [parent.email]),
        ("mobile", [parent.mobile]),
        ("ENTAuxPersRelEleveEleve", [pupil.jointure for pupil in pupils]),
    ]


def _staff_attributes(population: _Population, member: _StaffMember, only: int | None) -> Attributes:
    schools = [population.schools[i] for i in member.schools if only is None or i == only]
    code, label = member.function
    subject_code, subject_label, discipline = member.subject
    services = [s for s in member.services if only is None or s[0] == only]
    main_class = (
        member.main_class if member.main_class and (only is None or member.main_class[0] == only) else None
    )
    academie = population.schools[member.schools[0]].academie.lower()
    email = (
        f"{_ascii(member.first_name)}.{_ascii(member.last_name)}{member.jointure[-3:]}@ac-{academie}.example"
    )
    return [
        ("ENTPersonJointure", [member.jointure]),
        ("ENTPersonDateNaissance", [_aaf_date(member.birth_date)]),
        ("sn", [member.last_name]),
        ("givenName", [member.first_name]),
        ("personalTitle", [member.title]),
        ("mail", [email]),
        ("ENTPersonStructRattach", [schools[0].jointure]),
        (
            "ENTPersonFonctions",
            [
                f"{school.jointure}${code}${label}${discipline or '-'}${subject_label or '-'}"
                for school in schools
            ],
        ),
        (
            "ENTAuxEnsClassesMatieres",
            [
                f"{population.schools[s].jointure}${c}${subject_code}"
                for s, c, is_group in services
                if not is_group
            ],
        ),
        (
            "ENTAuxEnsGroupesMatieres",
            [
                f"{population.schools[s].jointure}${c}${subject_code}"
                for s, c, is_group in services
                if is_group
            ],
        ),
        (
            "ENTAuxEnsClassesPrincipal",
            [f"{population.schools[main_class[0]].jointure}${main_class[1]}"] if main_class else [],
        ),
        ("PersEducNatPresenceDevantEleves", ["O" if member.is_teacher else "N"]),
    ]


# --- Public API -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class GeneratedExport:
    """What `generate` wrote: files and the exact counts a parser must find."""

    out_dir: Path
    layout: Layout
    files: tuple[Path, ...]
    people: int  # distinct people
    students: int
    guardians: int
    teachers: int
    other_staff: int
    structures: int
    guardian_links: int  # ENTElevePersRelEleve values
    legal_guardian_links: int  # of which responsabilité légale = 1
    multi_school_guardians: int  # parents with children in two schools
    multi_school_teachers: int
    records: dict[FileKind, int] = field(default_factory=dict)  # written, per kind (repeats in "school")
    sample_multi_school_guardian: str | None = None
    sample_multi_school_teacher: str | None = None


def generate(
    out_dir: str | Path,
    *,
    people: int,
    seed: int,
    uais: Sequence[str],
    date: datetime.date = datetime.date(2025, 9, 1),
    layout: Layout = "academie",
    chunk_size: int = 100_000,
) -> GeneratedExport:
    """Write a deterministic synthetic full AAF export of `people` invented people.

    ``layout="academie"``: one file set per académie, ``<out>/<ACADEMIE>/<ACADEMIE>_Complet_<date>_…``,
    each person once. ``layout="school"``: one file set per school, ``<out>/<UAI>/ENT_<UAI>_Complet_…``;
    a person of several schools appears in each school's set with that school's values only.
    """
    population = _Population(people=people, seed=seed, uais=uais, on=date)
    root = Path(out_dir)
    files: list[Path] = []
    stamp = date.strftime("%Y%m%d")
    counts = _Counts()
    file_sets: list[_FileSet] = []
    if layout == "academie":
        with ExitStack() as stack:
            by_academie: dict[str, _FileSet] = {}
            for academie in sorted({school.academie for school in population.schools}):
                file_set = _FileSet(root / academie, f"{academie}_Complet_{stamp}", chunk_size, files)
                by_academie[academie] = stack.enter_context(file_set)
                file_sets.append(file_set)
                _write_referentials(file_set, [s for s in population.schools if s.academie == academie])
            for index in range(population.family_count):
                family = population.family(index)
                counts.add_family(family)
                _write_family(
                    by_academie[population.academie_of(family.pupils[0].school)], population, family
                )
            for member in _all_staff(population):
                counts.add_staff(member)
                _write_staff(by_academie[population.academie_of(member.schools[0])], population, member)
    else:
        for school in population.schools:
            with _FileSet(
                root / school.uai, f"ENT_{school.uai}_Complet_{stamp}", chunk_size, files
            ) as file_set:
                file_sets.append(file_set)
                _write_school(population, school, file_set, counts)
    records: dict[FileKind, int] = {}
    for file_set in file_sets:
        for kind, writer in file_set.writers.items():
            records[kind] = records.get(kind, 0) + writer.count
    return GeneratedExport(
        out_dir=root,
        layout=layout,
        files=tuple(files),
        people=people,
        students=population.student_count,
        guardians=population.guardian_count,
        teachers=population.teacher_count,
        other_staff=population.other_staff_count,
        structures=len(population.schools),
        guardian_links=counts.guardian_links,
        legal_guardian_links=counts.legal_guardian_links,
        multi_school_guardians=counts.multi_school_guardians,
        multi_school_teachers=counts.multi_school_teachers,
        records=records,
        sample_multi_school_guardian=counts.sample_guardian,
        sample_multi_school_teacher=counts.sample_teacher,
    )


class _Counts:
    def __init__(self) -> None:
        self.guardian_links = 0
        self.legal_guardian_links = 0
        self.multi_school_guardians = 0
        self.multi_school_teachers = 0
        self.sample_guardian: str | None = None
        self.sample_teacher: str | None = None

    def add_family(self, family: _Family) -> None:
        self.guardian_links += len(family.pupils) * len(family.parents)
        self.legal_guardian_links += len(family.pupils) * sum(p.legal == "1" for p in family.parents)
        if len({pupil.school for pupil in family.pupils}) > 1:
            self.multi_school_guardians += len(family.parents)
            self.sample_guardian = self.sample_guardian or family.parents[0].jointure

    def add_staff(self, member: _StaffMember) -> None:
        if len(member.schools) > 1:
            self.multi_school_teachers += 1
            self.sample_teacher = self.sample_teacher or member.jointure


def _all_staff(population: _Population) -> Iterator[_StaffMember]:
    for index in range(population.teacher_count):
        yield population.teacher(index)
    for index in range(population.other_staff_count):
        yield population.other_staff(index)


def _write_family(
    file_set: _FileSet, population: _Population, family: _Family, school: int | None = None
) -> None:
    """The family's pupils (all, or those of `school`) and its responsables, linked to those pupils."""
    pupils = [pupil for pupil in family.pupils if school is None or pupil.school == school]
    if not pupils:
        return
    for pupil in pupils:
        attributes = _student_attributes(population, family, pupil)
        file_set.write(FileKind.STUDENTS, _request(FileKind.STUDENTS, pupil.jointure, attributes))
    for parent in family.parents:
        attributes = _guardian_attributes(family, parent, pupils)
        file_set.write(FileKind.GUARDIANS, _request(FileKind.GUARDIANS, parent.jointure, attributes))


def _write_staff(
    file_set: _FileSet, population: _Population, member: _StaffMember, school: int | None = None
) -> None:
    attributes = _staff_attributes(population, member, school)
    file_set.write(FileKind.STAFF, _request(FileKind.STAFF, member.jointure, attributes))


def _write_school(population: _Population, school: _School, file_set: _FileSet, counts: _Counts) -> None:
    _write_referentials(file_set, [school])
    for index in population.families_of(school.index):
        family = population.family(index)
        counts.add_family(family)
        _write_family(file_set, population, family, school.index)
    # Split families of the previous school of the académie have their second child here.
    if school.previous_index != school.index:
        for index in population.families_of(school.previous_index):
            if population.is_split_family(index):
                _write_family(file_set, population, population.family(index), school.index)
    # Teachers whose home is here or one or two schools before (multi-school teachers reach forward).
    previous = population.schools[school.previous_index]
    for home in dict.fromkeys((school.index, previous.index, previous.previous_index)):
        for index in population.staff_of(home, population.teacher_count):
            if school.index in population.teacher_schools(index):
                member = population.teacher(index)
                if home == school.index:
                    counts.add_staff(member)
                _write_staff(file_set, population, member, school.index)
    for index in population.staff_of(school.index, population.other_staff_count):
        _write_staff(file_set, population, population.other_staff(index))


@dataclass(frozen=True)
class GeneratedDelta:
    """What `generate_delta` wrote, to check an importer against."""

    files: tuple[Path, ...]
    modified_students: tuple[str, ...]  # class changed inside the same school
    modified_guardians: tuple[str, ...]  # new mobile number
    deleted_students: tuple[str, ...]
    deleted_guardians: tuple[str, ...]
    moved_students: tuple[tuple[str, str, str], ...]  # (jointure, from UAI, to UAI), same académie


def generate_delta(
    out_dir: str | Path,
    *,
    people: int,
    seed: int,
    uais: Sequence[str],
    date: datetime.date = datetime.date(2025, 9, 1),
    delta_date: datetime.date = datetime.date(2025, 11, 3),
    modifications: int = 10,
    deletions: int = 5,
    moves: int = 1,
) -> GeneratedDelta:
    """A delta against the académie-layout export ``generate(people, seed, uais, date)`` describes.

    Writes ``<out>/<ACADEMIE>/<ACADEMIE>_Delta_<delta_date>_…``: class changes and new mobiles
    (modifyRequest), whole families leaving (deleteRequest) and pupils moving to another school of
    the same académie (same jointure, new structure, class and groups).
    """
    population = _Population(people=people, seed=seed, uais=uais, on=date)
    wanted = modifications + deletions + moves
    if wanted > population.family_count:
        raise ValueError("more changes asked than there are families")
    rng = _rng(seed, _SALT_DELTA, int(delta_date.strftime("%Y%m%d")))
    picked = rng.sample(range(population.family_count), modifications + deletions)
    if moves and all(school.next_index == school.index for school in population.schools):
        raise ValueError("a move needs an académie with at least two schools")
    chosen = set(picked)
    attempts = 0
    while len(picked) < wanted:
        attempts += 1
        if attempts > 1000 * wanted:
            raise ValueError("not enough families in académies with two schools for these moves")
        # A pupil can only move to another school of its académie: skip families alone in theirs.
        index = rng.randrange(population.family_count)
        home = population.schools[population.family_school(index)]
        if index not in chosen and home.next_index != home.index:
            chosen.add(index)
            picked.append(index)
    root = Path(out_dir)
    files: list[Path] = []
    stamp = delta_date.strftime("%Y%m%d")
    modified_students, modified_guardians, deleted_students, deleted_guardians = [], [], [], []
    moved: list[tuple[str, str, str]] = []
    with ExitStack() as stack:
        by_academie: dict[str, _FileSet] = {}
        for position, index in enumerate(picked):
            family = population.family(index)
            pupil = family.pupils[0]
            school = population.schools[pupil.school]
            if school.academie not in by_academie:
                file_set = _FileSet(
                    root / school.academie, f"{school.academie}_Delta_{stamp}", 100_000, files
                )
                by_academie[school.academie] = stack.enter_context(file_set)
            file_set = by_academie[school.academie]
            if position < modifications:
                # A class change inside the school (groups cleared), and a new mobile for a parent.
                new_class = rng.choice(
                    [c for c in pupil.level.class_codes if c != pupil.class_code] or [pupil.class_code]
                )
                changes: Attributes = [
                    ("ENTEleveClasses", [f"{school.jointure}${new_class}"]),
                    ("ENTEleveGroupes", []),
                ]
                file_set.write(
                    FileKind.STUDENTS, _request(FileKind.STUDENTS, pupil.jointure, changes, "modify")
                )
                modified_students.append(pupil.jointure)
                parent = family.parents[0]
                changes = [("mobile", [f"+33 6 39 98 {rng.randrange(100):02d} {rng.randrange(100):02d}"])]
                file_set.write(
                    FileKind.GUARDIANS, _request(FileKind.GUARDIANS, parent.jointure, changes, "modify")
                )
                modified_guardians.append(parent.jointure)
            elif position < modifications + deletions:
                # The whole family leaves the académie.
                for leaving in family.pupils:
                    file_set.write(
                        FileKind.STUDENTS, _request(FileKind.STUDENTS, leaving.jointure, [], "delete")
                    )
                    deleted_students.append(leaving.jointure)
                for parent in family.parents:
                    file_set.write(
                        FileKind.GUARDIANS, _request(FileKind.GUARDIANS, parent.jointure, [], "delete")
                    )
                    deleted_guardians.append(parent.jointure)
            else:
                # Same jointure, new school of the same académie: structure, MEF, class, groups, entry date.
                target = population.schools[school.next_index]
                level = rng.choice(target.levels)
                new_class = rng.choice(level.class_codes)
                changes = [
                    ("ENTPersonStructRattach", [target.jointure]),
                    ("ENTEleveMEF", [level.mef_code]),
                    ("ENTEleveLibelleMEF", [level.mef_label]),
                    ("ENTEleveClasses", [f"{target.jointure}${new_class}"]),
                    ("ENTEleveGroupes", []),
                    ("ENTEleveDateEntreeClasses", [f"{target.jointure}${_aaf_date(delta_date)}${new_class}"]),
                ]
                file_set.write(
                    FileKind.STUDENTS, _request(FileKind.STUDENTS, pupil.jointure, changes, "modify")
                )
                moved.append((pupil.jointure, school.uai, target.uai))
    return GeneratedDelta(
        files=tuple(files),
        modified_students=tuple(modified_students),
        modified_guardians=tuple(modified_guardians),
        deleted_students=tuple(deleted_students),
        deleted_guardians=tuple(deleted_guardians),
        moved_students=tuple(moved),
    )
