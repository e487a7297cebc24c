"""STS-Web ``sts_emp_<UAI>_<année>.xml`` parser: round trip from the samples, rejections."""

from __future__ import annotations

import codecs
import dataclasses
import io
import zipfile
from collections.abc import Callable
from pathlib import Path

from tenants.timetable.imports import (
    StructureKind,
    StsService,
    TimetableImportError,
    parse_sts,
    sts_file_name,
)
from tenants.timetable.imports.samples import sample_sts_export, sample_sts_file, write_sts

from .conftest import line_of

Rejected = Callable[..., TimetableImportError]


def _sample() -> tuple[str, bytes]:
    return sample_sts_file()


def _broken(old: str, new: str) -> bytes:
    _name, data = _sample()
    text = data.decode()
    assert old in text, old
    return text.replace(old, new, 1).encode()


# --- Round trips ----------------------------------------------------------------------------------------


def test_sample_round_trips_from_bytes() -> None:
    # given the sample export written as STS-Web writes it
    name, data = _sample()
    # when it is parsed under its STS-Web name
    parsed = parse_sts(data, file_name=name, expected_uai="0679901y")
    # then every record comes back unchanged
    assert parsed == sample_sts_export()
    assert parsed.school.uai == "0679901Y"
    assert parsed.school.year == 2025
    assert parsed.school.name == "COLLEGE LES TILLEULS"


def test_sample_round_trips_from_a_path_and_a_zip(tmp_path: Path) -> None:
    # given the sample on disk, and the same file inside a zip as schools often upload it
    name, data = _sample()
    path = tmp_path / name
    path.write_bytes(data)
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
        zipped.writestr(name, data)
    # when both are parsed
    from_path = parse_sts(path)
    from_zip = parse_sts(archive.getvalue(), file_name="export.zip")
    # then both give the sample, and errors would name the uploaded files
    assert from_path == sample_sts_export()
    assert dataclasses.replace(from_zip, file=name) == sample_sts_export()
    assert from_path.file == name
    assert from_zip.file == "export.zip"


def test_encodings_utf8_bom_and_iso_8859_15_are_read() -> None:
    # given the sample with a UTF-8 BOM, and in ISO-8859-15 as older STS exports declare it
    export = sample_sts_export()
    with_bom = write_sts(export, bom=True)
    latin = write_sts(export, encoding="ISO-8859-15")
    assert with_bom.startswith(codecs.BOM_UTF8)
    assert b"\xc9LODIE" in latin
    # when they are parsed
    # then accented names come back intact
    for data in (with_bom, latin):
        parsed = parse_sts(data, file_name=export.file)
        assert parsed == export
        assert {individual.first_name for individual in parsed.individuals} >= {"ÉLODIE", "INÈS"}


def test_services_teachers_and_structures_are_linked() -> None:
    # given the parsed sample
    name, data = _sample()
    parsed = parse_sts(data, file_name=name)
    # then services say who teaches what to which division or group
    assert [(s.structure_kind, s.structure_code, s.subject_code) for s in parsed.services_of("9001")] == [
        (StructureKind.DIVISION, "6A", "020100"),
        (StructureKind.GROUP, "4ALL1", "030602"),
    ]
    # and groups know their divisions, divisions their MEF, teachers their disciplines
    assert parsed.groups[0].division_codes == ("4B", "4C")
    assert {division.code: division.mef_codes for division in parsed.divisions}["6A"] == ("10010012110",)
    assert [teacher.id for teacher in parsed.teachers] == ["4242", "4243", "9001"]
    arnoux = parsed.individuals[0]
    assert arnoux.civility is not None
    assert arnoux.civility.label == "M."
    assert arnoux.main_teacher_of[0].structure_code == "4B"
    assert str(arnoux.disciplines[0].hours) == "18.00"
    # and no per-service weekly volume is invented
    assert {service.weekly_hours for service in parsed.services} == {None}


def test_services_of_individuals_without_function_are_ignored() -> None:
    # given a service held by the individual on long leave (no FONCTION)
    export = sample_sts_export()
    on_leave = StsService(
        structure_kind=StructureKind.DIVISION,
        structure_code="4C",
        subject_code="020100",
        teacher_id="4244",
        teacher_type="epp",
        modality="CG",
    )
    data = write_sts(export, services=(*export.services, on_leave))
    # when the file is parsed
    parsed = parse_sts(data, file_name=export.file)
    # then the link is dropped and counted, the others are kept
    assert parsed.services == export.services
    assert parsed.ignored_services == 1


def test_a_file_name_without_the_sts_convention_is_accepted() -> None:
    # given the sample renamed by the person who downloaded it
    _name, data = _sample()
    # when it is parsed
    parsed = parse_sts(data, file_name="export STS septembre.xml")
    # then only the content counts
    assert parsed.school.uai == "0679901Y"


# --- UAI and year checks --------------------------------------------------------------------------------


