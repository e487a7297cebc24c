"""Streaming parser of AAF files (``ficAlimMENESR``): XML in, typed records out, no ORM.

Memory stays flat whatever the file size: lxml ``iterparse`` hands over one request at a time and
each request is cleared (and unlinked from the root) once its record is built. The parser never
loads the DTD, never resolves entities and never touches the network.

Everything it rejects raises ``AafFormatError`` with a stable English ``code`` and a French reason;
cross-file checks (unknown structure, dangling class…) are ``check_references``' job.
"""

from __future__ import annotations

import datetime
import html
import logging
import os
import re
import zipfile
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, TypeAlias

from lxml import etree

from tenants.directory.imports.aaf_records import (
    CATEGORY_ATTRIBUTES,
    PROCESSING_ORDER,
    RECORD_TYPES,
    AafRecord,
    AafRecordBase,
    ClassDate,
    ClassDefinition,
    CodeLabel,
    FileKind,
    GroupDefinition,
    Guardian,
    GuardianLink,
    LegalResponsibility,
    Operation,
    RecordOrigin,
    Staff,
    StaffFunction,
    StaffMef,
    Structure,
    StructureLabel,
    StructureRef,
    Student,
    TeachingService,
    aaf_attribute_names,
)

logger = logging.getLogger(__name__)

ROOT_TAG = "ficAlimMENESR"
_REQUEST_OPERATIONS = {
    "addRequest": Operation.ADD,
    "modifyRequest": Operation.MODIFY,
    "deleteRequest": Operation.DELETE,
}
_KIND_BY_CATEGORY = {category: kind for kind, category in CATEGORY_ATTRIBUTES.items()}
_UAI_CHECK_LETTERS = "ABCDEFGHJKLMNPRSTUVWXYZ"
_UAI_RE = re.compile(r"[0-9]{7}[A-Z]")
_DATE_RE = re.compile(r"([0-9]{2})/([0-9]{2})/([0-9]{4})")
_VERSION_RE = re.compile(r'versionAF\s*=\s*"([^"]*)"')
# Kind suffix and chunk number; matched on the suffix only, the prefix varies between académies.
# The kind may not follow a letter, so that "…_PersRelEleve_0000.xml" is never an "Eleve" file.
_FILE_NAME_RE = re.compile(
    r"^(?P<prefix>.*?)_?(?<![A-Za-z])(?P<kind>"
    + "|".join(kind.value for kind in FileKind)
    + r")_(?P<chunk>[0-9]{4})\.xml$",
    re.IGNORECASE,
)
_KIND_BY_LOWER_NAME = {kind.value.lower(): kind for kind in FileKind}

Source: TypeAlias = "str | os.PathLike[str] | IO[bytes] | AafFile"


class AafFormatError(ValueError):
    """A file of the run cannot be accepted; the whole run is rejected with this report line."""

    def __init__(
        self,
        file: str,
        line: int | None,
        reason: str,
        code: str,
        *,
        record_index: int | None = None,
        record_id: str | None = None,
    ) -> None:
        self.file = file
        self.line = line  # line in the file when known (lxml's, or the request's opening tag)
        self.reason = reason  # French, for the administrator's report; never personal data
        self.code = code  # stable English code: not_xml, wrong_root, missing_attribute…
        self.record_index = record_index  # 1-based position of the request in the file
        self.record_id = record_id  # identifier/id of the request, when it has one
        super().__init__(str(self))

    def __str__(self) -> str:
        where = [self.file]
        if self.line is not None:
            where.append(f"ligne {self.line}")
        if self.record_index is not None:
            where.append(f"enregistrement n° {self.record_index}")
        if self.record_id:
            where.append(f"identifiant {self.record_id}")
        return f"{', '.join(where)} : {self.reason} [{self.code}]"


