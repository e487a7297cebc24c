"""Streaming parser of the STS-Web export ``sts_emp_<UAI>_<année>.xml`` (root ``STS_EDT``).

Reads the school (UAI, year), the subjects and MEF nomenclatures, the divisions with their MEFs,
the groups with their divisions, the staff (``INDIVIDU``) and the services (teacher × division or
group × subject). See handbook/interop-timetable.md §2. No weekly slots: those come from EDT/UDT.

Memory stays flat: lxml ``iterparse`` hands over one ``MATIERE``/``DIVISION``/``INDIVIDU``… at a
time and each is released once its record is built. No DTD, no entities, no network.

Rejected (``TimetableImportError``): not XML, another root, a file from a private timetable tool
(``APPLICATION_SOURCE``), a missing UAI or year, a UAI that differs between the file name, the
content and the school importing it, a year that differs between file name and content, missing
codes, bad dates/civilities/hours, duplicate codes, and references to undeclared subjects, MEFs,
divisions or individuals. Services of individuals without ``FONCTION`` are dropped (handbook).
"""

from __future__ import annotations

import io
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from lxml import etree

from ._common import (
    Source,
    XmlReader,
    child_text,
    file_label,
    is_zip,
    iter_xml,
    open_binary,
    parse_iso_date,
    path_of,
    release,
    source_line,
    unzip_single,
)
from .model import (
    Civility,
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
    TimetableImportError,
)

ROOT_TAG = "STS_EDT"
# Searched (not matched) so that « sts_emp_0679901Y_2025 (1).xml » from a browser still counts.
FILE_NAME_RE = re.compile(r"sts_emp_(?P<uai>[0-9]{7}[A-Za-z])_(?P<year>[0-9]{4})", re.IGNORECASE)
_XML_MEMBER_RE = re.compile(r"\.xml$", re.IGNORECASE)
_UAI_RE = re.compile(r"[0-9]{7}[A-Z]")
_UAI_CHECK_LETTERS = "ABCDEFGHJKLMNPRSTUVWXYZ"


def sts_file_name(uai: str, year: int) -> str:
    """The name STS-Web gives the export: ``sts_emp_0679901Y_2025.xml``."""
    return f"sts_emp_{uai.upper()}_{year}.xml"


def is_valid_uai(uai: str) -> bool:
    """7 digits and the right check letter, e.g. ``0679901Y``."""
    return _UAI_RE.fullmatch(uai) is not None and _UAI_CHECK_LETTERS[int(uai[:7]) % 23] == uai[7]


def parse_sts(source: Source, *, file_name: str | None = None, expected_uai: str | None = None) -> StsExport:
    """Parse an STS-Web export (xml, or a zip holding one xml).

    ``file_name`` is the uploaded name (checked against the content when it follows the
    ``sts_emp_<UAI>_<année>`` convention); ``expected_uai`` the UAI of the importing school.
    """
    file = file_label(source, file_name)
    stream = open_binary(source)
    opened_here = stream is not source
    try:
        head = stream.read(4)
        if not head:
            raise TimetableImportError(file=file, code="empty_file", reason="le fichier est vide", line=1)
        if is_zip(head):
            content, member_name = unzip_single(
                head + stream.read(), file=file, member_pattern=_XML_MEMBER_RE
            )
            name_to_check = member_name
            xml_stream: Any = io.BytesIO(content)
        else:
            name_to_check = file
            if stream.seekable():
                stream.seek(0)
                xml_stream = stream
            else:
                xml_stream = io.BytesIO(head + stream.read())
        export = _StsReader(file).read(xml_stream)
    finally:
        if opened_here:
            stream.close()
    _check_identity(export, name_to_check=name_to_check, expected_uai=expected_uai)
    return export


# --- Reader -------------------------------------------------------------------------------------------