def test_uai_mismatch_between_file_name_and_content_is_rejected(rejected: Rejected) -> None:
    # given the sample of 0679901Y saved under another school's name
    _name, data = _sample()
    other_name = sts_file_name("0670001D", 2025)
    # when it is parsed
    error = rejected(parse_sts, data, file_name=other_name, code="uai_mismatch")
    # then the report names the file, the element and both UAIs (no personal data)
    assert error.file == other_name
    assert error.element == "STS_EDT/PARAMETRES/UAJ"
    assert "0670001D" in error.reason
    assert "0679901Y" in error.reason


def test_uai_mismatch_inside_a_zip_uses_the_member_name(rejected: Rejected) -> None:
    # given a zip whose member is named after another school
    _name, data = _sample()
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr(sts_file_name("0670001D", 2025), data)
    # when it is parsed
    # then the mismatch is found
    rejected(parse_sts, archive.getvalue(), file_name="sts.zip", code="uai_mismatch")


def test_year_mismatch_between_file_name_and_content_is_rejected(rejected: Rejected) -> None:
    # given last year's name on this year's content
    _name, data = _sample()
    # when it is parsed
    error = rejected(parse_sts, data, file_name=sts_file_name("0679901Y", 2024), code="year_mismatch")
    # then the report says which years disagree
    assert "2024" in error.reason
    assert "2025" in error.reason


def test_a_file_of_another_school_is_rejected(rejected: Rejected) -> None:
    # given a school importing the sample of 0679901Y
    name, data = _sample()
    # when it is parsed for school 0670001D
    error = rejected(parse_sts, data, file_name=name, expected_uai="0670001D", code="uai_mismatch")
    # then nothing is accepted
    assert "0670001D" in error.reason


# --- Malformed files ------------------------------------------------------------------------------------


def test_truncated_xml_is_rejected_with_its_line(rejected: Rejected) -> None:
    # given the sample cut in the middle of the individuals
    name, data = _sample()
    cut = data[: data.index(b'<INDIVIDU ID="4243"') + 10]
    # when it is parsed
    error = rejected(parse_sts, cut, file_name=name, code="not_xml")
    # then the line is lxml's
    assert error.line is not None
    assert error.line >= line_of(data, '<INDIVIDU ID="4243"')


def test_empty_and_non_xml_files_are_rejected(rejected: Rejected) -> None:
    rejected(parse_sts, b"", file_name="sts_emp_0679901Y_2025.xml", code="empty_file")
    error = rejected(parse_sts, b"Jour;Heure\r\nLundi;8h00\r\n", file_name="sts.csv", code="not_xml")
    assert error.line == 1


def test_another_root_is_rejected(rejected: Rejected) -> None:
    # given an XML that is not an STS export
    data = b'<?xml version="1.0"?>\n<ficAlimMENESR><addRequest/></ficAlimMENESR>'
    # when it is parsed
    error = rejected(parse_sts, data, file_name="sts_emp_0679901Y_2025.xml", code="wrong_root")
    # then the element is named
    assert error.element == "ficAlimMENESR"
    assert error.line == 2


def test_a_file_from_a_private_timetable_tool_is_rejected(rejected: Rejected) -> None:
    # given an STS_EDT file carrying APPLICATION_SOURCE
    export = sample_sts_export()
    data = write_sts(export, application_source=True)
    # when it is parsed
    error = rejected(parse_sts, data, file_name=export.file, code="not_sts_web")
    # then the element and its line are given
    assert error.element == "STS_EDT/PARAMETRES/APPLICATION_SOURCE"
    assert error.line == line_of(data, "<APPLICATION_SOURCE>")


def test_missing_or_invalid_uai_is_rejected(rejected: Rejected) -> None:
    # given a file without UAJ, and one whose UAI check letter is wrong
    without = _broken('<UAJ CODE="0679901Y">', "<UAJ>")
    wrong = _broken('<UAJ CODE="0679901Y">', '<UAJ CODE="0679901A">')
    # when they are parsed
    # then each is rejected with its own code
    assert (
        rejected(parse_sts, without, file_name="x.xml", code="missing_field").element
        == "STS_EDT/PARAMETRES/UAJ"
    )
    rejected(parse_sts, wrong, file_name="x.xml", code="bad_value")


def test_missing_year_is_rejected(rejected: Rejected) -> None:
    data = _broken('<ANNEE_SCOLAIRE ANNEE="2025"/>', "")
    error = rejected(parse_sts, data, file_name="x.xml", code="missing_field")
    assert error.element == "STS_EDT/PARAMETRES/ANNEE_SCOLAIRE"


def test_service_with_unknown_subject_is_rejected_at_its_line(rejected: Rejected) -> None:
    # given a service of 6A citing a subject absent from the nomenclature
    data = _broken('<SERVICE CODE_MATIERE="020100"', '<SERVICE CODE_MATIERE="999999"')
    # when it is parsed
    error = rejected(parse_sts, data, file_name="x.xml", code="unknown_reference")
    # then the report gives the teacher's line and the element path, and the subject code
    assert error.line == line_of(data, '<SERVICE CODE_MATIERE="999999"') + 2
    assert (
        error.element
        == "STS_EDT/DONNEES/STRUCTURE/DIVISIONS/DIVISION/SERVICES/SERVICE/ENSEIGNANTS/ENSEIGNANT"
    )
    assert "999999" in error.reason