class _ValueProblem(Exception):
    """Raised by converters; turned into AafFormatError with the file and record position."""

    def __init__(self, code: str, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


# --- Value checks shared with the generator ------------------------------------------------------------


def uai_check_letter(digits: str) -> str:
    """Check letter of a UAI from its 7 digits."""
    return _UAI_CHECK_LETTERS[int(digits) % 23]


def is_valid_uai(uai: str) -> bool:
    """7 digits and the right check letter, e.g. ``0679901Y``."""
    return _UAI_RE.fullmatch(uai) is not None and uai_check_letter(uai[:7]) == uai[7]


def parse_aaf_date(value: str) -> datetime.date:
    """``JJ/MM/AAAA`` → date; anything else (or an impossible day) raises ValueError."""
    match = _DATE_RE.fullmatch(value)
    if match is None:
        raise ValueError(value)
    day, month, year = (int(part) for part in match.groups())
    return datetime.date(year, month, day)


# --- Converters: list of raw values → field value ---------------------------------------------------

Converter: TypeAlias = Callable[[str, list[str]], Any]


def _single(name: str, values: list[str]) -> str:
    return values[0] if values else ""


def _multi(name: str, values: list[str]) -> tuple[str, ...]:
    return tuple(values)


def _date(name: str, values: list[str]) -> datetime.date | None:
    if not values:
        return None
    try:
        return parse_aaf_date(values[0])
    except ValueError:
        raise _ValueProblem(
            "bad_date", f"la date de l'attribut {name} n'est pas au format JJ/MM/AAAA"
        ) from None


def _yes_no(name: str, values: list[str]) -> bool | None:
    if not values:
        return None
    if values[0] in ("O", "N"):
        return values[0] == "O"
    raise _ValueProblem("bad_value", f"l'attribut {name} doit valoir O ou N")


def _uai(name: str, values: list[str]) -> str:
    if not values:
        return ""
    uai = values[0].upper()
    if not is_valid_uai(uai):
        raise _ValueProblem(
            "bad_uai", f"l'UAI « {values[0]} » ({name}) n'a pas 7 chiffres suivis de la bonne lettre clé"
        )
    return uai


def _split(name: str, value: str, count: int, *, at_least: bool = False) -> list[str]:
    parts = value.split("$")
    if len(parts) < count or (not at_least and len(parts) != count):
        expected = f"au moins {count}" if at_least else str(count)
        raise _ValueProblem(
            "bad_multipart",
            f"une valeur de l'attribut {name} a {len(parts)} parties séparées par « $ » "
            f"au lieu de {expected}",
        )
    if not parts[0]:
        raise _ValueProblem("bad_multipart", f"une valeur de l'attribut {name} commence par une partie vide")
    return parts


def _dash_empty(part: str) -> str:
    return "" if part == "-" else part


def _parts(name: str, values: list[str]) -> tuple[str, ...]:
    """One ``$``-separated value (NOM$VILLE, address lines): its non-empty parts."""
    if not values:
        return ()
    return tuple(part for part in values[0].split("$") if part)


def _structure_refs(name: str, values: list[str]) -> tuple[StructureRef, ...]:
    refs = []
    for value in values:
        structure, code = _split(name, value, 2)
        if not code:
            raise _ValueProblem("bad_multipart", f"une valeur de l'attribut {name} n'a pas de code")
        refs.append(StructureRef(structure, code))
    return tuple(refs)


def _class_dates(name: str, values: list[str]) -> tuple[ClassDate, ...]:
    dates = []
    for value in values:
        structure, on, class_code = _split(name, value, 3)
        try:
            parsed = parse_aaf_date(on)
        except ValueError:
            raise _ValueProblem(
                "bad_date", f"la date de l'attribut {name} n'est pas au format JJ/MM/AAAA"
            ) from None
        dates.append(ClassDate(structure, parsed, class_code))
    return tuple(dates)


def _class_definitions(name: str, values: list[str]) -> tuple[ClassDefinition, ...]:
    classes = []
    for value in values:
        code, label, *mef_codes = _split(name, value, 2, at_least=True)
        classes.append(ClassDefinition(code, label, tuple(mef for mef in mef_codes if mef)))
    return tuple(classes)


def _group_definitions(name: str, values: list[str]) -> tuple[GroupDefinition, ...]:
    return tuple(GroupDefinition(*_split(name, value, 2)) for value in values)


def _code_label(name: str, values: list[str]) -> CodeLabel | None:
    return CodeLabel(*_split(name, values[0], 2)) if values else None


def _code_labels(name: str, values: list[str]) -> tuple[CodeLabel, ...]:
    return tuple(CodeLabel(*_split(name, value, 2)) for value in values)


def _flag(name: str, part: str) -> bool:
    if part not in ("0", "1"):
        raise _ValueProblem("bad_value", f"un indicateur de l'attribut {name} doit valoir 0 ou 1")
    return part == "1"


def _guardian_links(name: str, values: list[str]) -> tuple[GuardianLink, ...]:
    links = []
    for value in values:
        guardian, relationship, financial, legal, contact, payer = _split(name, value, 6)
        if legal not in ("0", "1", "2"):
            raise _ValueProblem("bad_value", f"la responsabilité légale de {name} doit valoir 0, 1 ou 2")
        links.append(
            GuardianLink(
                guardian_jointure=guardian,
                relationship=relationship,
                is_financial=_flag(name, financial),
                legal_responsibility=LegalResponsibility(int(legal)),
                is_contact=_flag(name, contact),
                is_payer=_flag(name, payer),
            )
        )
    return tuple(links)


def _functions(name: str, values: list[str]) -> tuple[StaffFunction, ...]:
    functions = []
    for value in values:
        structure, code, label, discipline_code, discipline_label = _split(name, value, 5)
        functions.append(
            StaffFunction(structure, code, label, _dash_empty(discipline_code), _dash_empty(discipline_label))
        )
    return tuple(functions)


def _services(name: str, values: list[str]) -> tuple[TeachingService, ...]:
    return tuple(TeachingService(*_split(name, value, 3)) for value in values)


def _staff_mefs(name: str, values: list[str]) -> tuple[StaffMef, ...]:
    return tuple(StaffMef(*_split(name, value, 3)) for value in values)


def _structure_labels(name: str, values: list[str]) -> tuple[StructureLabel, ...]:
    return tuple(StructureLabel(*_split(name, value, 2)) for value in values)


_PERSON_COMMON: dict[str, Converter] = {
    "sn": _single,
    "givenName": _single,
    "ENTPersonNomPatro": _single,
    "personalTitle": _single,
    "ENTPersonDateNaissance": _date,
}
_CONVERTERS: Mapping[FileKind, Mapping[str, Converter]] = {
    FileKind.STRUCTURES: {
        "ENTStructureUAI": _uai,
        "ENTEtablissementUAI": _uai,
        "ENTStructureSIREN": _single,
        "ENTStructureNomCourant": _parts,
        "ENTStructureTypeStruct": _single,
        "ENTEtablissementContrat": _single,
        "street": _single,
        "postalCode": _single,
        "l": _single,
        "telephoneNumber": _single,
        "facsimileTelephoneNumber": _single,
        "ENTStructureMailSI": _single,
        "ENTServAcAcademie": _single,
        "ENTStructureClasses": _class_definitions,
        "ENTStructureGroupes": _group_definitions,
        "ENTEtablissementStructRattachFctl": _code_label,
        "ENTEtablissementBassin": _code_label,
    },
    FileKind.SUBJECTS: {"ENTLibelleMatiere": _single},
    FileKind.MEFS: {"ENTLibelleMef": _single, "ENTMEFRattach": _single, "ENTMEFSTAT11": _single},
    FileKind.STUDENTS: {
        **_PERSON_COMMON,
        "ENTEleveINE": _single,
        "ENTEleveStructRattachId": _single,
        "ENTPersonAutresPrenoms": _multi,
        "ENTPersonStructRattach": _multi,
        "ENTEleveMEF": _single,
        "ENTEleveLibelleMEF": _single,
        "ENTEleveNivFormation": _single,
        "ENTEleveFiliere": _single,
        "ENTEleveClasses": _structure_refs,
        "ENTEleveGroupes": _structure_refs,
        "ENTEleveDateEntreeClasses": _class_dates,
        "ENTEleveDateSortieClasses": _class_dates,
        "ENTEleveCodeEnseignements": _multi,
        "ENTEleveEnseignements": _multi,
        "ENTElevePersRelEleve": _guardian_links,
        "ENTEleveRegime": _single,
        "ENTEleveBoursier": _yes_no,
        "ENTEleveTransport": _yes_no,
        "ENTEleveStatutEleve": _single,
        "ENTPersonAdresse": _parts,
        "ENTPersonCodePostal": _single,
        "ENTPersonVille": _single,
        "ENTPersonPays": _single,
    },
    FileKind.GUARDIANS: {
        **_PERSON_COMMON,
        "homePhone": _single,
        "telephoneNumber": _single,
        "mobile": _multi,
        "ENTPersonMobileSMS": _single,
        "mail": _single,
        "ENTPersonAdresse": _parts,
        "ENTPersonCodePostal": _single,
        "ENTPersonVille": _single,
        "ENTPersonPays": _single,
        "ENTPersonAdresseDiffusion": _yes_no,
        "ENTAuxPersRelEleveEleve": _multi,
    },
    FileKind.STAFF: {
        **_PERSON_COMMON,
        "mail": _single,
        "ENTPersonStructRattach": _multi,
        "ENTPersonFonctions": _functions,
        "ENTAuxEnsClassesMatieres": _services,
        "ENTAuxEnsGroupesMatieres": _services,
        "ENTAuxEnsClassesPrincipal": _structure_refs,
        "ENTAuxEnsMEF": _staff_mefs,
        "ENTAuxEnsMatiereEnseignEtab": _structure_labels,
        "ENTAuxEnsCategoDiscipline": _code_labels,
        "ENTAuxEnsClasses": _structure_refs,
        "ENTAuxEnsGroupes": _structure_refs,
        "PersEducNatPresenceDevantEleves": _yes_no,
        "ENTPersonSTSId": _single,
    },
}
# Deprecated attributes: accepted and ignored, without the "unknown attribute" warning.
_IGNORED: Mapping[FileKind, frozenset[str]] = {
    FileKind.STUDENTS: frozenset(
        {
            "ENTEleveParents",
            "ENTElevePere",
            "ENTEleveMere",
            "ENTEleveAutoriteParentale",
            "ENTElevePersRelEleve1",
            "ENTElevePersRelEleve2",
            "ENTEleveQualitePersRelEleve1",
            "ENTEleveQualitePersRelEleve2",
        }
    ),
    FileKind.STAFF: frozenset(
        {
            "ENTAuxEnsDisciplinesPoste",
            "ENTPersonFonctionsDate",
            "ENTAuxEnsClassesMatieresDate",
            "ENTAuxEnsGroupesMatieresDate",
            "ENTAuxEnsClassesPrincipalDate",
            "ENTAuxEnsMEFDate",
        }
    ),
}
# Without these an added record cannot become a school, a subject, a MEF or an account.
REQUIRED_ON_ADD: Mapping[FileKind, tuple[str, ...]] = {
    FileKind.STRUCTURES: ("ENTStructureJointure", "ENTStructureUAI"),
    FileKind.SUBJECTS: ("ENTMatJointure", "ENTLibelleMatiere"),
    FileKind.MEFS: ("ENTMefJointure", "ENTLibelleMef"),
    FileKind.STUDENTS: ("ENTPersonJointure", "sn", "givenName", "ENTPersonStructRattach"),
    FileKind.GUARDIANS: ("ENTPersonJointure", "sn"),
    FileKind.STAFF: ("ENTPersonJointure", "sn", "givenName"),
}
_FIELD_BY_ATTRIBUTE: Mapping[FileKind, Mapping[str, str]] = {
    kind: {aaf: name for name, aaf in aaf_attribute_names(record_type).items()}
    for kind, record_type in RECORD_TYPES.items()
}


# --- File names and archives ----------------------------------------------------------------------


def detect_file_kind(filename: str) -> FileKind | None:
    """Kind of an AAF file from its name suffix (``…_Eleve_0000.xml``), None when it is not one."""
    match = _FILE_NAME_RE.match(os.path.basename(filename))
    return _KIND_BY_LOWER_NAME[match["kind"].lower()] if match else None


@dataclass(frozen=True, slots=True)
class AafFile:
    """One AAF file of a run: a chunk of one kind, inside a folder or a zip archive."""

    name: str  # path inside the folder or archive, as shown in reports
    kind: FileKind
    chunk: int  # _0000, _0001…: all chunks of one kind form one logical file
    prefix: str  # what comes before the kind: one académie export or one school's
    is_delta: bool  # "Delta" in the file or archive name (naming to agree with each académie)
    opener: Callable[[], IO[bytes]] = field(repr=False, compare=False)

    def open(self) -> IO[bytes]:
        return self.opener()


def read_archive(path: str | os.PathLike[str]) -> Iterator[AafFile]:
    """The AAF files of a folder or a .zip, in the mandatory processing order.

    Order: structures, subjects, MEF, pupils, parents, staff; inside a kind, by file-set prefix
    then chunk number. Files that are not ``.xml`` (a DTD, a checksum list) are skipped; an
    ``.xml`` file whose kind cannot be told, or a gap in a chunk sequence, rejects the run.
    """
    archive_path = Path(path)
    archive_is_delta = "Delta" in archive_path.name
    if archive_path.is_dir():
        names = sorted(
            str(p.relative_to(archive_path))
            for p in archive_path.rglob("*")
            if p.is_file() and not _is_hidden(p.relative_to(archive_path).as_posix())
        )
        yield from _ordered_files(
            str(archive_path), names, archive_is_delta, lambda name: (archive_path / name).open("rb")
        )
        return
    if not zipfile.is_zipfile(archive_path):
        raise AafFormatError(
            str(archive_path), None, "ni un dossier ni une archive .zip lisible", "not_archive"
        )
    with zipfile.ZipFile(archive_path) as archive:
        names = sorted(
            info.filename
            for info in archive.infolist()
            if not info.is_dir() and not _is_hidden(info.filename)
        )
    yield from _ordered_files(
        str(archive_path), names, archive_is_delta, lambda name: _open_member(archive_path, name)
    )


def _open_member(archive_path: Path, name: str) -> IO[bytes]:
    # Each file opens the archive again, so an AafFile stays usable after read_archive is exhausted;
    # the member stream keeps the archive's file handle open until it is itself closed.
    with zipfile.ZipFile(archive_path) as archive:
        return archive.open(name, "r")


def _is_hidden(relative_name: str) -> bool:
    return any(part.startswith((".", "__MACOSX")) for part in relative_name.split("/"))


def _ordered_files(
    archive_name: str, names: list[str], archive_is_delta: bool, opener: Callable[[str], IO[bytes]]
) -> Iterator[AafFile]:
    files: list[AafFile] = []
    for name in names:
        if not name.lower().endswith(".xml"):
            continue
        match = _FILE_NAME_RE.match(os.path.basename(name))
        if match is None:
            raise AafFormatError(
                f"{archive_name}/{name}",
                None,
                "nom de fichier XML sans type AAF reconnu (EtabEducNat, Eleve, PersEducNat…)",
                "unknown_kind",
            )
        files.append(
            AafFile(
                name=name,
                kind=_KIND_BY_LOWER_NAME[match["kind"].lower()],
                chunk=int(match["chunk"]),
                prefix=os.path.join(os.path.dirname(name), match["prefix"]),
                is_delta=archive_is_delta or "Delta" in name,
                opener=lambda name=name: opener(name),  # type: ignore[misc]  # bind the loop value
            )
        )
    if not files:
        raise AafFormatError(archive_name, None, "aucun fichier AAF dans l'archive", "empty_archive")
    rank = {kind: position for position, kind in enumerate(PROCESSING_ORDER)}
    files.sort(key=lambda f: (rank[f.kind], f.prefix, f.chunk, f.name))
    _check_chunk_sequences(archive_name, files)
    yield from files


def _check_chunk_sequences(archive_name: str, files: list[AafFile]) -> None:
    # A missing chunk looks exactly like people leaving: refuse the run rather than delete them.
    chunks: dict[tuple[str, FileKind], list[int]] = {}
    for aaf_file in files:
        chunks.setdefault((aaf_file.prefix, aaf_file.kind), []).append(aaf_file.chunk)
    for (prefix, kind), numbers in chunks.items():
        if numbers != list(range(len(numbers))):
            raise AafFormatError(
                f"{archive_name}/{prefix}",
                None,
                f"séquence de fichiers {kind.value} incomplète ou en double "
                f"(numéros {numbers}, attendu 0000 à {len(numbers) - 1:04d})",
                "missing_chunk",
            )


# --- Records --------------------------------------------------------------------------------------


def iter_records(source: Source, *, kind: FileKind | None = None) -> Iterator[AafRecord]:
    """Records of one AAF file, in file order, one at a time.

    `source` is a path, a binary file object or an ``AafFile`` from ``read_archive``. The kind comes
    from `kind`, else from the file name, else from each request's ``operationalAttributes``; a
    request of another kind than the file's is rejected.
    """
    if isinstance(source, AafFile):
        with source.open() as stream:
            yield from _iter_stream(stream, source.name, kind or source.kind)
        return
    if isinstance(source, str | os.PathLike):
        name = os.fspath(source)
        with open(name, "rb") as stream:
            yield from _iter_stream(stream, name, kind or detect_file_kind(name))
        return
    name = str(getattr(source, "name", "<flux>"))
    yield from _iter_stream(source, name, kind or detect_file_kind(name))


def _iter_stream(stream: IO[bytes], file_name: str, file_kind: FileKind | None) -> Iterator[AafRecord]:
    context = etree.iterparse(
        stream,
        events=("end", "comment"),
        tag=(ROOT_TAG, *_REQUEST_OPERATIONS, etree.Comment),
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
        load_dtd=False,
    )
    root: Any = None
    index = 0
    try:
        for event, element in context:
            if event == "comment":
                version = _VERSION_RE.search(element.text or "")
                if version:
                    logger.info("aaf.file_version", extra={"file": file_name, "aaf_version": version[1]})
                continue
            if element.tag == ROOT_TAG and element.getparent() is None:
                continue  # end of the document
            if root is None:
                document_root = element.getroottree().getroot()
                if document_root.tag != ROOT_TAG:
                    raise _wrong_root(file_name, document_root.tag, element.sourceline)
                root = document_root
            index += 1
            if element.getparent() is not root:
                raise AafFormatError(
                    file_name,
                    element.sourceline,
                    f"élément {element.tag} hors de la racine {ROOT_TAG}",
                    "bad_structure",
                    record_index=index,
                )
            record = _build_record(element, file_name, file_kind, index)
            # Free the request and everything before it: memory stays flat on a 2 GB export.
            element.clear(keep_tail=False)
            while element.getprevious() is not None:
                del root[0]
            yield record
    except etree.XMLSyntaxError as exc:
        raise AafFormatError(
            file_name,
            exc.lineno or None,
            f"le fichier n'est pas du XML bien formé ({exc.msg})",
            "not_xml",
            record_index=index + 1 if root is not None else None,
        ) from exc
    if root is None and (context.root is None or context.root.tag != ROOT_TAG):
        raise _wrong_root(file_name, context.root.tag if context.root is not None else None, None)


def _wrong_root(file_name: str, tag: object, line: int | None) -> AafFormatError:
    found = f"<{tag}>" if isinstance(tag, str) else "aucun élément"
    return AafFormatError(
        file_name, line, f"la racine du document doit être <{ROOT_TAG}> (trouvé : {found})", "wrong_root"
    )


def _text(value: Any) -> str:
    # Entity references stay unresolved (resolve_entities=False): itertext keeps them as text,
    # like "&eacute;", and html.unescape turns them back into characters, as entcore does.
    text = "".join(value.itertext()) if len(value) else value.text or ""
    if "&" in text:
        text = html.unescape(text)
    return text.strip()


def _values(attr: Any) -> list[str]:
    # An empty <value/> means "no value": the attribute is present, and cleared.
    values = []
    for value in attr.iterchildren("value"):
        text = value.text
        if len(value) or (text is not None and "&" in text):
            text = _text(value)
        elif text is None:
            continue
        else:
            text = text.strip()
        if text:
            values.append(text)
    return values


def _build_record(element: Any, file_name: str, file_kind: FileKind | None, index: int) -> AafRecord:
    operation = _REQUEST_OPERATIONS[element.tag]
    line = element.sourceline
    record_id: str | None = None

    def error(reason: str, code: str) -> AafFormatError:
        return AafFormatError(file_name, line, reason, code, record_index=index, record_id=record_id)

    category: tuple[str, str] | None = None
    attributes: dict[str, list[str]] = {}
    has_body = False
    for child in element:
        tag = child.tag
        if tag == "identifier":
            for id_element in child:
                if id_element.tag == "id":
                    record_id = _text(id_element) or None
        elif tag == "operationalAttributes":
            for attr in child.iterchildren("attr"):
                values = _values(attr)
                category = (attr.get("name", ""), values[0] if values else "")
        elif (tag == "attributes" and operation is Operation.ADD) or (
            tag == "modifications" and operation is Operation.MODIFY
        ):
            has_body = True
            for attr in child.iterchildren("attr", "modification"):
                name = attr.get("name")
                if not name:
                    raise error("attribut sans nom", "bad_structure")
                if tag == "modifications" and attr.get("operation", "replace") != "replace":
                    raise error(
                        "seule l'opération « replace » est admise dans une modification", "bad_operation"
                    )
                values = _values(attr)
                existing = attributes.get(name)
                if existing is None:
                    attributes[name] = values
                else:
                    existing.extend(values)

    if record_id is None:
        raise error("enregistrement sans identifier/id", "missing_identifier")
    if category is None:
        raise error("enregistrement sans operationalAttributes", "bad_structure")
    kind = _KIND_BY_CATEGORY.get(category)
    if kind is None:
        raise error(f"catégorie inconnue « {category[0]}={category[1]} »", "unknown_kind")
    if file_kind is not None and kind is not file_kind:
        raise error(f"un enregistrement {kind.value} dans un fichier {file_kind.value}", "kind_mismatch")
    if operation is not Operation.DELETE and not has_body:
        body = "attributes" if operation is Operation.ADD else "modifications"
        raise error(f"élément <{body}> manquant", "bad_structure")

    record_type = RECORD_TYPES[kind]
    key_values = attributes.get(record_type.key_attribute)
    if key_values and key_values[0] != record_id:
        raise error(f"{record_type.key_attribute} diffère de identifier/id", "id_mismatch")
    for required in REQUIRED_ON_ADD[kind]:
        missing = (
            not attributes.get(required) if operation is Operation.ADD else attributes.get(required) == []
        )
        if missing:
            raise error(f"attribut obligatoire {required} absent ou vide", "missing_attribute")

    converters = _CONVERTERS[kind]
    field_names = _FIELD_BY_ATTRIBUTE[kind]
    ignored = _IGNORED.get(kind, frozenset())
    values_by_field: dict[str, Any] = {}
    unknown = []
    for name, values in attributes.items():
        converter = converters.get(name)
        if converter is not None:
            try:
                values_by_field[field_names[name]] = converter(name, values)
            except _ValueProblem as problem:
                raise error(problem.reason, problem.code) from None
        elif name != record_type.key_attribute and name not in ignored:
            unknown.append(name)
    return record_type(
        operation=operation,
        jointure=record_id,
        origin=RecordOrigin(file_name, index, line),
        present_attributes=frozenset(attributes),
        unknown_attributes=tuple(sorted(unknown)),
        **values_by_field,
    )


# --- Cross-record references ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class KnownKeys:
    """What the database already holds for this académie: a delta may reference it."""

    ids: Mapping[FileKind, Collection[str]] = field(default_factory=dict)
    classes: Collection[tuple[str, str]] = frozenset()  # (structure jointure, class code)
    groups: Collection[tuple[str, str]] = frozenset()  # (structure jointure, group code)


@dataclass(frozen=True, slots=True)
class ReferenceProblem:
    """A reference the run cannot resolve. Blocking problems reject the run; others are warnings."""

    code: str  # unknown_structure, unknown_class, unknown_guardian, duplicate_id, unknown_uai…
    kind: FileKind  # kind of the record holding the reference
    record_id: str  # its jointure (first one, when several records hold the same reference)
    reference: str  # what could not be resolved
    reason: str  # French, for the report
    is_blocking: bool
    origin: RecordOrigin | None = None
    occurrences: int = 1  # records holding this same unresolved reference


# code → (blocking?, French reason with {reference})
_REFERENCE_RULES: Mapping[str, tuple[bool, str]] = {
    "unknown_structure": (True, "établissement {reference} absent du flux et de la base"),
    "unknown_class": (True, "classe {reference} non déclarée par son établissement"),
    "unknown_group": (True, "groupe {reference} non déclaré par son établissement"),
    "unknown_guardian": (True, "responsable {reference} absent du flux et de la base"),
    "unknown_id": (True, "modification ou suppression de {reference}, inconnu du flux et de la base"),
    "duplicate_id": (True, "identifiant {reference} présent plusieurs fois pour ce type"),
    "unknown_uai": (
        False,
        "établissement d'UAI {reference} inconnu de la plateforme : ses données seront ignorées",
    ),
    "unknown_subject": (False, "matière {reference} absente du flux et de la base"),
    "unknown_mef": (False, "MEF {reference} absent du flux et de la base"),
    "unknown_student": (
        False,
        "élève {reference} listé par un responsable mais absent du flux et de la base",
    ),
    "guardian_link_mismatch": (
        False,
        "le lien responsable–élève {reference} n'est déclaré que d'un côté (élève ou responsable)",
    ),
}


def check_references(
    records: Iterable[AafRecord], known_uais: Collection[str], *, known: KnownKeys | None = None
) -> list[ReferenceProblem]:
    """Problems of references between the records of one académie run (any order accepted).

    Unlike parsing, this keeps the ids of the run in memory (a few hundred bytes per person): run
    it in the import worker, not in a web process.
    """
    known = known or KnownKeys()
    declared: dict[FileKind, set[str]] = {kind: set() for kind in FileKind}
    classes: set[tuple[str, str]] = set()
    groups: set[tuple[str, str]] = set()
    # (code, reference) → who first held it and how many do; resolved or reported at the end. Only the
    # holder's identity is kept, never the record: a whole académie's records would not fit in memory.
    pending: dict[tuple[str, str], tuple[_Holder, int]] = {}
    problems: list[ReferenceProblem] = []
    links_from_students: set[tuple[str, str]] = set()
    links_from_guardians: dict[tuple[str, str], _Holder] = {}

    def refer(code: str, reference: str, record: AafRecordBase) -> None:
        key = (code, reference)
        entry = pending.get(key)
        pending[key] = (_Holder.of(record), 1) if entry is None else (entry[0], entry[1] + 1)

    for record in records:
        if record.operation is not Operation.ADD:
            refer("unknown_id", f"{record.kind.value}:{record.jointure}", record)
            if record.operation is Operation.DELETE:
                continue
        elif record.jointure in declared[record.kind]:
            problems.append(_problem("duplicate_id", record.jointure, record))
        else:
            declared[record.kind].add(record.jointure)
        if isinstance(record, Structure):
            if record.carries("ENTStructureUAI") and record.uai not in known_uais:
                problems.append(_problem("unknown_uai", record.uai, record))
            classes.update((record.jointure, c.code) for c in record.classes)
            groups.update((record.jointure, g.code) for g in record.groups)
        elif isinstance(record, Student):
            _refer_person(record, record.structure_jointures, record.classes, record.groups, refer)
            if record.mef_code:
                refer("unknown_mef", record.mef_code, record)
            for subject_code in record.subject_codes:
                refer("unknown_subject", subject_code, record)
            for link in record.guardian_links:
                refer("unknown_guardian", link.guardian_jointure, record)
                if record.operation is Operation.ADD:
                    links_from_students.add((link.guardian_jointure, record.jointure))
        elif isinstance(record, Staff):
            structures = (*record.structure_jointures, *(f.structure_jointure for f in record.functions))
            class_refs = (
                *record.main_teacher_classes,
                *(StructureRef(s.structure_jointure, s.code) for s in record.class_services),
            )
            group_refs = tuple(StructureRef(s.structure_jointure, s.code) for s in record.group_services)
            _refer_person(record, structures, class_refs, group_refs, refer)
            for service in (*record.class_services, *record.group_services):
                refer("unknown_subject", service.subject_code, record)
        elif isinstance(record, Guardian):
            for student_jointure in record.student_jointures:
                refer("unknown_student", student_jointure, record)
                if record.operation is Operation.ADD:
                    links_from_guardians.setdefault((record.jointure, student_jointure), _Holder.of(record))

    resolvers: dict[str, Callable[[str], bool]] = {
        "unknown_structure": lambda ref: _exists(FileKind.STRUCTURES, ref, declared, known),
        "unknown_class": lambda ref: (
            tuple(ref.split("$", 1)) in classes or tuple(ref.split("$", 1)) in known.classes
        ),
        "unknown_group": lambda ref: (
            tuple(ref.split("$", 1)) in groups or tuple(ref.split("$", 1)) in known.groups
        ),
        "unknown_guardian": lambda ref: _exists(FileKind.GUARDIANS, ref, declared, known),
        "unknown_student": lambda ref: _exists(FileKind.STUDENTS, ref, declared, known),
        "unknown_subject": lambda ref: _exists(FileKind.SUBJECTS, ref, declared, known),
        "unknown_mef": lambda ref: _exists(FileKind.MEFS, ref, declared, known),
        "unknown_id": lambda ref: _exists(
            FileKind(ref.split(":", 1)[0]), ref.split(":", 1)[1], declared, known
        ),
    }
    for (code, reference), (first_holder, count) in pending.items():
        if not resolvers[code](reference):
            problems.append(_problem(code, reference, first_holder, count))
    # The pupil side is authoritative; a one-sided link is worth a look, not a rejection.
    for guardian_jointure, student_jointure in links_from_students.symmetric_difference(links_from_guardians):
        holder = links_from_guardians.get((guardian_jointure, student_jointure))
        kind = FileKind.GUARDIANS if holder is not None else FileKind.STUDENTS
        record_id = guardian_jointure if holder is not None else student_jointure
        reference = f"{guardian_jointure}→{student_jointure}"
        blocking, reason = _REFERENCE_RULES["guardian_link_mismatch"]
        problems.append(
            ReferenceProblem(
                code="guardian_link_mismatch",
                kind=kind,
                record_id=record_id,
                reference=reference,
                reason=reason.format(reference=reference),
                is_blocking=blocking,
                origin=holder.origin if holder is not None else None,
            )
        )
    return problems


def _refer_person(
    record: AafRecordBase,
    structures: Iterable[str],
    class_refs: Iterable[StructureRef],
    group_refs: Iterable[StructureRef],
    refer: Callable[[str, str, AafRecordBase], None],
) -> None:
    for structure_jointure in structures:
        refer("unknown_structure", structure_jointure, record)
    for ref in class_refs:
        refer("unknown_structure", ref.structure_jointure, record)
        refer("unknown_class", f"{ref.structure_jointure}${ref.code}", record)
    for ref in group_refs:
        refer("unknown_structure", ref.structure_jointure, record)
        refer("unknown_group", f"{ref.structure_jointure}${ref.code}", record)


def _exists(kind: FileKind, jointure: str, declared: Mapping[FileKind, set[str]], known: KnownKeys) -> bool:
    return jointure in declared[kind] or jointure in known.ids.get(kind, ())


@dataclass(frozen=True, slots=True)
class _Holder:
    """What a reference problem needs to say about the record that made it."""

    kind: FileKind
    jointure: str
    origin: RecordOrigin | None

    @classmethod
    def of(cls, record: AafRecordBase) -> _Holder:
        return cls(record.kind, record.jointure, record.origin)


def _problem(
    code: str, reference: str, record: AafRecordBase | _Holder, occurrences: int = 1
) -> ReferenceProblem:
    blocking, reason = _REFERENCE_RULES[code]
    return ReferenceProblem(
        code=code,
        kind=record.kind,
        record_id=record.jointure,
        reference=reference,
        reason=reason.format(reference=reference),
        is_blocking=blocking,
        origin=record.origin,
        occurrences=occurrences,
    )
