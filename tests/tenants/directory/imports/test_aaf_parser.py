"""Tests of the pure AAF parser: handbook samples, rejections, archives, cross-record checks."""

from __future__ import annotations

import datetime
import io
import tracemalloc
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tenants.directory.imports.aaf_generator import generate
from tenants.directory.imports.aaf_parser import (
    AafFormatError,
    KnownKeys,
    check_references,
    detect_file_kind,
    is_valid_uai,
    iter_records,
    read_archive,
)
from tenants.directory.imports.aaf_records import (
    AafRecord,
    ClassDefinition,
    FileKind,
    GroupDefinition,
    Guardian,
    LegalResponsibility,
    Operation,
    Staff,
    Structure,
    StructureRef,
    Student,
    TeachingService,
    aaf_attribute_names,
)

HEADER = '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE ficAlimMENESR SYSTEM "ficAlimMENESR.dtd">\n'

STRUCTURES = """
<addRequest>
  <operationalAttributes><attr name="categorieStructure"><value>EtabEducNat</value></attr>
    </operationalAttributes>
  <identifier><id>610001</id></identifier>
  <attributes>
    <attr name="ENTStructureJointure"><value>610001</value></attr>
    <attr name="ENTStructureUAI"><value>0679901Y</value></attr>
    <attr name="ENTStructureNomCourant"><value>COLLEGE LES TILLEULS$STRASBOURG</value></attr>
    <attr name="ENTStructureTypeStruct"><value>COLLEGE</value></attr>
    <attr name="ENTServAcAcademie"><value>STRASBOURG</value></attr>
    <attr name="ENTStructureClasses"><value>4B$4EME B$10210001110</value>
      <value>4C$4EME C$10210001110</value></attr>
    <attr name="ENTStructureGroupes"><value>4ALL1$ALLEMAND LV1 4EME</value></attr>
  </attributes>
</addRequest>
<addRequest>
  <operationalAttributes><attr name="categorieStructure"><value>EtabEducNat</value></attr>
    </operationalAttributes>
  <identifier><id>610002</id></identifier>
  <attributes>
    <attr name="ENTStructureJointure"><value>610002</value></attr>
    <attr name="ENTStructureUAI"><value>0689901T</value></attr>
    <attr name="ENTStructureNomCourant"><value>LYCEE DU RIED$COLMAR</value></attr>
    <attr name="ENTStructureClasses"><value>2ND3$SECONDE 3$20010018110</value></attr>
    <attr name="ENTStructureGroupes"><value>2SPE-NSI$NSI SECONDE</value></attr>
  </attributes>
</addRequest>
"""

STUDENT_LEA = """
<addRequest>
  <operationalAttributes><attr name="categoriePersonne"><value>Eleve</value></attr></operationalAttributes>
  <identifier><id>3100001</id></identifier>
  <attributes>
    <attr name="ENTPersonJointure"><value>3100001</value></attr>
    <attr name="ENTEleveINE"><value>070123456AB</value></attr>
    <attr name="ENTPersonDateNaissance"><value>05/06/2012</value></attr>
    <attr name="sn"><value>MARTIN</value></attr>
    <attr name="givenName"><value>LEA</value></attr>
    <attr name="ENTPersonAutresPrenoms"><value>LEA</value><value>JEANNE</value></attr>
    <attr name="ENTPersonStructRattach"><value>610001</value></attr>
    <attr name="ENTEleveMEF"><value>10210001110</value></attr>
    <attr name="ENTEleveClasses"><value>610001$4B</value></attr>
    <attr name="ENTEleveGroupes"><value>610001$4ALL1</value></attr>
    <attr name="ENTEleveDateEntreeClasses"><value>610001$01/09/2025$4B</value></attr>
    <attr name="ENTElevePersRelEleve"><value>2100001$10$1$1$1$1</value>
      <value>2100002$20$0$2$1$0</value></attr>
    <attr name="ENTEleveBoursier"><value>N</value></attr>
    <attr name="ENTElevePere"><value>2100002</value></attr>
  </attributes>
</addRequest>
"""

