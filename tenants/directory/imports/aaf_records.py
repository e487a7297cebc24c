"""Records of the AAF directory feed (annuaire académique fédérateur), as the parser yields them.

Pure data: no Django, no ORM. Every field that comes from an AAF attribute carries the exact
attribute name in its annotation (``aaf_attribute_names(Student)["ine"] == "ENTEleveINE"``); the
comments give the French meaning as the académie documents it. See handbook/interop-aaf.md.

Identifiers are only unique inside one académie feed: the importer namespaces them
(``STRASBOURG-1500042``), these records do not.
"""

from __future__ import annotations

import datetime
import hashlib
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from enum import IntEnum, StrEnum
from types import MappingProxyType
from typing import Annotated, ClassVar, TypeAlias


@dataclass(frozen=True, slots=True)
class Aaf:
    """Marks a record field as filled from the AAF attribute `name` (the default means "absent or empty")."""

    name: str


class FileKind(StrEnum):
    """Kind of an AAF file, as the suffix of its name and its ``operationalAttributes`` say."""

    STRUCTURES = "EtabEducNat"  # établissements, avec leurs classes et groupes
    SUBJECTS = "MatiereEducNat"  # matières (nomenclature BCN)
    MEFS = "MefEducNat"  # modules élémentaires de formation (niveaux)
    STUDENTS = "Eleve"  # élèves
    GUARDIANS = "PersRelEleve"  # personnes en relation avec l'élève (responsables, contacts)
    STAFF = "PersEducNat"  # personnels de l'Éducation nationale (enseignants, direction, vie scolaire…)


# Mandatory processing order: structures first (people reference their classes and groups), then
# the referentials, then people. Links between people are a second pass of the importer.
PROCESSING_ORDER: tuple[FileKind, ...] = (
    FileKind.STRUCTURES,
    FileKind.SUBJECTS,
    FileKind.MEFS,
    FileKind.STUDENTS,
    FileKind.GUARDIANS,
    FileKind.STAFF,
)

# ``operationalAttributes``: which attribute names the category, and its value, per kind.
CATEGORY_ATTRIBUTES: Mapping[FileKind, tuple[str, str]] = {
    FileKind.STRUCTURES: ("categorieStructure", "EtabEducNat"),
    FileKind.SUBJECTS: ("categorieMatiere", "MatEducNat"),
    FileKind.MEFS: ("categorieMef", "MefEducNat"),
    FileKind.STUDENTS: ("categoriePersonne", "Eleve"),
    FileKind.GUARDIANS: ("categoriePersonne", "PersRelEleve"),
    FileKind.STAFF: ("categoriePersonne", "PersEducNat"),
}


class Operation(StrEnum):
    """What the request asks: ``addRequest``, ``modifyRequest`` or ``deleteRequest``."""

    ADD = "add"  # création ou état complet (export « Complet »)
    MODIFY = "modify"  # remplacement des seuls attributs listés (export « Delta »)
    DELETE = "delete"  # suppression : seul l'identifiant est fourni


@dataclass(frozen=True, slots=True)
class RecordOrigin:
    """Where a record comes from, for the rejection report (file, request index, line)."""

    file: str
    index: int  # 1-based position of the request in its file
    line: int | None  # line of the request's opening tag, when the parser knows it


@dataclass(frozen=True, slots=True, kw_only=True)
class AafRecordBase:
    """What every AAF request carries, whatever its kind.

    For a modify request only the attributes named in ``present_attributes`` are replaced: the
    other fields hold their defaults and must not be applied. A delete request carries the id only.
    """

    kind: ClassVar[FileKind]
    key_attribute: ClassVar[str]

    operation: Operation
    jointure: str  # identifier/id : identifiant AAF (« jointure »), unique dans un flux d'académie
    origin: RecordOrigin | None = None
    present_attributes: frozenset[str] = frozenset()  # AAF names present (add) or replaced (modify)
    unknown_attributes: tuple[str, ...] = ()  # not in our dictionary: a warning, never a rejection

    def carries(self, aaf_name: str) -> bool:
        """True when the request sets this AAF attribute (possibly to "no value")."""
        return aaf_name in self.present_attributes

    def content_checksum(self) -> str:
        """Digest of the normalised content (not the origin): same data, same digest, whatever the
        attribute order or formatting of the file. Compare it with the stored one to skip unchanged
        records and keep re-runs idempotent."""
        content = [self.kind.value, self.operation.value, self.jointure, *sorted(self.present_attributes)]
        content.extend(repr(getattr(self, name)) for name in aaf_attribute_names(type(self)))
        return hashlib.blake2b("\x1f".join(content).encode(), digest_size=16).hexdigest()

    def present_fields(self) -> frozenset[str]:
        """Python field names set by this request, for applying a modify request."""
        names = aaf_attribute_names(type(self))
        return frozenset(name for name, aaf_name in names.items() if aaf_name in self.present_attributes)