class _StsReader(XmlReader):
    def __init__(self, file: str) -> None:
        super().__init__(file)
        self.uai: str | None = None
        self.school_name = ""
        self.year: int | None = None
        self.subjects: dict[str, StsSubject] = {}
        self.mefs: dict[str, StsMef] = {}
        self.mef_nomenclature_seen = False
        self.divisions: dict[str, StsDivision] = {}
        self.division_lines: dict[str, int | None] = {}
        self.groups: dict[str, StsGroup] = {}
        self.group_lines: dict[str, int | None] = {}
        self.individuals: dict[str, StsIndividual] = {}
        self.services: list[StsService] = []
        self.service_paths: list[str] = []

    def read(self, stream: Any) -> StsExport:
        root_checked = False
        for event, element in iter_xml(stream, file=self.file):
            if not root_checked:
                if element.tag != ROOT_TAG:
                    self.error(
                        "wrong_root",
                        f"ce fichier n'est pas un export STS-Web : l'élément racine doit être {ROOT_TAG}",
                        element,
                        path=str(element.tag),
                    )
                root_checked = True
                continue
            if event != "end":
                continue
            parent = element.getparent()
            parent_tag = parent.tag if parent is not None else None
            handler = _HANDLERS.get((str(element.tag), str(parent_tag)))
            if handler is not None:
                handler(self, element)
        if not root_checked:
            raise TimetableImportError(file=self.file, code="not_xml", reason="le fichier est vide", line=1)
        return self.finish()

    # -- PARAMETRES

    def on_uaj(self, element: etree._Element) -> None:
        uai = self.required(element, "CODE", "UAI de l'établissement").upper()
        if not is_valid_uai(uai):
            self.error("bad_value", "l'UAI n'a pas 7 chiffres suivis de la bonne lettre clé", element)
        self.uai = uai
        self.school_name = " ".join(
            part for part in (child_text(element, "DENOM_PRINC"), child_text(element, "DENOM_COMPL")) if part
        )

    def on_school_year(self, element: etree._Element) -> None:
        value = self.required(element, "ANNEE", "année scolaire")
        if not re.fullmatch(r"[0-9]{4}", value):
            self.error("bad_value", "l'année scolaire doit s'écrire sur quatre chiffres (AAAA)", element)
        self.year = int(value)

    def on_application_source(self, element: etree._Element) -> None:
        self.error(
            "not_sts_web",
            "ce fichier a été produit par un logiciel d'emploi du temps, pas par STS-Web : "
            "exportez-le depuis STS-Web",
            element,
        )

    # -- NOMENCLATURES

    def on_subject(self, element: etree._Element) -> None:
        code = self.required(element, "CODE", "code de la matière")
        if code in self.subjects:
            self.error("duplicate", f"la matière de code {code} est déclarée deux fois", element)
        self.subjects[code] = StsSubject(
            code=code,
            management_code=child_text(element, "CODE_GESTION"),
            short_label=child_text(element, "LIBELLE_COURT"),
            long_label=child_text(element, "LIBELLE_LONG"),
        )
        release(element)

    def on_mef(self, element: etree._Element) -> None:
        self.mef_nomenclature_seen = True
        code = self.required(element, "CODE", "code du MEF")
        if code in self.mefs:
            self.error("duplicate", f"le MEF de code {code} est déclaré deux fois", element)
        self.mefs[code] = StsMef(
            code=code,
            short_label=child_text(element, "LIBELLE_COURT"),
            long_label=child_text(element, "LIBELLE_LONG"),
            edition_label=child_text(element, "LIBELLE_EDITION"),
        )
        release(element)

    # -- STRUCTURE

    def on_division(self, element: etree._Element) -> None:
        code = self.required(element, "CODE", "code de la division")
        if code in self.divisions:
            self.error("duplicate", f"la division {code} est déclarée deux fois", element)
        mef_codes = tuple(
            self.required(mef, "CODE", "code du MEF de la division")
            for mef in element.iterfind("MEFS_APPARTENANCE/MEF_APPARTENANCE")
        )
        self.divisions[code] = StsDivision(
            code=code, label=child_text(element, "LIBELLE_LONG"), mef_codes=mef_codes
        )
        self.division_lines[code] = source_line(element)
        self.read_services(element, StructureKind.DIVISION, code)
        release(element)

    def on_group(self, element: etree._Element) -> None:
        code = self.required(element, "CODE", "code du groupe")
        if code in self.groups:
            self.error("duplicate", f"le groupe {code} est déclaré deux fois", element)
        division_codes = tuple(
            self.required(division, "CODE", "code de la division du groupe")
            for division in element.iterfind("DIVISIONS_APPARTENANCE/DIVISION_APPARTENANCE")
        )
        self.groups[code] = StsGroup(
            code=code, label=child_text(element, "LIBELLE_LONG"), division_codes=division_codes
        )
        self.group_lines[code] = source_line(element)
        self.read_services(element, StructureKind.GROUP, code)
        release(element)

    def read_services(self, structure: etree._Element, kind: StructureKind, code: str) -> None:
        for service in structure.iterfind("SERVICES/SERVICE"):
            subject_code = self.required(service, "CODE_MATIERE", "matière du service")
            modality = (service.get("CODE_MOD_COURS") or "").strip()
            for teacher in service.iterfind("ENSEIGNANTS/ENSEIGNANT"):
                self.services.append(
                    StsService(
                        structure_kind=kind,
                        structure_code=code,
                        subject_code=subject_code,
                        teacher_id=self.required(teacher, "ID", "identifiant de l'enseignant"),
                        teacher_type=(teacher.get("TYPE") or "").strip(),
                        modality=modality,
                        line=source_line(teacher),
                    )
                )
                self.service_paths.append(path_of(teacher))

    # -- INDIVIDUS

    def on_individual(self, element: etree._Element) -> None:
        individual_id = self.required(element, "ID", "identifiant de la personne")
        if individual_id in self.individuals:
            self.error("duplicate", "une personne est déclarée deux fois avec le même identifiant", element)
        civility: Civility | None = None
        civility_text = child_text(element, "CIVILITE")
        if civility_text:
            try:
                civility = Civility(int(civility_text))
            except ValueError:
                self.error("bad_value", "la civilité doit valoir 1 (M.), 2 (Mme) ou 3 (Mlle)", element)
        birth_date = None
        birth_text = child_text(element, "DATE_NAISSANCE")
        if birth_text:
            try:
                birth_date = parse_iso_date(birth_text)
            except ValueError:
                self.error("bad_date", "la date de naissance n'est pas au format AAAA-MM-JJ", element)
        disciplines = tuple(self.discipline(item) for item in element.iterfind("DISCIPLINES/DISCIPLINE"))
        main_teacher_of = tuple(
            self.main_teacher(item) for item in element.iterfind("PROFS_PRINC/PROF_PRINC")
        )
        self.individuals[individual_id] = StsIndividual(
            id=individual_id,
            type=(element.get("TYPE") or "").strip(),
            civility=civility,
            last_name=child_text(element, "NOM_USAGE"),
            birth_name=child_text(element, "NOM_PATRONYMIQUE"),
            first_name=child_text(element, "PRENOM"),
            birth_date=birth_date,
            function=child_text(element, "FONCTION"),
            grade=child_text(element, "GRADE"),
            disciplines=disciplines,
            main_teacher_of=main_teacher_of,
            line=source_line(element),
        )
        release(element)

    def discipline(self, element: etree._Element) -> StsDiscipline:
        hours = None
        hours_text = child_text(element, "NB_HEURES")
        if hours_text:
            try:
                hours = Decimal(hours_text.replace(",", "."))
            except InvalidOperation:
                self.error("bad_value", "le nombre d'heures de la discipline n'est pas un nombre", element)
        return StsDiscipline(
            code=self.required(element, "CODE", "code de la discipline"),
            short_label=child_text(element, "LIBELLE_COURT"),
            hours=hours,
        )

    def main_teacher(self, element: etree._Element) -> StsMainTeacherOf:
        structure_code = child_text(element, "CODE_STRUCTURE")
        if not structure_code:
            self.error("missing_field", "la structure du professeur principal est absente", element)
        end = None
        end_text = child_text(element, "DATE_FIN")
        if end_text:
            try:
                end = parse_iso_date(end_text)
            except ValueError:
                self.error(
                    "bad_date",
                    "la date de fin de professeur principal n'est pas au format AAAA-MM-JJ",
                    element,
                )
        return StsMainTeacherOf(structure_code=structure_code, end=end)

    # -- After the last element: presence and references

    def finish(self) -> StsExport:
        if self.uai is None:
            self.error(
                "missing_field", "l'UAI de l'établissement est absent", path=f"{ROOT_TAG}/PARAMETRES/UAJ"
            )
        if self.year is None:
            self.error(
                "missing_field", "l'année scolaire est absente", path=f"{ROOT_TAG}/PARAMETRES/ANNEE_SCOLAIRE"
            )
        assert self.uai is not None
        assert self.year is not None
        if self.mef_nomenclature_seen:
            for division in self.divisions.values():
                for mef_code in division.mef_codes:
                    if mef_code not in self.mefs:
                        raise TimetableImportError(
                            file=self.file,
                            code="unknown_reference",
                            reason=(
                                f"la division {division.code} cite le MEF {mef_code}, "
                                "absent des nomenclatures"
                            ),
                            line=self.division_lines[division.code],
                            element="DIVISION/MEFS_APPARTENANCE/MEF_APPARTENANCE",
                        )
        for group in self.groups.values():
            for division_code in group.division_codes:
                if division_code not in self.divisions:
                    raise TimetableImportError(
                        file=self.file,
                        code="unknown_reference",
                        reason=(
                            f"le groupe {group.code} cite la division {division_code}, qui n'est pas déclarée"
                        ),
                        line=self.group_lines[group.code],
                        element="GROUPE/DIVISIONS_APPARTENANCE/DIVISION_APPARTENANCE",
                    )
        kept: list[StsService] = []
        ignored = 0
        for service, path in zip(self.services, self.service_paths, strict=True):
            if service.subject_code not in self.subjects:
                raise TimetableImportError(
                    file=self.file,
                    code="unknown_reference",
                    reason=f"un service cite la matière {service.subject_code}, absente des nomenclatures",
                    line=service.line,
                    element=path,
                )
            individual = self.individuals.get(service.teacher_id)
            if individual is None:
                raise TimetableImportError(
                    file=self.file,
                    code="unknown_reference",
                    reason="un service cite un enseignant absent de la liste des personnels",
                    line=service.line,
                    element=path,
                )
            if not individual.function:
                ignored += 1  # long leave or retirement: the handbook says to ignore the link
                continue
            kept.append(service)
        return StsExport(
            file=self.file,
            school=StsSchool(uai=self.uai, year=self.year, name=self.school_name),
            subjects=tuple(self.subjects.values()),
            mefs=tuple(self.mefs.values()),
            divisions=tuple(self.divisions.values()),
            groups=tuple(self.groups.values()),
            individuals=tuple(self.individuals.values()),
            services=tuple(kept),
            ignored_services=ignored,
        )