STUDENT_HUGO = """
<addRequest>
  <operationalAttributes><attr name="categoriePersonne"><value>Eleve</value></attr></operationalAttributes>
  <identifier><id>3100002</id></identifier>
  <attributes>
    <attr name="ENTPersonJointure"><value>3100002</value></attr>
    <attr name="sn"><value>MARTIN</value></attr>
    <attr name="givenName"><value>HUGO</value></attr>
    <attr name="ENTPersonStructRattach"><value>610002</value></attr>
    <attr name="ENTEleveClasses"><value>610002$2ND3</value></attr>
    <attr name="ENTElevePersRelEleve"><value>2100001$10$1$1$1$1</value></attr>
  </attributes>
</addRequest>
"""

GUARDIAN_CLAIRE = """
<addRequest>
  <operationalAttributes><attr name="categoriePersonne"><value>PersRelEleve</value></attr>
    </operationalAttributes>
  <identifier><id>2100001</id></identifier>
  <attributes>
    <attr name="ENTPersonJointure"><value>2100001</value></attr>
    <attr name="sn"><value>MARTIN</value></attr>
    <attr name="givenName"><value>CLAIRE</value></attr>
    <attr name="ENTPersonAdresse"><value>5 RUE DU VIGNOBLE$$$</value></attr>
    <attr name="mobile"><value>+33 6 39 98 00 01</value></attr>
    <attr name="ENTAuxPersRelEleveEleve"><value>3100001</value><value>3100002</value></attr>
  </attributes>
</addRequest>
"""

TEACHER_PAUL = """
<addRequest>
  <operationalAttributes><attr name="categoriePersonne"><value>PersEducNat</value></attr>
    </operationalAttributes>
  <identifier><id>1500042</id></identifier>
  <attributes>
    <attr name="ENTPersonJointure"><value>1500042</value></attr>
    <attr name="sn"><value>DURAND</value></attr>
    <attr name="givenName"><value>PAUL</value></attr>
    <attr name="ENTPersonStructRattach"><value>610001</value></attr>
    <attr name="ENTPersonFonctions"><value>610001$ENS$ENSEIGNEMENT$L1300$MATHEMATIQUES</value>
      <value>610002$ENS$ENSEIGNEMENT$L1300$MATHEMATIQUES</value></attr>
    <attr name="ENTAuxEnsClassesMatieres"><value>610001$4B$061300</value>
      <value>610002$2ND3$061300</value></attr>
    <attr name="ENTAuxEnsGroupesMatieres"><value/></attr>
    <attr name="ENTAuxEnsClassesPrincipal"><value>610001$4B</value></attr>
    <attr name="PersEducNatPresenceDevantEleves"><value>O</value></attr>
  </attributes>
</addRequest>
<addRequest>
  <operationalAttributes><attr name="categoriePersonne"><value>PersEducNat</value></attr>
    </operationalAttributes>
  <identifier><id>1500043</id></identifier>
  <attributes>
    <attr name="ENTPersonJointure"><value>1500043</value></attr>
    <attr name="sn"><value>WEBER</value></attr>
    <attr name="givenName"><value>ANNE</value></attr>
    <attr name="ENTPersonFonctions"><value>610001$DIR$DIRECTION$-$-</value>
      <value>610001$XYZ$INCONNUE$-$-</value></attr>
    <attr name="PersEducNatPresenceDevantEleves"><value>N</value></attr>
  </attributes>
</addRequest>
"""

DELTA = """
<modifyRequest>
  <operationalAttributes><attr name="categoriePersonne"><value>Eleve</value></attr></operationalAttributes>
  <identifier><id>3100001</id></identifier>
  <modifications>
    <modification name="ENTEleveClasses" operation="replace"><value>610001$4C</value></modification>
    <modification name="ENTEleveGroupes" operation="replace"><value/></modification>
  </modifications>
</modifyRequest>
<deleteRequest>
  <operationalAttributes><attr name="categoriePersonne"><value>Eleve</value></attr></operationalAttributes>
  <identifier><id>3100077</id></identifier>
</deleteRequest>
"""


def wrap(requests: str) -> str:
    return f"<ficAlimMENESR>{requests}</ficAlimMENESR>"


def aaf_file(directory: Path, name: str, requests: str, *, header: str = HEADER) -> Path:
    path = directory / name
    path.write_text(f"{header}<ficAlimMENESR>\n{requests}</ficAlimMENESR>\n", encoding="utf-8")
    return path