_AAF_NAMES: dict[type[AafRecordBase], Mapping[str, str]] = {}


def aaf_attribute_names(record_type: type[AafRecordBase]) -> Mapping[str, str]:
    """Field name → exact AAF attribute name, for a record class."""
    cached = _AAF_NAMES.get(record_type)
    if cached is None:
        names: dict[str, str] = {}
        for name, hint in typing.get_type_hints(record_type, include_extras=True).items():
            if typing.get_origin(hint) is Annotated:
                names.update((name, mark.name) for mark in hint.__metadata__ if isinstance(mark, Aaf))
        cached = _AAF_NAMES[record_type] = MappingProxyType(names)
    return cached


# --- Compound values (``$``-separated in the feed) -------------------------------------------------


@dataclass(frozen=True, slots=True)
class ClassDefinition:
    """A class declared on a structure: ``ENTStructureClasses`` = ``code$libellé[$MEF…]``."""

    code: str  # code de la classe, ex. « 4B »
    label: str  # libellé, ex. « 4EME B »
    mef_codes: tuple[str, ...] = ()  # MEF de la classe (11 caractères), souvent un seul


@dataclass(frozen=True, slots=True)
class GroupDefinition:
    """A group declared on a structure: ``ENTStructureGroupes`` = ``code$libellé``."""

    code: str  # code du groupe, ex. « 4ALL1 »
    label: str  # libellé, ex. « ALLEMAND LV1 4EME »


@dataclass(frozen=True, slots=True)
class CodeLabel:
    """A ``code$libellé`` pair (bassin, rattachement fonctionnel, catégorie de discipline)."""

    code: str
    label: str


@dataclass(frozen=True, slots=True)
class StructureRef:
    """``structJointure$code``: a class or group of one structure (``ENTEleveClasses``…)."""

    structure_jointure: str  # jointure AAF de l'établissement (pas l'UAI)
    code: str  # code de la classe ou du groupe dans cet établissement


@dataclass(frozen=True, slots=True)
class ClassDate:
    """``structJointure$JJ/MM/AAAA$classCode``: date d'entrée ou de sortie d'une classe."""

    structure_jointure: str
    on: datetime.date
    class_code: str


class LegalResponsibility(IntEnum):
    """Field 3 of ``ENTElevePersRelEleve`` (responsabilité légale)."""

    NONE = 0  # aucune : simple contact (valeur déduite, non confirmée)
    LEGAL_REPRESENTATIVE = 1  # représentant légal : droits parentaux complets
    PERSON_IN_CHARGE = 2  # personne en charge de l'élève (lien désactivé par défaut)


# BCN N_LIEN_ELEVE_RESPONSABLE: field 1 of ``ENTElevePersRelEleve``.
RELATIONSHIP_LABELS: Mapping[str, str] = {
    "10": "MÈRE",
    "20": "PÈRE",
    "37": "FRATRIE",
    "38": "ASCENDANT",
    "39": "AUTRE MEMBRE DE LA FAMILLE",
    "41": "ÉDUCATEUR",
    "42": "ASSISTANT FAMILIAL",
    "43": "GARDE D'ENFANT",
    "50": "TUTEUR",
    "51": "AIDE SOCIALE À L'ENFANCE",
    "70": "ÉLÈVE LUI-MÊME",
    "90": "AUTRE LIEN",
}


@dataclass(frozen=True, slots=True)
class GuardianLink:
    """``ENTElevePersRelEleve`` = ``respJointure$lien$financier$legal$contact$paiement`` (6 fields)."""

    guardian_jointure: str  # jointure du PersRelEleve
    relationship: str  # lien de parenté, code BCN (10 mère, 20 père, 50 tuteur…)
    is_financial: bool  # responsable financier
    legal_responsibility: LegalResponsibility  # responsabilité légale (1 représentant légal…)
    is_contact: bool  # personne à contacter
    is_payer: bool  # « paiement » : sens non confirmé par l'académie

    @property
    def gives_parental_rights(self) -> bool:
        """Only a legal representative gets a parent account linked to the child with full rights."""
        return self.legal_responsibility is LegalResponsibility.LEGAL_REPRESENTATIVE


