"""Small, valid, deterministic files of each format, for tests and for the demo.

Each format has a *record* builder (``sample_*_export``) and a *writer* (``write_*``) that turns
records into the bytes the real software would produce; the parsers must give the records back
(round trip). Tests never depend on real exports, and all names here are invented.

The writers only write what the parsers read (see each parser's docstring for the sources of the
element names); where the real layout is unknown the choice is marked (the EDT root's name, the
UDT CSV quoting, the root elements of the UDT XML files). ``envelope_encrypt`` wraps an EDT file in
the encrypted envelope EDT drops for an ENT, for the partners' public keys it is given.
"""

from __future__ import annotations

import base64
import codecs
import csv
import dataclasses
import datetime
import hashlib
import io
import itertools
import os
import zipfile
import zlib
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from cryptography.hazmat.primitives import padding as symmetric_padding
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import padding as asymmetric_padding
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from lxml import etree

from .edt import week_mask
from .edt_envelope import ENVELOPE_TAG
from .model import (
    Civility,
    Grid,
    GridSlot,
    PlacedLesson,
    StructureKind,
    StsDiscipline,
    StsDivision,
    StsExport,
    StsGroup,
    StsIndividual,
    StsMainTeacherOf,
    StsMef,
    StsSchool,
    StsService,
    StsSubject,
    TimetableClass,
    TimetableClassPart,
    TimetableExport,
    TimetableGroup,
    TimetableRoom,
    TimetableSource,
    TimetableSubject,
    TimetableTeacher,
    WeekPattern,
)
from .sts import ROOT_TAG as STS_ROOT_TAG
from .sts import sts_file_name
from .udt import COLUMNS, DAY_NAMES

SAMPLE_UAI = "0679901Y"  # invented, valid check letter (handbook example)
SAMPLE_YEAR = 2025
# The decrypted EDT document's root name is not known from public sources; the parser does not
# depend on it. This one is ours.
EDT_SAMPLE_ROOT_TAG = "EmploiDuTemps"


# --- STS-Web ------------------------------------------------------------------------------------------


def sample_sts_export(uai: str = SAMPLE_UAI, year: int = SAMPLE_YEAR) -> StsExport:
    """A small collège: 3 classes, 1 cross-class group, 3 teachers, a head, a teacher on leave."""
    subjects = (
        StsSubject(code="061300", management_code="MATHS", short_label="MATHS", long_label="MATHEMATIQUES"),
        StsSubject(code="020100", management_code="FRANC", short_label="FRANCAIS", long_label="FRANCAIS"),
        StsSubject(
            code="030602", management_code="ALL1", short_label="ALLEMAND LV1", long_label="ALLEMAND LV1"
        ),
    )
    mefs = (
        StsMef(code="10110001110", short_label="4EME", long_label="4EME", edition_label="4EME"),
        StsMef(code="10010012110", short_label="6EME", long_label="6EME", edition_label="6EME"),
    )
    divisions = (
        StsDivision(code="4B", label="4EME B", mef_codes=("10110001110",)),
        StsDivision(code="4C", label="4EME C", mef_codes=("10110001110",)),
        StsDivision(code="6A", label="6EME A", mef_codes=("10010012110",)),
    )
    groups = (StsGroup(code="4ALL1", label="ALLEMAND LV1 4EME", division_codes=("4B", "4C")),)
    individuals = (
        StsIndividual(
            id="4242",
            type="epp",
            civility=Civility.M,
            last_name="ARNOUX",
            birth_name="ARNOUX",
            first_name="LUCIEN",
            birth_date=datetime.date(1981, 3, 14),
            function="ENS",
            grade="CERTIFIE",
            disciplines=(StsDiscipline(code="L1300", short_label="MATHEMATIQUES", hours=Decimal("18.00")),),
            main_teacher_of=(StsMainTeacherOf(structure_code="4B", end=datetime.date(year + 1, 7, 4)),),
        ),
        StsIndividual(
            id="4243",
            type="epp",
            civility=Civility.MME,
            last_name="BERTHIER",
            birth_name="CALVET",
            first_name="ODILE",
            birth_date=datetime.date(1975, 11, 2),
            function="ENS",
            grade="AGREGE",
            disciplines=(
                StsDiscipline(code="L0202", short_label="LETTRES MODERNES", hours=Decimal("15.00")),
            ),
        ),
        StsIndividual(
            id="9001",
            type="local",
            civility=Civility.MME,
            last_name="DELORME",
            birth_name="DELORME",
            first_name="ÉLODIE",
            function="ENS",
            disciplines=(StsDiscipline(code="L0422", short_label="ALLEMAND", hours=Decimal("9.50")),),
        ),
        StsIndividual(
            id="5000",
            type="epp",
            civility=Civility.M,
            last_name="FABRE",
            birth_name="FABRE",
            first_name="GÉRARD",
            birth_date=datetime.date(1968, 6, 30),
            function="DIR",
        ),
        StsIndividual(  # long leave: no FONCTION
            id="4244",
            type="epp",
            civility=Civility.MLLE,
            last_name="GARNIER",
            birth_name="GARNIER",
            first_name="INÈS",
        ),
    )
    services = (
        StsService(
            structure_kind=StructureKind.DIVISION,
            structure_code="4B",
            subject_code="061300",
            teacher_id="4242",
            teacher_type="epp",
            modality="CG",
        ),
        StsService(
            structure_kind=StructureKind.DIVISION,
            structure_code="4B",
            subject_code="020100",
            teacher_id="4243",
            teacher_type="epp",
            modality="CG",
        ),
        StsService(
            structure_kind=StructureKind.DIVISION,
            structure_code="4C",
            subject_code="061300",
            teacher_id="4242",
            teacher_type="epp",
            modality="CG",
        ),
        StsService(
            structure_kind=StructureKind.DIVISION,
            structure_code="6A",
            subject_code="020100",
            teacher_id="4243",
            teacher_type="epp",
            modality="CG",
        ),
        StsService(
            structure_kind=StructureKind.DIVISION,
            structure_code="6A",
            subject_code="020100",
            teacher_id="9001",
            teacher_type="local",
            modality="CG",
        ),
        StsService(
            structure_kind=StructureKind.GROUP,
            structure_code="4ALL1",
            subject_code="030602",
            teacher_id="9001",
            teacher_type="local",
            modality="CG",
        ),
    )
    return StsExport(
        file=sts_file_name(uai, year),
        school=StsSchool(uai=uai, year=year, name="COLLEGE LES TILLEULS"),
        subjects=subjects,
        mefs=mefs,
        divisions=divisions,
        groups=groups,
        individuals=individuals,
        services=services,
    )