_HANDLERS: dict[tuple[str, str], Any] = {
    ("UAJ", "PARAMETRES"): _StsReader.on_uaj,
    ("ANNEE_SCOLAIRE", "PARAMETRES"): _StsReader.on_school_year,
    ("APPLICATION_SOURCE", "PARAMETRES"): _StsReader.on_application_source,
    ("MATIERE", "MATIERES"): _StsReader.on_subject,
    ("MEF", "MEFS"): _StsReader.on_mef,
    ("DIVISION", "DIVISIONS"): _StsReader.on_division,
    ("GROUPE", "GROUPES"): _StsReader.on_group,
    ("INDIVIDU", "INDIVIDUS"): _StsReader.on_individual,
}


def _check_identity(export: StsExport, *, name_to_check: str, expected_uai: str | None) -> None:
    school = export.school
    match = FILE_NAME_RE.search(name_to_check)
    if match is not None:
        if match.group("uai").upper() != school.uai:
            raise TimetableImportError(
                file=export.file,
                code="uai_mismatch",
                reason=(
                    f"le nom du fichier annonce l'établissement {match.group('uai').upper()} "
                    f"mais son contenu est celui de {school.uai}"
                ),
                element=f"{ROOT_TAG}/PARAMETRES/UAJ",
            )
        if int(match.group("year")) != school.year:
            raise TimetableImportError(
                file=export.file,
                code="year_mismatch",
                reason=(
                    f"le nom du fichier annonce l'année {match.group('year')} "
                    f"mais son contenu est celui de l'année {school.year}"
                ),
                element=f"{ROOT_TAG}/PARAMETRES/ANNEE_SCOLAIRE",
            )
    if expected_uai is not None and expected_uai.upper() != school.uai:
        raise TimetableImportError(
            file=export.file,
            code="uai_mismatch",
            reason=f"ce fichier est celui de l'établissement {school.uai}, pas de {expected_uai.upper()}",
            element=f"{ROOT_TAG}/PARAMETRES/UAJ",
        )