@dataclass(frozen=True, slots=True)
class StaffFunction:
    """``ENTPersonFonctions`` = ``structJointure$codeFonction$libellé$codeDiscipline$libellé``."""

    structure_jointure: str
    function_code: str  # ENS, DOC, DIR, EDU, ADF… (voir FUNCTION_PROFILES)
    function_label: str  # ex. « ENSEIGNEMENT », « DIRECTION »
    discipline_code: str  # ex. « L1300 » ; vide quand le flux porte « - »
    discipline_label: str  # ex. « MATHEMATIQUES » ; vide quand le flux porte « - »


@dataclass(frozen=True, slots=True)
class TeachingService:
    """``ENTAuxEnsClassesMatieres`` / ``ENTAuxEnsGroupesMatieres`` = ``structJointure$code$matière``."""

    structure_jointure: str
    code: str  # classe ou groupe enseigné
    subject_code: str  # ENTMatJointure de la matière (6 chiffres)


@dataclass(frozen=True, slots=True)
class StaffMef:
    """``ENTAuxEnsMEF`` = ``structJointure$MEF$libellé``."""

    structure_jointure: str
    mef_code: str
    label: str


@dataclass(frozen=True, slots=True)
class StructureLabel:
    """``ENTAuxEnsMatiereEnseignEtab`` = ``structJointure$libellé``."""

    structure_jointure: str
    label: str


# --- Records, one per kind ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class Structure(AafRecordBase):
    """Un établissement (fichier ``EtabEducNat``), avec ses classes et ses groupes."""

    kind: ClassVar[FileKind] = FileKind.STRUCTURES
    key_attribute: ClassVar[str] = "ENTStructureJointure"

    uai: Annotated[str, Aaf("ENTStructureUAI")] = ""  # UAI : 7 chiffres + lettre clé
    former_uai: Annotated[str, Aaf("ENTEtablissementUAI")] = ""  # ancien UAI (facultatif)
    siren: Annotated[str, Aaf("ENTStructureSIREN")] = ""  # SIRET (14 chiffres)
    name_parts: Annotated[tuple[str, ...], Aaf("ENTStructureNomCourant")] = ()  # NOM$VILLE
    structure_type: Annotated[str, Aaf("ENTStructureTypeStruct")] = ""  # COLLEGE, LYCEE POLYVALENT…
    # contrat : public / privé sous contrat (liste de valeurs non confirmée)
    contract: Annotated[str, Aaf("ENTEtablissementContrat")] = ""
    street: Annotated[str, Aaf("street")] = ""  # adresse
    postal_code: Annotated[str, Aaf("postalCode")] = ""  # code postal
    city: Annotated[str, Aaf("l")] = ""  # commune
    phone: Annotated[str, Aaf("telephoneNumber")] = ""  # téléphone
    fax: Annotated[str, Aaf("facsimileTelephoneNumber")] = ""  # télécopie
    email: Annotated[str, Aaf("ENTStructureMailSI")] = ""  # adresse électronique de l'établissement
    academie: Annotated[str, Aaf("ENTServAcAcademie")] = ""  # académie, ex. STRASBOURG
    classes: Annotated[tuple[ClassDefinition, ...], Aaf("ENTStructureClasses")] = ()  # classes
    groups: Annotated[tuple[GroupDefinition, ...], Aaf("ENTStructureGroupes")] = ()  # groupes
    functional_attachment: Annotated[CodeLabel | None, Aaf("ENTEtablissementStructRattachFctl")] = None
    bassin: Annotated[CodeLabel | None, Aaf("ENTEtablissementBassin")] = None  # bassin de formation

    @property
    def name(self) -> str:
        """Display name: entcore replaces the ``$`` between parts by a dash."""
        return " - ".join(part for part in self.name_parts if part)