def write_sts(
    export: StsExport,
    *,
    encoding: str = "UTF-8",
    bom: bool = False,
    application_source: bool = False,
    services: Iterable[StsService] | None = None,
) -> bytes:
    """The STS-Web XML of ``export`` (``services`` overrides ``export.services`` when given)."""
    root = etree.Element(STS_ROOT_TAG)
    parameters = _sub(root, "PARAMETRES")
    uaj = _sub(parameters, "UAJ", CODE=export.school.uai)
    if export.school.name:
        principal, _, complement = export.school.name.partition(" ")
        _text(uaj, "DENOM_PRINC", principal)
        if complement:
            _text(uaj, "DENOM_COMPL", complement)
    _sub(parameters, "ANNEE_SCOLAIRE", ANNEE=str(export.school.year))
    if application_source:
        _text(parameters, "APPLICATION_SOURCE", "LOGICIEL EDT PRIVE")
    nomenclatures = _sub(root, "NOMENCLATURES")
    subjects = _sub(nomenclatures, "MATIERES")
    for subject in export.subjects:
        element = _sub(subjects, "MATIERE", CODE=subject.code)
        _text(element, "CODE_GESTION", subject.management_code)
        _text(element, "LIBELLE_COURT", subject.short_label)
        _text(element, "LIBELLE_LONG", subject.long_label)
    if export.mefs:
        mefs = _sub(nomenclatures, "MEFS")
        for mef in export.mefs:
            element = _sub(mefs, "MEF", CODE=mef.code)
            _text(element, "LIBELLE_COURT", mef.short_label)
            _text(element, "LIBELLE_LONG", mef.long_label)
            _text(element, "LIBELLE_EDITION", mef.edition_label)
    data = _sub(root, "DONNEES")
    structure = _sub(data, "STRUCTURE")
    all_services = tuple(export.services if services is None else services)
    divisions = _sub(structure, "DIVISIONS")
    for division in export.divisions:
        element = _sub(divisions, "DIVISION", CODE=division.code)
        _text(element, "LIBELLE_LONG", division.label)
        if division.mef_codes:
            belongs = _sub(element, "MEFS_APPARTENANCE")
            for code in division.mef_codes:
                _sub(belongs, "MEF_APPARTENANCE", CODE=code)
        _write_services(
            element,
            [
                s
                for s in all_services
                if s.structure_kind is StructureKind.DIVISION and s.structure_code == division.code
            ],
        )
    groups = _sub(structure, "GROUPES")
    for group in export.groups:
        element = _sub(groups, "GROUPE", CODE=group.code)
        _text(element, "LIBELLE_LONG", group.label)
        belongs = _sub(element, "DIVISIONS_APPARTENANCE")
        for code in group.division_codes:
            _sub(belongs, "DIVISION_APPARTENANCE", CODE=code)
        _write_services(
            element,
            [
                s
                for s in all_services
                if s.structure_kind is StructureKind.GROUP and s.structure_code == group.code
            ],
        )
    individuals = _sub(data, "INDIVIDUS")
    for individual in export.individuals:
        element = _sub(individuals, "INDIVIDU", ID=individual.id, TYPE=individual.type)
        if individual.civility is not None:
            _text(element, "SEXE", "1" if individual.civility is Civility.M else "2")
            _text(element, "CIVILITE", str(int(individual.civility)))
        _text(element, "NOM_USAGE", individual.last_name)
        _text(element, "NOM_PATRONYMIQUE", individual.birth_name)
        _text(element, "PRENOM", individual.first_name)
        if individual.birth_date is not None:
            _text(element, "DATE_NAISSANCE", individual.birth_date.isoformat())
        _text(element, "GRADE", individual.grade)
        _text(element, "FONCTION", individual.function)
        if individual.main_teacher_of:
            main = _sub(element, "PROFS_PRINC")
            for item in individual.main_teacher_of:
                entry = _sub(main, "PROF_PRINC")
                _text(entry, "CODE_STRUCTURE", item.structure_code)
                if item.end is not None:
                    _text(entry, "DATE_FIN", item.end.isoformat())
        if individual.disciplines:
            disciplines = _sub(element, "DISCIPLINES")
            for discipline in individual.disciplines:
                entry = _sub(disciplines, "DISCIPLINE", CODE=discipline.code)
                _text(entry, "LIBELLE_COURT", discipline.short_label)
                if discipline.hours is not None:
                    _text(entry, "NB_HEURES", f"{discipline.hours:.2f}")
    content = etree.tostring(root, encoding=encoding, xml_declaration=True, pretty_print=True)
    assert isinstance(content, bytes)
    return (codecs.BOM_UTF8 + content) if bom else content