def test_handbook_structures_give_uai_name_classes_and_groups(tmp_path: Path) -> None:
    # given the handbook's EtabEducNat sample
    path = aaf_file(tmp_path, "STRASBOURG_Complet_20250901_EtabEducNat_0000.xml", STRUCTURES)

    # when it is parsed
    records = list(iter_records(path))

    # then each school has its UAI, name and declared classes and groups
    college, lycee = records
    assert isinstance(college, Structure)
    assert college.operation is Operation.ADD
    assert college.jointure == "610001"
    assert college.uai == "0679901Y"
    assert college.name == "COLLEGE LES TILLEULS - STRASBOURG"
    assert college.classes == (
        ClassDefinition("4B", "4EME B", ("10210001110",)),
        ClassDefinition("4C", "4EME C", ("10210001110",)),
    )
    assert college.groups == (GroupDefinition("4ALL1", "ALLEMAND LV1 4EME"),)
    assert isinstance(lycee, Structure)
    assert lycee.uai == "0689901T"
    assert lycee.origin is not None
    assert lycee.origin.index == 2


def test_handbook_pupil_gives_class_groups_and_guardian_links_with_legal_responsibility(
    tmp_path: Path,
) -> None:
    # given the handbook's pupil, one legal representative and one "personne en charge"
    path = aaf_file(tmp_path, "X_Complet_20250901_Eleve_0000.xml", STUDENT_LEA)

    # when it is parsed
    [lea] = list(iter_records(path))

    # then identity, enrolment and both guardian links are typed
    assert isinstance(lea, Student)
    assert lea.ine == "070123456AB"
    assert lea.birth_date == datetime.date(2012, 6, 5)
    assert lea.all_first_names == ("LEA", "JEANNE")
    assert lea.structure_jointures == ("610001",)
    assert lea.classes == (StructureRef("610001", "4B"),)
    assert lea.groups == (StructureRef("610001", "4ALL1"),)
    assert lea.class_entries[0].on == datetime.date(2025, 9, 1)
    mother, father = lea.guardian_links
    assert (mother.guardian_jointure, mother.relationship) == ("2100001", "10")
    assert mother.legal_responsibility is LegalResponsibility.LEGAL_REPRESENTATIVE
    assert mother.is_financial
    assert mother.is_payer
    assert father.legal_responsibility is LegalResponsibility.PERSON_IN_CHARGE
    assert not father.is_financial
    assert lea.legal_guardian_jointures == ("2100001",)
    assert lea.is_scholarship_holder is False
    # a deprecated attribute is ignored without a warning
    assert lea.unknown_attributes == ()


def test_teacher_in_two_schools_keeps_functions_services_and_profiles_per_school(tmp_path: Path) -> None:
    # given the handbook's teacher in two schools and a principal with an unknown second function
    path = aaf_file(tmp_path, "X_Complet_20250901_PersEducNat_0000.xml", TEACHER_PAUL)

    # when it is parsed
    paul, anne = list(iter_records(path))

    # then each value keeps its structure; the empty <value/> gives no service
    assert isinstance(paul, Staff)
    assert isinstance(anne, Staff)
    assert [f.structure_jointure for f in paul.functions] == ["610001", "610002"]
    assert paul.class_services == (
        TeachingService("610001", "4B", "061300"),
        TeachingService("610002", "2ND3", "061300"),
    )
    assert paul.group_services == ()
    assert paul.carries("ENTAuxEnsGroupesMatieres")
    assert paul.main_teacher_classes == (StructureRef("610001", "4B"),)
    assert paul.is_teacher
    assert paul.profiles().by_structure == {"610001": frozenset({"ENS"}), "610002": frozenset({"ENS"})}
    assert anne.functions[0].discipline_code == ""
    assert not anne.is_teacher
    profiles = anne.profiles()
    assert profiles.by_structure == {"610001": frozenset({"DIR", "ETA"})}
    assert profiles.unknown_function_codes == frozenset({"XYZ"})


def test_modify_replaces_only_named_attributes_and_delete_carries_only_the_id(tmp_path: Path) -> None:
    # given the handbook's delta sample
    path = aaf_file(tmp_path, "X_Delta_20251103_Eleve_0000.xml", DELTA)

    # when it is parsed
    modify, delete = list(iter_records(path))

    # then the modify names what it replaces (groups cleared) and the delete has only its id
    assert isinstance(modify, Student)
    assert modify.operation is Operation.MODIFY
    assert modify.present_attributes == frozenset({"ENTEleveClasses", "ENTEleveGroupes"})
    assert modify.present_fields() == frozenset({"classes", "groups"})
    assert modify.classes == (StructureRef("610001", "4C"),)
    assert modify.groups == ()
    assert delete.operation is Operation.DELETE
    assert delete.jointure == "3100077"
    assert delete.present_attributes == frozenset()