@dataclass(frozen=True, slots=True, kw_only=True)
class Subject(AafRecordBase):
    """Une matière de la BCN (fichier ``MatiereEducNat``); the jointure is its 6-digit code."""

    kind: ClassVar[FileKind] = FileKind.SUBJECTS
    key_attribute: ClassVar[str] = "ENTMatJointure"

    label: Annotated[str, Aaf("ENTLibelleMatiere")] = ""  # libellé, ex. MATHEMATIQUES


@dataclass(frozen=True, slots=True, kw_only=True)
class Mef(AafRecordBase):
    """Un module élémentaire de formation (fichier ``MefEducNat``); the jointure is its 11-char code."""

    kind: ClassVar[FileKind] = FileKind.MEFS
    key_attribute: ClassVar[str] = "ENTMefJointure"

    label: Annotated[str, Aaf("ENTLibelleMef")] = ""  # libellé, ex. 4EME
    attached_mef: Annotated[str, Aaf("ENTMEFRattach")] = ""  # MEF de rattachement
    stat_code: Annotated[str, Aaf("ENTMEFSTAT11")] = ""  # MEF statistique (11 caractères)


@dataclass(frozen=True, slots=True, kw_only=True)
class Student(AafRecordBase):
    """Un élève (fichier ``Eleve``), with its class, groups and links to its responsables."""

    kind: ClassVar[FileKind] = FileKind.STUDENTS
    key_attribute: ClassVar[str] = "ENTPersonJointure"

    # identifiant national élève, 11 caractères ; vide sur d'anciens flux
    ine: Annotated[str, Aaf("ENTEleveINE")] = ""
    # identifiant SIECLE de l'élève dans son établissement
    attachment_id: Annotated[str, Aaf("ENTEleveStructRattachId")] = ""
    last_name: Annotated[str, Aaf("sn")] = ""  # nom d'usage
    first_name: Annotated[str, Aaf("givenName")] = ""  # prénom
    birth_name: Annotated[str, Aaf("ENTPersonNomPatro")] = ""  # nom de famille (patronymique)
    all_first_names: Annotated[tuple[str, ...], Aaf("ENTPersonAutresPrenoms")] = ()  # tous les prénoms
    title: Annotated[str, Aaf("personalTitle")] = ""  # civilité : M., Mme (Mlle sur d'anciens flux)
    birth_date: Annotated[datetime.date | None, Aaf("ENTPersonDateNaissance")] = None  # date de naissance
    # établissement(s) d'inscription: structure *jointures*, not UAIs (resolve them through Structure)
    structure_jointures: Annotated[tuple[str, ...], Aaf("ENTPersonStructRattach")] = ()
    mef_code: Annotated[str, Aaf("ENTEleveMEF")] = ""  # MEF de l'élève
    mef_label: Annotated[str, Aaf("ENTEleveLibelleMEF")] = ""  # libellé du MEF
    level: Annotated[str, Aaf("ENTEleveNivFormation")] = ""  # niveau de formation
    filiere: Annotated[str, Aaf("ENTEleveFiliere")] = ""  # filière
    # classe(s) et groupes : structJointure$code
    classes: Annotated[tuple[StructureRef, ...], Aaf("ENTEleveClasses")] = ()
    groups: Annotated[tuple[StructureRef, ...], Aaf("ENTEleveGroupes")] = ()
    # dates d'entrée et de sortie de classe : structJointure$JJ/MM/AAAA$classe
    class_entries: Annotated[tuple[ClassDate, ...], Aaf("ENTEleveDateEntreeClasses")] = ()
    class_exits: Annotated[tuple[ClassDate, ...], Aaf("ENTEleveDateSortieClasses")] = ()
    # enseignements suivis (options) : codes matière et libellés
    subject_codes: Annotated[tuple[str, ...], Aaf("ENTEleveCodeEnseignements")] = ()
    subject_labels: Annotated[tuple[str, ...], Aaf("ENTEleveEnseignements")] = ()
    # liens aux responsables, avec la responsabilité légale de chacun
    guardian_links: Annotated[tuple[GuardianLink, ...], Aaf("ENTElevePersRelEleve")] = ()
    regime: Annotated[str, Aaf("ENTEleveRegime")] = ""  # régime (externe, demi-pensionnaire…)
    is_scholarship_holder: Annotated[bool | None, Aaf("ENTEleveBoursier")] = None  # boursier (O/N)
    uses_school_transport: Annotated[bool | None, Aaf("ENTEleveTransport")] = None  # transport (O/N)
    status: Annotated[str, Aaf("ENTEleveStatutEleve")] = ""  # statut, ex. SCOLAIRE
    address_lines: Annotated[tuple[str, ...], Aaf("ENTPersonAdresse")] = ()  # adresse, lignes « $ »
    postal_code: Annotated[str, Aaf("ENTPersonCodePostal")] = ""  # code postal
    city: Annotated[str, Aaf("ENTPersonVille")] = ""  # commune
    country: Annotated[str, Aaf("ENTPersonPays")] = ""  # pays

    @property
    def legal_guardian_jointures(self) -> tuple[str, ...]:
        """Responsables who get full parental rights (field 3 = 1)."""
        return tuple(link.guardian_jointure for link in self.guardian_links if link.gives_parental_rights)