def _write_services(structure: etree._Element, services: list[StsService]) -> None:
    if not services:
        return
    container = _sub(structure, "SERVICES")
    by_subject: dict[tuple[str, str], list[StsService]] = {}
    for service in services:
        by_subject.setdefault((service.subject_code, service.modality), []).append(service)
    for (subject_code, modality), teachers in by_subject.items():
        attributes = {"CODE_MATIERE": subject_code}
        if modality:
            attributes["CODE_MOD_COURS"] = modality
        element = _sub(container, "SERVICE", **attributes)
        teachers_element = _sub(element, "ENSEIGNANTS")
        for service in teachers:
            _sub(teachers_element, "ENSEIGNANT", ID=service.teacher_id, TYPE=service.teacher_type)


def sample_sts_file(uai: str = SAMPLE_UAI, year: int = SAMPLE_YEAR) -> tuple[str, bytes]:
    """(file name, content) of the sample STS-Web export, as STS-Web names it."""
    return sts_file_name(uai, year), write_sts(sample_sts_export(uai, year))


# --- EDT --------------------------------------------------------------------------------------------------

FIRST_WEEK_START = datetime.date(2025, 9, 1)  # a Monday
A_WEEKS = frozenset(range(1, 36, 2))
B_WEEKS = frozenset(range(2, 36, 2))