def test_field_names_map_to_exact_aaf_attribute_names() -> None:
    # given / when the attribute dictionary of two record kinds
    student = aaf_attribute_names(Student)
    staff = aaf_attribute_names(Staff)

    # then the names are the handbook's, exactly
    assert student["ine"] == "ENTEleveINE"
    assert student["guardian_links"] == "ENTElevePersRelEleve"
    assert staff["class_services"] == "ENTAuxEnsClassesMatieres"
    assert staff["teaches_students"] == "PersEducNatPresenceDevantEleves"


def test_html_entities_are_unescaped_and_external_entities_never_resolved(tmp_path: Path) -> None:
    # given a value with an HTML entity and a DOCTYPE declaring an external file entity
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET", encoding="utf-8")
    header = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<!DOCTYPE ficAlimMENESR SYSTEM "ficAlimMENESR.dtd" [<!ENTITY leak SYSTEM "file://{secret}">]>\n'
    )
    request = STUDENT_HUGO.replace("<value>HUGO</value>", "<value>H&eacute;lo&#239;se&leak;</value>")
    path = aaf_file(tmp_path, "X_Complet_20250901_Eleve_0000.xml", request, header=header)

    # when it is parsed
    [pupil] = list(iter_records(path))

    # then the HTML entity became a character and the file was never read
    assert isinstance(pupil, Student)
    assert pupil.first_name.startswith("Héloïse")
    assert "TOP-SECRET" not in pupil.first_name


def test_iso_8859_15_declaration_is_honoured(tmp_path: Path) -> None:
    # given a file declared and encoded in ISO-8859-15
    path = tmp_path / "X_Complet_20250901_PersRelEleve_0000.xml"
    text = (
        '<?xml version="1.0" encoding="ISO-8859-15"?>\n<ficAlimMENESR>'
        + GUARDIAN_CLAIRE.replace("CLAIRE", "CLÉMENCE €")
        + "</ficAlimMENESR>"
    )
    path.write_bytes(text.encode("iso-8859-15"))

    # when it is parsed
    [guardian] = list(iter_records(path))

    # then accents and the euro sign are decoded
    assert isinstance(guardian, Guardian)
    assert guardian.first_name == "CLÉMENCE €"
    assert guardian.address_lines == ("5 RUE DU VIGNOBLE",)
    assert guardian.student_jointures == ("3100001", "3100002")


@pytest.mark.parametrize(
    ("name", "content", "code", "record_id"),
    [
        ("X_Complet_20250901_Eleve_0000.xml", "this is not xml", "not_xml", None),
        ("X_Complet_20250901_Eleve_0000.xml", HEADER + "<ficAlimMENESR><addRequest>", "not_xml", None),
        ("X_Complet_20250901_Eleve_0000.xml", "<annuaire>" + STUDENT_LEA + "</annuaire>", "wrong_root", None),
        ("X_Complet_20250901_Eleve_0000.xml", "<annuaire/>", "wrong_root", None),
        (
            "X_Complet_20250901_Eleve_0000.xml",
            wrap(STUDENT_LEA.replace('<attr name="sn"><value>MARTIN</value></attr>', "")),
            "missing_attribute",
            "3100001",
        ),
        (
            "X_Complet_20250901_Eleve_0000.xml",
            wrap(STUDENT_LEA.replace("05/06/2012", "2012-06-05")),
            "bad_date",
            "3100001",
        ),
        (
            "X_Complet_20250901_Eleve_0000.xml",
            wrap(STUDENT_LEA.replace("05/06/2012", "31/02/2012")),
            "bad_date",
            "3100001",
        ),
        (
            "X_Complet_20250901_EtabEducNat_0000.xml",
            wrap(STRUCTURES.replace("0689901T", "0689901A")),
            "bad_uai",
            "610002",
        ),
        (
            "X_Complet_20250901_Eleve_0000.xml",
            wrap(STUDENT_LEA.replace("2100001$10$1$1$1$1", "2100001$10$1$1")),
            "bad_multipart",
            "3100001",
        ),
        (
            "X_Complet_20250901_Eleve_0000.xml",
            wrap(STUDENT_LEA.replace("<id>3100001</id>", "<id/>")),
            "missing_identifier",
            None,
        ),
        ("X_Complet_20250901_PersRelEleve_0000.xml", wrap(STUDENT_LEA), "kind_mismatch", "3100001"),
        (
            "X_Complet_20250901_Eleve_0000.xml",
            wrap(DELTA.replace('operation="replace"', 'operation="add"')),
            "bad_operation",
            "3100001",
        ),
    ],
)
def test_malformed_file_is_rejected_with_code_file_and_record(
    tmp_path: Path, name: str, content: str, code: str, record_id: str | None
) -> None:
    # given a malformed AAF file
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")

    # when it is parsed to the end
    with pytest.raises(AafFormatError) as raised:
        list(iter_records(path))

    # then the error names the rule, the file and the record, in French
    assert raised.value.code == code
    assert raised.value.file == str(path)
    assert raised.value.record_id == record_id
    assert raised.value.reason
    assert name in str(raised.value)