@dataclass(frozen=True, slots=True, kw_only=True)
class Guardian(AafRecordBase):
    """Une personne en relation avec un élève (fichier ``PersRelEleve``): parent, tuteur, contact.

    Which children it is linked to, and with which rights, is decided on the *student* side
    (``Student.guardian_links``); ``student_jointures`` is only a cross-check.
    """

    kind: ClassVar[FileKind] = FileKind.GUARDIANS
    key_attribute: ClassVar[str] = "ENTPersonJointure"

    last_name: Annotated[str, Aaf("sn")] = ""  # nom d'usage
    first_name: Annotated[str, Aaf("givenName")] = ""  # prénom
    birth_name: Annotated[str, Aaf("ENTPersonNomPatro")] = ""  # nom de famille
    title: Annotated[str, Aaf("personalTitle")] = ""  # civilité
    birth_date: Annotated[datetime.date | None, Aaf("ENTPersonDateNaissance")] = None  # souvent vide
    home_phone: Annotated[str, Aaf("homePhone")] = ""  # téléphone du domicile
    work_phone: Annotated[str, Aaf("telephoneNumber")] = ""  # téléphone professionnel
    mobiles: Annotated[tuple[str, ...], Aaf("mobile")] = ()  # téléphones portables
    sms_mobile: Annotated[str, Aaf("ENTPersonMobileSMS")] = ""  # portable pour les SMS
    email: Annotated[str, Aaf("mail")] = ""  # adresse électronique
    address_lines: Annotated[tuple[str, ...], Aaf("ENTPersonAdresse")] = ()  # adresse, lignes séparées par $
    postal_code: Annotated[str, Aaf("ENTPersonCodePostal")] = ""  # code postal
    city: Annotated[str, Aaf("ENTPersonVille")] = ""  # commune
    country: Annotated[str, Aaf("ENTPersonPays")] = ""  # pays
    # diffusion de l'adresse autorisée (O/N)
    is_address_publishable: Annotated[bool | None, Aaf("ENTPersonAdresseDiffusion")] = None
    # élèves liés, selon le responsable (contrôle croisé seulement)
    student_jointures: Annotated[tuple[str, ...], Aaf("ENTAuxPersRelEleveEleve")] = ()


# codeFonction → national profile. Three public ENT codebases agree on the core; they disagree on
# AES/ASE/ASH (EVS in one, ETA in another) and only one maps PSY/ADA/ADM/INS/INJ/COLTER: the
# importer takes the table as a setting and may override any row. Unknown codes → ETA + warning.
FUNCTION_PROFILES: Mapping[str, str] = {
    "ENS": "ENS",
    "DOC": "DOC",
    "DIR": "DIR",
    "EDU": "EVS",
    "AED": "EVS",
    "SUR": "EVS",
    "CPE": "EVS",
    "ADF": "ETA",
    "LAB": "ETA",
    "ALB": "ETA",
    "MDS": "ETA",
    "OUV": "ETA",
    "CTR": "ETA",
    "ORI": "ETA",
    "CFC": "ETA",
    "TEC": "ETA",
    "AES": "ETA",
    "ASE": "ETA",
    "ASH": "ETA",
    "PSY": "ETA",
    "ADA": "ETA",
    "ADM": "ETA",
    "INS": "ACA",
    "INJ": "ACA",
    "COLTER": "COL",
}
UNKNOWN_FUNCTION_PROFILE = "ETA"