def _grid() -> Grid:
    starts = [(8, 0), (8, 55), (10, 5), (11, 0), (13, 30), (14, 25), (15, 30), (16, 25)]
    slots = []
    for number, (hour, minute) in enumerate(starts):
        start = datetime.time(hour, minute)
        end_minutes = hour * 60 + minute + 55
        slots.append(
            GridSlot(number=number, start=start, end=datetime.time(end_minutes // 60, end_minutes % 60))
        )
    return Grid(slot_minutes=55, slots=tuple(slots))


def sample_edt_export(uai: str = SAMPLE_UAI) -> TimetableExport:
    """A week of a few lessons with A/B weeks, a class part, a cross-class group, a cancellation-free grid."""
    grid = _grid()

    def lesson(
        day: int, slot: int, count: int, weeks: frozenset[int] | None, **keys: tuple[str, ...] | str
    ) -> PlacedLesson:
        first, last = grid.slots[slot], grid.slots[slot + count - 1]
        return PlacedLesson(
            day=day,
            start=first.start,
            end=last.end,
            weeks=WeekPattern(weeks=weeks),
            subject_key=str(keys.pop("subject")),
            start_slot=slot,
            slot_count=count,
            source_id=str(keys.pop("source_id", "")),
            **{name: value for name, value in keys.items() if isinstance(value, tuple)},  # type: ignore[arg-type]
        )

    lessons = (
        lesson(
            1,
            0,
            1,
            None,
            subject="M1",
            teacher_keys=("P1",),
            class_keys=("C4B",),
            room_keys=("S12",),
            source_id="1001",
        ),
        lesson(
            1,
            1,
            2,
            A_WEEKS,
            subject="M2",
            teacher_keys=("P2",),
            class_keys=("C4B",),
            room_keys=("S14",),
            source_id="1002",
        ),
        lesson(
            1,
            1,
            2,
            B_WEEKS,
            subject="M1",
            teacher_keys=("P1",),
            class_part_keys=("C4B_G1",),
            room_keys=("S12",),
            source_id="1003",
        ),
        lesson(
            2,
            4,
            1,
            None,
            subject="M3",
            teacher_keys=("P3",),
            group_keys=("G4ALL1",),
            room_keys=("S21",),
            source_id="1004",
        ),
        lesson(
            4,
            2,
            1,
            frozenset({3, 4, 5}),
            subject="M1",
            teacher_keys=("P1", "P3"),
            class_keys=("C4C",),
            source_id="1005",
        ),
    )
    return TimetableExport(
        file="edt_sample.xml",
        source=TimetableSource.EDT,
        uai=uai,
        year_start=FIRST_WEEK_START,
        year_end=datetime.date(2026, 7, 4),
        first_week_start=FIRST_WEEK_START,
        grid=grid,
        subjects=(
            TimetableSubject(key="M1", code="MATHS", label="Mathématiques"),
            TimetableSubject(key="M2", code="FRANC", label="Français"),
            TimetableSubject(key="M3", code="ALL1", label="Allemand LV1"),
        ),
        teachers=(
            TimetableTeacher(
                key="P1",
                external_id="IDPN-0001",
                last_name="ARNOUX",
                first_name="Lucien",
                birth_date=datetime.date(1981, 3, 14),
                display_name="ARNOUX Lucien",
            ),
            TimetableTeacher(
                key="P2",
                external_id="IDPN-0002",
                last_name="BERTHIER",
                first_name="Odile",
                birth_date=datetime.date(1975, 11, 2),
                display_name="BERTHIER Odile",
            ),
            TimetableTeacher(
                key="P3",
                external_id="IDPN-0003",
                last_name="DELORME",
                first_name="Élodie",
                display_name="DELORME Élodie",
            ),
        ),
        classes=(TimetableClass(key="C4B", name="4B"), TimetableClass(key="C4C", name="4C")),
        class_parts=(TimetableClassPart(key="C4B_G1", class_key="C4B", name="4B groupe 1"),),
        groups=(TimetableGroup(key="G4ALL1", name="4ALL1", class_keys=("C4B", "C4C")),),
        rooms=(
            TimetableRoom(key="S12", name="Salle 12"),
            TimetableRoom(key="S14", name="Salle 14"),
            TimetableRoom(key="S21", name="Labo langues"),
        ),
        lessons=lessons,
    )


def edt_day(day: int, first_week_start: datetime.date) -> int:
    """EDT ``Jour`` (1 = first day of the week) of an ISO weekday."""
    return (day - first_week_start.isoweekday()) % 7 + 1


def write_edt(
    export: TimetableExport,
    *,
    encoding: str = "UTF-8",
    bom: bool = False,
    root_tag: str = EDT_SAMPLE_ROOT_TAG,
) -> bytes:
    """The decrypted EDT XML of ``export``; lessons need ``start_slot``/``slot_count``."""
    assert export.first_week_start is not None
    assert export.grid is not None
    root = etree.Element(root_tag, {"UAI": export.uai} if export.uai else {})
    year = {"DatePremierJourSemaine1": export.first_week_start.isoformat()}
    if export.year_start is not None:
        year["DateDebut"] = export.year_start.isoformat()
    if export.year_end is not None:
        year["DateFin"] = export.year_end.isoformat()
    _sub(root, "AnneeScolaire", **year)
    grid_attributes = {"DureePlace": str(export.grid.slot_minutes)} if export.grid.slot_minutes else {}
    grid = _sub(root, "GrilleHoraire", **grid_attributes)
    places = _sub(grid, "PlacesParJour")
    for slot in export.grid.slots:
        _sub(
            places,
            "Place",
            Numero=str(slot.number),
            LibelleHeureDebut=slot.start.strftime("%H:%M:%S"),
            LibelleHeureFin=slot.end.strftime("%H:%M:%S"),
        )
    container = _sub(root, "Matieres")
    for subject in export.subjects:
        _sub(container, "Matiere", Ident=subject.key, Code=subject.code, Libelle=subject.label)
    container = _sub(root, "Professeurs")
    for teacher in export.teachers:
        attributes = {
            "Ident": teacher.key,
            "IDPN": teacher.external_id,
            "Nom": teacher.last_name,
            "Prenom": teacher.first_name,
        }
        if teacher.birth_date is not None:
            attributes["DateNaissance"] = teacher.birth_date.isoformat()
        _sub(container, "Professeur", **attributes)
    container = _sub(root, "Classes")
    for school_class in export.classes:
        element = _sub(container, "Classe", Ident=school_class.key, Nom=school_class.name)
        for part in export.class_parts:
            if part.class_key == school_class.key:
                _sub(element, "PartieDeClasse", Ident=part.key, Nom=part.name)
    container = _sub(root, "Groupes")
    for group in export.groups:
        element = _sub(container, "Groupe", Ident=group.key, Nom=group.name)
        for key in group.class_keys:
            _sub(element, "Classe", Ident=key)
        for key in group.class_part_keys:
            _sub(element, "PartieDeClasse", Ident=key)
    container = _sub(root, "Salles")
    for room in export.rooms:
        _sub(container, "Salle", Ident=room.key, Nom=room.name)
    container = _sub(root, "Cours")
    for lesson in export.lessons:
        assert lesson.start_slot is not None
        assert lesson.slot_count is not None
        attributes = {
            "Jour": str(edt_day(lesson.day, export.first_week_start)),
            "NumeroPlaceDebut": str(lesson.start_slot),
            "NombrePlaces": str(lesson.slot_count),
        }
        if lesson.source_id:
            attributes = {"Ident": lesson.source_id, **attributes}
        course = _sub(container, "Cours", **attributes)
        mask = {} if lesson.weeks.weeks is None else {"Semaines": str(week_mask(lesson.weeks.weeks))}
        children = [("Matiere", lesson.subject_key)] if lesson.subject_key else []
        children += [("Professeur", key) for key in lesson.teacher_keys]
        children += [("Classe", key) for key in lesson.class_keys]
        children += [("PartieDeClasse", key) for key in lesson.class_part_keys]
        children += [("Groupe", key) for key in lesson.group_keys]
        children += [("Salle", key) for key in lesson.room_keys]
        for tag, key in children:
            _sub(course, tag, Ident=key, **mask)
    content = etree.tostring(root, encoding=encoding, xml_declaration=True, pretty_print=True)
    assert isinstance(content, bytes)
    return (codecs.BOM_UTF8 + content) if bom else content


def sample_edt_file(uai: str = SAMPLE_UAI) -> tuple[str, bytes]:
    export = sample_edt_export(uai)
    return export.file, write_edt(export)


def envelope_encrypt(
    xml: bytes,
    *,
    partners: dict[str, bytes],
    compress: bool = True,
    uai: str | None = SAMPLE_UAI,
    school_name: str = "COLLEGE LES TILLEULS",
    exported_at: datetime.datetime = datetime.datetime(2025, 8, 28, 17, 30, 0),
    session_key: bytes | None = None,
    verification: str = "content",
) -> bytes:
    """The envelope EDT would drop for the ENTs of ``partners`` (name → RSA public key PEM).

    ``session_key`` is the AES-128 key and IV (32 bytes, random by default). ``verification`` is
    what VERIFICATION hashes: ``"content"`` the AES plaintext, as the entcore importer checks it, or
    ``"ciphertext"``, as the handbook's table says (the reader accepts both).
    """
    if verification not in {"content", "ciphertext"}:
        raise ValueError(f"verification must be 'content' or 'ciphertext', not {verification!r}")
    key_and_iv = session_key if session_key is not None else os.urandom(32)
    if len(key_and_iv) != 32:
        raise ValueError("session_key must be 32 bytes: AES-128 key then IV")
    plain = zlib.compress(xml) if compress else xml
    padder = symmetric_padding.PKCS7(algorithms.AES.block_size).padder()
    encryptor = Cipher(algorithms.AES(key_and_iv[:16]), modes.CBC(key_and_iv[16:])).encryptor()
    ciphertext = encryptor.update(padder.update(plain) + padder.finalize()) + encryptor.finalize()
    blob = key_and_iv + hashlib.md5(key_and_iv, usedforsecurity=False).digest()

    root = etree.Element(ENVELOPE_TAG)
    _text(root, "VERSION", "1.0")
    _text(root, "LOGICIEL", "EDT")
    keys = _sub(root, "CLES")
    for name, pem in partners.items():
        public_key = serialization.load_pem_public_key(pem)
        assert isinstance(public_key, RSAPublicKey)
        encrypted = public_key.encrypt(blob, asymmetric_padding.PKCS1v15())
        _sub(keys, "PARTENAIRE", NOM=name).text = base64.b64encode(encrypted).decode()
    content = _sub(root, "CONTENU", CompresseAvantChiffrement="true" if compress else "false")
    content.text = base64.encodebytes(ciphertext).decode()  # MIME lines of 76 characters
    checked = plain if verification == "content" else ciphertext
    _text(root, "VERIFICATION", base64.b64encode(hashlib.sha256(checked).digest()).decode())
    _text(root, "DATEHEURE", exported_at.isoformat())
    if uai:
        _text(root, "UAI", uai)
    _text(root, "NOMETABLISSEMENT", school_name)
    _text(root, "CODEPOSTALVILLE", "67000 STRASBOURG")
    content_bytes = etree.tostring(root, encoding="UTF-8", xml_declaration=True, pretty_print=True)
    assert isinstance(content_bytes, bytes)
    return content_bytes


# --- UDT --------------------------------------------------------------------------------------------------


def sample_udt_export() -> TimetableExport:
    """The same kind of week as the EDT sample, as UDT names things (cells, not ids)."""

    def lesson(
        day: int, start: tuple[int, int], end: tuple[int, int], subject: str, **values: object
    ) -> PlacedLesson:
        return PlacedLesson(
            day=day,
            start=datetime.time(*start),
            end=datetime.time(*end),
            weeks=WeekPattern(label=str(values.pop("weeks", ""))),
            subject_key=subject,
            **values,  # type: ignore[arg-type]
        )

    lessons = (
        lesson(
            1,
            (8, 0),
            (8, 55),
            "MATHS",
            teacher_keys=("ARNOUX L.",),
            class_keys=("4B",),
            room_keys=("S12",),
            modality="CG",
            headcount=27,
        ),
        lesson(
            1,
            (8, 55),
            (10, 45),
            "FRANÇAIS",
            teacher_keys=("BERTHIER O.",),
            class_keys=("4B",),
            room_keys=("S14",),
            modality="CG",
            headcount=27,
            weeks="A",
        ),
        lesson(
            1,
            (8, 55),
            (10, 45),
            "MATHS",
            teacher_keys=("ARNOUX L.",),
            class_keys=("4B",),
            class_part_keys=("4B/4B_G1",),
            room_keys=("S12",),
            modality="TP",
            headcount=14,
            weeks="B",
        ),
        lesson(
            2,
            (13, 30),
            (14, 25),
            "ALLEMAND LV1",
            teacher_keys=("DELORME É.",),
            class_keys=("4B", "4C"),
            group_keys=("4ALL1",),
            room_keys=("LABO LANGUES",),
            modality="CG",
            headcount=24,
        ),
        lesson(
            5,
            (15, 30),
            (16, 25),
            "ÉDUCATION MUSICALE",
            teacher_keys=("FÉRAUD J.",),
            class_keys=("6A",),
            modality="CG",
        ),
    )
    return TimetableExport(
        file="g_edt_2.csv",
        source=TimetableSource.UDT,
        subjects=tuple(
            TimetableSubject(key=name, code=name, label=name)
            for name in sorted({"MATHS", "FRANÇAIS", "ALLEMAND LV1", "ÉDUCATION MUSICALE"})
        ),
        teachers=tuple(
            TimetableTeacher(key=name, display_name=name)
            for name in sorted({"ARNOUX L.", "BERTHIER O.", "DELORME É.", "FÉRAUD J."})
        ),
        classes=tuple(TimetableClass(key=name, name=name) for name in ("4B", "4C", "6A")),
        class_parts=(TimetableClassPart(key="4B/4B_G1", class_key="4B", name="4B_G1"),),
        groups=(TimetableGroup(key="4ALL1", name="4ALL1", class_keys=("4B", "4C")),),
        rooms=tuple(TimetableRoom(key=name, name=name) for name in sorted({"S12", "S14", "LABO LANGUES"})),
        lessons=lessons,
    )


def _udt_time(value: datetime.time) -> str:
    return f"{value.hour}h{value.minute:02d}"


def write_udt(
    export: TimetableExport,
    *,
    encoding: str = "cp1252",
    delimiter: str = ";",
    bom: bool = False,
    header: bool = True,
) -> bytes:
    """The UDT CSV of ``export``: one line per lesson and division, every cell quoted, CRLF."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    if header:
        writer.writerow([title for title, _aliases in COLUMNS.values()])
    for lesson in export.lessons:
        time = _udt_time(lesson.start) + (f" - {_udt_time(lesson.end)}" if lesson.end is not None else "")
        for division in lesson.class_keys or ("",):
            parts = [
                key.partition("/")[2] for key in lesson.class_part_keys if key.partition("/")[0] == division
            ]
            writer.writerow(
                [
                    DAY_NAMES[lesson.day - 1],
                    time,
                    division,
                    lesson.subject_key or "",
                    lesson.teacher_keys[0] if lesson.teacher_keys else "",
                    lesson.room_keys[0] if lesson.room_keys else "",
                    parts[0] if parts else "",
                    lesson.group_keys[0] if lesson.group_keys else "",
                    "" if lesson.headcount is None else str(lesson.headcount),
                    lesson.modality,
                    lesson.weeks.label,
                    "",
                ]
            )
    content = buffer.getvalue().encode(encoding)
    return (codecs.BOM_UTF8 + content) if bom else content


def sample_udt_file() -> tuple[str, bytes]:
    export = sample_udt_export()
    return export.file, write_udt(export)


def sample_udt_archive_export() -> TimetableExport:
    """The UDT sample as the zip export carries it: full teacher names, A/B weeks as ISO weeks 36-39
    of 2025 (week 1 = ISO week 36), one co-taught lesson, and neither modality nor headcount."""
    first_week_start = datetime.date(2025, 9, 1)
    weeks = {"": None, "A": frozenset({1, 3}), "B": frozenset({2, 4})}
    base = sample_udt_export()
    lessons = tuple(
        dataclasses.replace(
            lesson,
            weeks=WeekPattern(weeks=weeks[lesson.weeks.label]),
            modality="",
            headcount=None,
            teacher_keys=lesson.teacher_keys + (("BERTHIER O.",) if index == 0 else ()),
        )
        for index, lesson in enumerate(base.lessons)
    )
    names = {"ARNOUX L.": "Lucien", "BERTHIER O.": "Odile", "DELORME É.": "Élodie", "FÉRAUD J.": "Jeanne"}
    teachers = tuple(
        TimetableTeacher(
            key=key,
            last_name=key.split()[0],
            first_name=names[key],
            display_name=f"{key.split()[0]} {names[key]}",
        )
        for key in sorted(names)
    )
    return dataclasses.replace(
        base,
        file="udt_export.zip",
        year_start=first_week_start,
        year_end=datetime.date(2026, 7, 4),
        first_week_start=first_week_start,
        teachers=teachers,
        lessons=lessons,
    )


def write_udt_archive(export: TimetableExport) -> bytes:
    """The UDT zip of ``export`` (its ``first_week_start`` and ``year_start`` set).

    The half-sequences of a day are cut at every start and end time of its lessons; each lesson is
    a run of lines with consecutive numbers, one run per class. Lessons of every week go to
    ``UDCal_12.xml``, the others to ``UDCal_12_<WW>.xml`` for each ISO week they take place in.
    The root element of each file is a choice: the public readers never look at it.
    """
    assert export.first_week_start is not None
    assert export.year_start is not None
    files: dict[str, etree._Element] = {}

    def root(name: str, tag: str) -> etree._Element:
        if name not in files:
            files[name] = etree.Element(tag)
        return files[name]

    calendar = root("UDCal_24.xml", "calendrier")
    _text(calendar, "annee", str(export.year_start.year))
    _text(calendar, "debut_eleve", f"{export.year_start:%d/%m/%Y}")
    if export.year_end is not None:
        _text(calendar, "fin_eleve", f"{export.year_end:%d/%m/%Y}")
    first_iso = export.first_week_start.isocalendar().week
    _sub(root("UDCal_00.xml", "parametres"), "init", premiere_semaine_ISO=str(first_iso), duree_seq="3300")
    for room in export.rooms:
        _sub(root("UDCal_03.xml", "salles"), "salle", code=room.key, nom=room.name)
    for teacher in export.teachers:
        _sub(
            root("UDCal_04.xml", "profs"),
            "prof",
            code=teacher.key,
            epj=teacher.external_id,
            nom=teacher.last_name,
            prenom=teacher.first_name,
        )
    for subject in export.subjects:
        _sub(
            root("UDCal_05.xml", "matieres"),
            "mat",
            code=subject.key,
            libelle=subject.label,
            code_gep1=subject.code,
        )
    for school_class in export.classes:
        _sub(root("UDCal_08.xml", "divisions"), "div", code=school_class.key, libelle=school_class.name)
    for part in export.class_parts:
        _sub(root("UDCal_19.xml", "groupes"), "gpe", code=part.name, code_div=part.class_key)
    for group in export.groups:
        for division in group.class_keys:
            _sub(
                root("UDCal_13.xml", "regroupements"),
                "rgpmt",
                code=group.key,
                nom=group.name,
                code_div=division,
            )

    boundaries: dict[int, set[datetime.time]] = defaultdict(set)
    for lesson in export.lessons:
        assert lesson.end is not None
        boundaries[lesson.day] |= {lesson.start, lesson.end}
    half_sequences: dict[tuple[int, datetime.time], int] = {}  # (day, start) → code
    for day, times in sorted(boundaries.items()):
        ordered = sorted(times)
        for index, (start, end) in enumerate(itertools.pairwise(ordered), start=1):
            half_sequences[(day, start)] = index
            _sub(
                root("UDCal_07.xml", "demi_sequences"),
                "demi_seq",
                code_jour=str(day),
                code=f"{index:02d}",
                code_site="",
                hre_deb=f"{start:%H:%M}",
                hre_fin=f"{end:%H:%M}",
            )
            _sub(
                root("UDCal_11.xml", "fiches"),
                "fiche",
                code=f"{day}{index:02d}",
                jour=str(day),
                demi_seq=f"{index:02d}",
                site="",
            )
    starts = {day: sorted(times) for day, times in boundaries.items()}

    number = 0
    for lesson in export.lessons:
        assert lesson.end is not None
        cells = [t for t in starts[lesson.day] if lesson.start <= t < lesson.end]
        suffixes = (
            [""]
            if lesson.weeks.every_week
            else [
                f"_{(export.first_week_start + datetime.timedelta(weeks=w - 1)).isocalendar().week:02d}"
                for w in sorted(lesson.weeks.weeks or ())
            ]
        )
        divisions = lesson.class_keys or tuple(
            dict.fromkeys(k.partition("/")[0] for k in lesson.class_part_keys)
        )
        for division in divisions:
            parts = [k.partition("/")[2] for k in lesson.class_part_keys if k.partition("/")[0] == division]
            number += 1  # a gap: the runs of one class, subject and teacher never join
            first_code = ""
            for cell in cells:
                number += 1
                line_code = f"{number:03d}01"
                first_code = first_code or line_code
                for suffix in suffixes:
                    _sub(
                        root(f"UDCal_12{suffix}.xml", "lignes"),
                        "ligfiche",
                        code=line_code,
                        fic=f"{lesson.day}{half_sequences[(lesson.day, cell)]:02d}",
                        div=division,
                        mat=lesson.subject_key or "",
                        prof=lesson.teacher_keys[0] if lesson.teacher_keys else "",
                        salle=lesson.room_keys[0] if lesson.room_keys else "",
                        rgpmt=lesson.group_keys[0] if lesson.group_keys else "0",
                        gpe=parts[0] if parts else "",
                    )
            for co_teacher in lesson.teacher_keys[1:]:
                for suffix in suffixes:
                    _sub(
                        root(f"UDCal_23{suffix}.xml", "coenseignements"),
                        "coens",
                        lignefic=first_code,
                        prof=co_teacher,
                    )
    root("UDCal_12.xml", "lignes")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, element in sorted(files.items()):
            archive.writestr(name, etree.tostring(element, xml_declaration=True, encoding="ISO-8859-1"))
    return buffer.getvalue()


# --- XML helpers ------------------------------------------------------------------------------------------


def _sub(parent: etree._Element, tag: str, **attributes: str) -> etree._Element:
    return etree.SubElement(parent, tag, {name: value for name, value in attributes.items()})


def _text(parent: etree._Element, tag: str, value: str) -> None:
    if value:
        etree.SubElement(parent, tag).text = value