def test_error_in_second_record_reports_its_position(tmp_path: Path) -> None:
    # given a valid school followed by a school with a wrong check letter
    path = aaf_file(
        tmp_path, "X_Complet_20250901_EtabEducNat_0000.xml", STRUCTURES.replace("0689901T", "0689901A")
    )

    # when it is parsed
    records = iter_records(path)
    first = next(records)
    with pytest.raises(AafFormatError) as raised:
        next(records)

    # then the first record was fine and the error points at the second one
    assert first.jointure == "610001"
    assert raised.value.record_index == 2
    assert raised.value.line is not None
    assert raised.value.line > 10


def test_unknown_attribute_is_a_warning_not_a_rejection(tmp_path: Path) -> None:
    # given a pupil with an attribute from a newer AAF version
    request = STUDENT_HUGO.replace(
        "</attributes>", '<attr name="ENTEleveNouveauChamp"><value>X</value></attr></attributes>'
    )
    path = aaf_file(tmp_path, "X_Complet_20250901_Eleve_0000.xml", request)

    # when it is parsed
    [pupil] = list(iter_records(path))

    # then it is kept, with the attribute listed for the report
    assert pupil.unknown_attributes == ("ENTEleveNouveauChamp",)


def test_checksum_is_stable_and_follows_the_values(tmp_path: Path) -> None:
    # given the same pupil twice, attribute order changed, and once with another class
    reordered = STUDENT_HUGO.replace(
        '<attr name="sn"><value>MARTIN</value></attr>\n    <attr name="givenName"><value>HUGO</value></attr>',
        '<attr name="givenName"><value>HUGO</value></attr>\n    <attr name="sn"><value>MARTIN</value></attr>',
    )
    moved = STUDENT_HUGO.replace("610002$2ND3", "610002$2ND4")
    path = aaf_file(tmp_path, "X_Complet_20250901_Eleve_0000.xml", STUDENT_HUGO + reordered + moved)

    # when they are parsed
    first, second, third = list(iter_records(path))

    # then order does not matter, values do
    assert reordered != STUDENT_HUGO
    assert first.content_checksum() == second.content_checksum()
    assert first.content_checksum() != third.content_checksum()


def test_detect_file_kind_matches_on_the_suffix() -> None:
    # given / when / then: the prefix varies, "PersRelEleve" is not "Eleve", other names are not AAF
    assert detect_file_kind("ENT_0679901Y_Complet_20250901_Eleve_0000.xml") is FileKind.STUDENTS
    assert detect_file_kind("/x/STRASBOURG_Complet_20250901_PersRelEleve_0003.xml") is FileKind.GUARDIANS
    assert detect_file_kind("PREFIX_Complet_20250901_PersEducNat_0001.xml") is FileKind.STAFF
    assert detect_file_kind("A_Complet_20250901_EtabEducNat_0000.xml") is FileKind.STRUCTURES
    assert detect_file_kind("A_MatiereEducNat_0000.xml") is FileKind.SUBJECTS
    assert detect_file_kind("A_MefEducNat_0000.xml") is FileKind.MEFS
    assert detect_file_kind("A_Complet_20250901_Eleve.xml") is None
    assert detect_file_kind("ficAlimMENESR.dtd") is None