@dataclass(frozen=True, slots=True)
class StaffProfiles:
    """National profiles of a staff member in each structure, and the function codes not in the table."""

    by_structure: Mapping[str, frozenset[str]]  # structure jointure → {"ENS", "DIR"…}
    unknown_function_codes: frozenset[str]


@dataclass(frozen=True, slots=True, kw_only=True)
class Staff(AafRecordBase):
    """Un personnel de l'Éducation nationale (fichier ``PersEducNat``), possibly in several schools.

    Functions, teaching services and professeur principal are per structure (the ``structJointure``
    prefix of each value): removing one school's values must not touch the others.
    """

    kind: ClassVar[FileKind] = FileKind.STAFF
    key_attribute: ClassVar[str] = "ENTPersonJointure"

    last_name: Annotated[str, Aaf("sn")] = ""  # nom d'usage
    first_name: Annotated[str, Aaf("givenName")] = ""  # prénom
    birth_name: Annotated[str, Aaf("ENTPersonNomPatro")] = ""  # nom de famille
    title: Annotated[str, Aaf("personalTitle")] = ""  # civilité
    birth_date: Annotated[datetime.date | None, Aaf("ENTPersonDateNaissance")] = None  # date de naissance
    email: Annotated[str, Aaf("mail")] = ""  # adresse académique
    # établissement(s) de rattachement (jointures)
    structure_jointures: Annotated[tuple[str, ...], Aaf("ENTPersonStructRattach")] = ()
    # fonctions, une par établissement : codeFonction → profil national (FUNCTION_PROFILES)
    functions: Annotated[tuple[StaffFunction, ...], Aaf("ENTPersonFonctions")] = ()
    # services d'enseignement : classe × matière, groupe × matière
    class_services: Annotated[tuple[TeachingService, ...], Aaf("ENTAuxEnsClassesMatieres")] = ()
    group_services: Annotated[tuple[TeachingService, ...], Aaf("ENTAuxEnsGroupesMatieres")] = ()
    # professeur principal de ces classes
    main_teacher_classes: Annotated[tuple[StructureRef, ...], Aaf("ENTAuxEnsClassesPrincipal")] = ()
    mefs: Annotated[tuple[StaffMef, ...], Aaf("ENTAuxEnsMEF")] = ()  # MEF enseignés
    # matières enseignées (libellés établissement) et catégories de discipline
    subject_labels: Annotated[tuple[StructureLabel, ...], Aaf("ENTAuxEnsMatiereEnseignEtab")] = ()
    discipline_categories: Annotated[tuple[CodeLabel, ...], Aaf("ENTAuxEnsCategoDiscipline")] = ()
    # classes et groupes, ancien format : only when the "…Matieres" attributes are absent
    legacy_classes: Annotated[tuple[StructureRef, ...], Aaf("ENTAuxEnsClasses")] = ()
    legacy_groups: Annotated[tuple[StructureRef, ...], Aaf("ENTAuxEnsGroupes")] = ()
    # présence devant élèves (O/N)
    teaches_students: Annotated[bool | None, Aaf("PersEducNatPresenceDevantEleves")] = None
    sts_id: Annotated[str, Aaf("ENTPersonSTSId")] = ""  # identifiant STS (déprécié, format non confirmé)

    @property
    def is_teacher(self) -> bool:
        """entcore's rule: in front of pupils, or an ENS or DOC function somewhere."""
        return bool(self.teaches_students) or any(f.function_code in ("ENS", "DOC") for f in self.functions)

    def profiles(self, table: Mapping[str, str] = FUNCTION_PROFILES) -> StaffProfiles:
        """National profiles per structure, from the functions and a configurable code table."""
        by_structure: dict[str, set[str]] = {}
        unknown: set[str] = set()
        for function in self.functions:
            profile = table.get(function.function_code)
            if profile is None:
                unknown.add(function.function_code)
                profile = UNKNOWN_FUNCTION_PROFILE
            by_structure.setdefault(function.structure_jointure, set()).add(profile)
        return StaffProfiles(
            by_structure={jointure: frozenset(p) for jointure, p in by_structure.items()},
            unknown_function_codes=frozenset(unknown),
        )


AafRecord: TypeAlias = Structure | Subject | Mef | Student | Guardian | Staff

RECORD_TYPES: Mapping[FileKind, type[AafRecord]] = {
    record_type.kind: record_type for record_type in (Structure, Subject, Mef, Student, Guardian, Staff)
}