def test_service_of_an_unknown_individual_is_rejected_without_personal_data(rejected: Rejected) -> None:
    # given a service citing an individual who is not listed
    data = _broken('<ENSEIGNANT ID="4243"', '<ENSEIGNANT ID="7777"')
    # when it is parsed
    error = rejected(parse_sts, data, file_name="x.xml", code="unknown_reference")
    # then the reason does not carry the id of a person
    assert "7777" not in error.reason
    assert error.line == line_of(data, '<ENSEIGNANT ID="7777"')


def test_group_of_an_unknown_division_is_rejected(rejected: Rejected) -> None:
    data = _broken('<DIVISION_APPARTENANCE CODE="4C"/>', '<DIVISION_APPARTENANCE CODE="3Z"/>')
    error = rejected(parse_sts, data, file_name="x.xml", code="unknown_reference")
    assert error.line == line_of(data, '<GROUPE CODE="4ALL1">')
    assert "3Z" in error.reason
    assert "4ALL1" in error.reason


def test_division_of_an_unknown_mef_is_rejected(rejected: Rejected) -> None:
    data = _broken('<MEF_APPARTENANCE CODE="10010012110"/>', '<MEF_APPARTENANCE CODE="12345678901"/>')
    error = rejected(parse_sts, data, file_name="x.xml", code="unknown_reference")
    assert error.line == line_of(data, '<DIVISION CODE="6A">')


def test_bad_birth_date_and_civility_are_rejected_without_personal_data(rejected: Rejected) -> None:
    # given an impossible birth date, then an unknown civility
    bad_date = _broken("<DATE_NAISSANCE>1981-03-14<", "<DATE_NAISSANCE>1981-02-30<")
    bad_civility = _broken("<CIVILITE>2</CIVILITE>", "<CIVILITE>9</CIVILITE>")
    # when they are parsed
    date_error = rejected(parse_sts, bad_date, file_name="x.xml", code="bad_date")
    civility_error = rejected(parse_sts, bad_civility, file_name="x.xml", code="bad_value")
    # then the individual's line is given, never the name or the date
    assert date_error.line == line_of(bad_date, '<INDIVIDU ID="4242"')
    assert civility_error.element == "STS_EDT/DONNEES/INDIVIDUS/INDIVIDU"
    for error in (date_error, civility_error):
        assert "ARNOUX" not in str(error)
        assert "BERTHIER" not in str(error)
        assert "1981" not in str(error)


def test_duplicate_and_codeless_divisions_are_rejected(rejected: Rejected) -> None:
    duplicate = _broken('<DIVISION CODE="4C">', '<DIVISION CODE="4B">')
    codeless = _broken('<DIVISION CODE="4C">', "<DIVISION>")
    assert rejected(parse_sts, duplicate, file_name="x.xml", code="duplicate").line == line_of(
        codeless, "<DIVISION>"
    )
    assert rejected(parse_sts, codeless, file_name="x.xml", code="missing_field").line == line_of(
        codeless, "<DIVISION>"
    )


def test_external_entities_are_never_resolved() -> None:
    # given a label that tries to pull a local file in (XXE)
    _name, data = _sample()
    text = data.decode().replace(
        "<STS_EDT>", '<!DOCTYPE STS_EDT [<!ENTITY leak SYSTEM "file:///etc/hostname">]>\n<STS_EDT>', 1
    )
    text = text.replace("<LIBELLE_LONG>4EME B</LIBELLE_LONG>", "<LIBELLE_LONG>4EME B&leak;</LIBELLE_LONG>")
    hostname = Path("/etc/hostname").read_text().strip() if Path("/etc/hostname").exists() else "\x00"
    # when the file is parsed
    parsed = parse_sts(text.encode(), file_name="x.xml")
    # then the entity is not expanded
    label = parsed.divisions[0].label
    assert label.startswith("4EME B")
    assert hostname not in label


def test_zip_without_or_with_several_candidates_is_rejected(rejected: Rejected) -> None:
    # given an empty zip, a zip of two exports, and bytes that only look like a zip
    _name, data = _sample()
    empty, double = io.BytesIO(), io.BytesIO()
    with zipfile.ZipFile(empty, "w") as zipped:
        zipped.writestr("lisez-moi.txt", "rien")
    with zipfile.ZipFile(double, "w") as zipped:
        zipped.writestr("a.xml", data)
        zipped.writestr("b.xml", data)
    # when they are parsed
    # then each is rejected as a bad archive
    for archive in (empty.getvalue(), double.getvalue(), b"PK\x03\x04 not really a zip"):
        rejected(parse_sts, archive, file_name="sts.zip", code="bad_archive")