def test_zip_archive_yields_files_in_processing_order(tmp_path: Path) -> None:
    # given a zip whose members are stored in the wrong order, staff in two chunks, and a DTD
    archive = tmp_path / "STRASBOURG_Complet_20250901.zip"
    members = {
        "export/S_Complet_20250901_PersEducNat_0001.xml": TEACHER_PAUL,
        "export/S_Complet_20250901_PersEducNat_0000.xml": "",
        "export/S_Complet_20250901_PersRelEleve_0000.xml": GUARDIAN_CLAIRE,
        "export/S_Complet_20250901_Eleve_0000.xml": STUDENT_LEA + STUDENT_HUGO,
        "export/S_Complet_20250901_MefEducNat_0000.xml": "",
        "export/S_Complet_20250901_MatiereEducNat_0000.xml": "",
        "export/S_Complet_20250901_EtabEducNat_0000.xml": STRUCTURES,
    }
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("export/ficAlimMENESR.dtd", "<!ELEMENT ficAlimMENESR ANY>")
        for name, requests in members.items():
            zipped.writestr(name, f"{HEADER}<ficAlimMENESR>{requests}</ficAlimMENESR>")

    # when the archive is read and every file parsed in the order given
    files = list(read_archive(archive))
    kinds_seen = [record.kind for aaf_file in files for record in iter_records(aaf_file)]

    # then structures, subjects, MEF, pupils, parents, staff, chunks in number order
    assert [(f.kind, f.chunk) for f in files] == [
        (FileKind.STRUCTURES, 0),
        (FileKind.SUBJECTS, 0),
        (FileKind.MEFS, 0),
        (FileKind.STUDENTS, 0),
        (FileKind.GUARDIANS, 0),
        (FileKind.STAFF, 0),
        (FileKind.STAFF, 1),
    ]
    assert not any(f.is_delta for f in files)
    assert (
        kinds_seen
        == [FileKind.STRUCTURES] * 2 + [FileKind.STUDENTS] * 2 + [FileKind.GUARDIANS] + [FileKind.STAFF] * 2
    )


def test_archive_with_a_missing_chunk_is_rejected(tmp_path: Path) -> None:
    # given chunks 0000 and 0002 of the pupils, 0001 lost in transfer
    for chunk in ("0000", "0002"):
        aaf_file(tmp_path, f"S_Complet_20250901_Eleve_{chunk}.xml", "")

    # when the folder is read
    with pytest.raises(AafFormatError) as raised:
        list(read_archive(tmp_path))

    # then the whole run is refused
    assert raised.value.code == "missing_chunk"


def test_archive_with_an_unknown_xml_file_is_rejected(tmp_path: Path) -> None:
    # given an XML file whose name carries no AAF kind
    aaf_file(tmp_path, "S_Complet_20250901_Eleve_0000.xml", "")
    (tmp_path / "S_Complet_20250901_Absences_0000.xml").write_text("<x/>", encoding="utf-8")

    # when the folder is read
    with pytest.raises(AafFormatError) as raised:
        list(read_archive(tmp_path))

    # then the error names that file
    assert raised.value.code == "unknown_kind"
    assert "Absences" in raised.value.file


def test_file_object_without_a_kind_in_its_name_uses_operational_attributes() -> None:
    # given a stream with no file name
    stream = io.BytesIO(f"{HEADER}<ficAlimMENESR>{GUARDIAN_CLAIRE}</ficAlimMENESR>".encode())

    # when it is parsed
    [record] = list(iter_records(stream))

    # then the kind comes from categoriePersonne
    assert isinstance(record, Guardian)


def _parse_all(tmp_path: Path, **files: str) -> list[AafRecord]:
    records = []
    for kind, requests in files.items():
        records += list(iter_records(aaf_file(tmp_path, f"S_Complet_20250901_{kind}_0000.xml", requests)))
    return records


def test_check_references_accepts_the_handbook_run(tmp_path: Path) -> None:
    # given the handbook's structures, pupils, parent and staff, both UAIs known to the platform
    records = _parse_all(
        tmp_path,
        EtabEducNat=STRUCTURES,
        Eleve=STUDENT_LEA + STUDENT_HUGO,
        PersRelEleve=GUARDIAN_CLAIRE + GUARDIAN_CLAIRE.replace("2100001", "2100002"),
        PersEducNat=TEACHER_PAUL,
    )

    # when references are checked
    problems = check_references(records, {"0679901Y", "0689901T"})

    # then nothing blocks; only subjects and MEF, absent from this run, are warned about
    assert [p for p in problems if p.is_blocking] == []
    assert {p.code for p in problems} <= {"unknown_subject", "unknown_mef", "guardian_link_mismatch"}
    assert any(p.code == "unknown_mef" and p.reference == "10210001110" for p in problems)


def test_check_references_reports_unknown_uai_dangling_class_and_unknown_guardian(tmp_path: Path) -> None:
    # given a pupil in a class its school does not declare, linked to a parent absent from the run
    dangling = STUDENT_LEA.replace("610001$4B</value>", "610001$4Z</value>")
    records = _parse_all(tmp_path, EtabEducNat=STRUCTURES, Eleve=dangling + dangling)

    # when references are checked, the lycée being unknown to the platform
    problems = check_references(records, {"0679901Y"})

    # then each problem is reported once, with its code and whether it blocks the run
    by_code = {p.code: p for p in problems}
    assert by_code["unknown_uai"].reference == "0689901T"
    assert not by_code["unknown_uai"].is_blocking
    assert by_code["unknown_class"].reference == "610001$4Z"
    assert by_code["unknown_class"].is_blocking
    assert by_code["unknown_guardian"].reference in {"2100001", "2100002"}
    assert by_code["duplicate_id"].record_id == "3100001"
    assert by_code["unknown_class"].record_id == "3100001"
    assert by_code["unknown_class"].origin is not None


def test_check_references_resolves_a_delta_against_known_keys(tmp_path: Path) -> None:
    # given the handbook's delta, whose ids only exist in the database
    records = _parse_all(tmp_path, Eleve=DELTA)

    # when it is checked without, then with, what the database holds
    alone = check_references(records, set())
    with_database = check_references(
        records,
        set(),
        known=KnownKeys(
            ids={FileKind.STUDENTS: {"3100001", "3100077"}, FileKind.STRUCTURES: {"610001"}},
            classes={("610001", "4C")},
        ),
    )

    # then unknown ids and the class block alone, and nothing is left with the database keys
    assert {p.code for p in alone} == {"unknown_id", "unknown_structure", "unknown_class"}
    assert with_database == []


def test_uai_check_letter() -> None:
    # given / when / then: the handbook's UAIs pass, a wrong letter or shape fails
    assert is_valid_uai("0679901Y")
    assert is_valid_uai("0689901T")
    assert not is_valid_uai("0679901Z")
    assert not is_valid_uai("679901Y")


def test_parsing_50000_people_keeps_traced_memory_flat(tmp_path: Path) -> None:
    # given a generated export of 50,000 people, each kind in one single file (≈ 60 MB of XML)
    generated = generate(tmp_path, people=50_000, seed=5, uais=["0679901Y", "0689901T"], chunk_size=1_000_000)
    xml_bytes = sum(path.stat().st_size for path in generated.files)

    # when every record is parsed, one at a time, under tracemalloc
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        people = sum(
            1
            for aaf_file in read_archive(tmp_path)
            for record in iter_records(aaf_file)
            if record.kind in (FileKind.STUDENTS, FileKind.GUARDIANS, FileKind.STAFF)
        )
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    # then all 50,000 were read while Python memory stayed far below the size of the input
    assert people == 50_000
    assert xml_bytes > 50_000_000
    assert peak < 20 * 1024 * 1024


def test_reference_check_keeps_no_record_alive(tmp_path: Path) -> None:
    # given a generated académie of 20,000 people
    import gc

    uais = ["0570613G", "0573458Z"]
    generate(tmp_path, people=20_000, seed=5, uais=uais)

    def records() -> Iterator[Any]:
        for aaf_file in read_archive(tmp_path):
            yield from iter_records(aaf_file)

    # when the references are checked, streaming
    gc.collect()
    tracemalloc.start()
    try:
        problems = check_references(records(), known_uais=uais)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # then no problem, and memory far below what holding the records would take (~70 MB here)
    assert problems == []
    assert peak < 25_000_000
