"""UDT CSV export parser: round trip in every encoding and separator, header mapping, rejections."""

from __future__ import annotations

import codecs
import dataclasses
import datetime
import io
import zipfile
from collections.abc import Callable

import pytest

from tenants.timetable.imports import TimetableImportError, TimetableSource, parse_udt
from tenants.timetable.imports.samples import sample_udt_export, sample_udt_file, write_udt
from tenants.timetable.imports.udt import parse_day, parse_time_range

Rejected = Callable[..., TimetableImportError]

HEADER = "Jour;Heure;Div;Matière;Professeur;Salle;Groupe;Regroup;Eff;Mo;Freq;Aire\r\n"
GOOD_ROW = "Lundi;8h00 - 8h55;4B;MATHS;ARNOUX L.;S12;;;27;CG;;\r\n"


def _csv(*rows: str, header: str = HEADER) -> bytes:
    return (header + "".join(rows)).encode("cp1252")


# --- Round trips ----------------------------------------------------------------------------------------


def test_sample_round_trips_in_windows_1252() -> None:
    # given the sample written as UDT writes it on Windows (cp1252, « ; », quoted cells, CRLF)
    name, data = sample_udt_file()
    assert "FRANÇAIS".encode("cp1252") in data
    # when it is parsed
    parsed = parse_udt(data, file_name=name)
    # then the lessons and catalogues come back unchanged
    assert parsed == sample_udt_export()
    assert parsed.source is TimetableSource.UDT
    assert parsed.grid is None
    assert parsed.uai is None


@pytest.mark.parametrize(
    ("encoding", "bom", "delimiter"),
    [
        ("utf-8", False, ";"),
        ("utf-8", True, ";"),
        ("utf-16", False, "\t"),  # Python writes UTF-16 with its BOM
        ("cp1252", False, "\t"),  # the « TXT » export
        ("cp1252", False, ","),
    ],
)
def test_encodings_and_separators_are_detected(encoding: str, bom: bool, delimiter: str) -> None:
    # given the sample in another encoding or with another separator
    export = sample_udt_export()
    data = write_udt(export, encoding=encoding, bom=bom, delimiter=delimiter)
    # when it is parsed
    parsed = parse_udt(data, file_name=export.file)
    # then nothing changes
    assert parsed == export
    assert parsed.subjects[-1].label == "ÉDUCATION MUSICALE"


def test_a_file_without_header_is_read_in_gepi_column_order() -> None:
    # given the export with its header line removed, as GEPI asks
    export = sample_udt_export()
    data = write_udt(export, header=False)
    # when it is parsed
    # then the columns are taken in the documented order
    assert parse_udt(data, file_name=export.file) == export


def test_header_is_matched_without_case_accents_or_order() -> None:
    # given reordered columns with other spellings and an extra column
    header = "HEURE;Division;matiere;JOUR;Enseignant;Commentaire;FREQUENCE\r\n"
    data = _csv("8h00-9h50;4B;HG;mardi;ARNOUX L.;rien;A\r\n", header=header)
    # when it is parsed
    (lesson,) = parse_udt(data, file_name="udt.csv").lessons
    # then each cell lands in its field
    assert (lesson.day, lesson.start, lesson.end) == (2, datetime.time(8, 0), datetime.time(9, 50))
    assert (lesson.class_keys, lesson.subject_key, lesson.teacher_keys) == (("4B",), "HG", ("ARNOUX L.",))
    assert lesson.weeks.label == "A"
    assert not lesson.weeks.every_week
    assert lesson.weeks.weeks is None
    assert lesson.line == 2


def test_regroupement_lines_become_one_lesson() -> None:
    # given the two lines (4B and 4C) of one German lesson
    parsed = parse_udt(sample_udt_file()[1], file_name="udt.csv")
    german = [lesson for lesson in parsed.lessons if lesson.subject_key == "ALLEMAND LV1"]
    # then they are one lesson for both classes, and the regroupement knows both
    assert len(german) == 1
    assert german[0].class_keys == ("4B", "4C")
    assert german[0].line == 5
    assert parsed.groups[0].class_keys == ("4B", "4C")


def test_a_start_time_alone_gives_an_open_end() -> None:
    (lesson,) = parse_udt(_csv("Ve;8h00;6A;EPS;;;;;;;;\r\n"), file_name="udt.csv").lessons
    assert (lesson.day, lesson.start, lesson.end, lesson.duration_minutes) == (
        5,
        datetime.time(8, 0),
        None,
        None,
    )


def test_day_and_time_readers() -> None:
    assert [parse_day(value) for value in ("Lundi", "MARDI", "me", "Jeu.", "5", "dimanche", "Lun")] == [
        1,
        2,
        3,
        4,
        5,
        7,
        1,
    ]
    assert parse_day("Lundy") is None
    assert parse_time_range("08:30 – 10:20") == (datetime.time(8, 30), datetime.time(10, 20))
    with pytest.raises(ValueError, match="matin"):
        parse_time_range("matin")


# --- Rejections ---------------------------------------------------------------------------------------


def test_undecodable_bytes_are_rejected_with_their_line(rejected: Rejected) -> None:
    # given a line holding 0x81, valid neither in UTF-8 nor in Windows-1252
    data = _csv(GOOD_ROW) + b"Mardi;8h00;4B;MATHS\x81;;;;;;;;\r\n"
    # when it is parsed
    error = rejected(parse_udt, data, file_name="udt.csv", code="bad_encoding")
    # then the line is given
    assert error.line == 3


def test_binary_content_is_rejected(rejected: Rejected) -> None:
    rejected(parse_udt, b"Jour;Heure\r\n\x00\x01\x02", file_name="udt.csv", code="bad_encoding")


def test_missing_mandatory_columns_are_rejected(rejected: Rejected) -> None:
    # given a header without Jour nor Matière
    data = _csv(GOOD_ROW, header="Heure;Div;Professeur\r\n")
    # when it is parsed
    error = rejected(parse_udt, data, file_name="udt.csv", code="bad_csv_header")
    # then the missing columns are named
    assert error.line == 1
    assert "Jour" in error.reason
    assert "Matière" in error.reason


def test_files_that_are_not_a_udt_csv_are_rejected(rejected: Rejected) -> None:
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("UDCal_00.xml", "<init/>")
    rejected(parse_udt, b"", file_name="udt.csv", code="empty_file")
    rejected(parse_udt, b"une seule colonne\r\n", file_name="udt.csv", code="bad_csv_header")
    rejected(parse_udt, b"<?xml version='1.0'?><x/>", file_name="udt.csv", code="bad_csv_header")
    rejected(parse_udt, archive.getvalue(), file_name="udt.zip", code="bad_archive")


@pytest.mark.parametrize(
    ("row", "code", "column"),
    [
        ("Lundy;8h00 - 8h55;4B;MATHS;;;;;;;;\r\n", "bad_day", "Jour"),
        (";8h00 - 8h55;4B;MATHS;;;;;;;;\r\n", "missing_field", "Jour"),
        ("Lundi;huit heures;4B;MATHS;;;;;;;;\r\n", "bad_time", "Heure"),
        ("Lundi;9h00 - 8h00;4B;MATHS;;;;;;;;\r\n", "bad_time", "Heure"),
        ("Lundi;25h00 - 26h00;4B;MATHS;;;;;;;;\r\n", "bad_time", "Heure"),
        ("Lundi;8h00 - 8h55;4B;;;;;;;;;\r\n", "missing_field", "Matière"),
        ("Lundi;8h00 - 8h55;;MATHS;;;;;;;;\r\n", "missing_field", "Div"),
        ("Lundi;8h00 - 8h55;;MATHS;;;G1;4ALL1;;;;\r\n", "missing_field", "Div"),
        ("Lundi;8h00 - 8h55;4B;MATHS;;;;;douze;;;\r\n", "bad_value", "Eff"),
    ],
)
def test_bad_lines_are_rejected_with_line_and_column(
    rejected: Rejected, row: str, code: str, column: str
) -> None:
    # given a good first lesson, then a bad one on line 3
    data = _csv(GOOD_ROW, row)
    # when it is parsed
    error = rejected(parse_udt, data, file_name="g_edt_2.csv", code=code)
    # then file, line and column are reported
    assert (error.file, error.line, error.element) == ("g_edt_2.csv", 3, column)
    assert str(error).startswith("g_edt_2.csv, ligne 3 (")


def test_the_error_of_a_teacher_line_does_not_repeat_the_teacher() -> None:
    data = _csv("Lundi;9h00 - 8h00;4B;MATHS;ARNOUX L.;;;;;;;\r\n")
    with pytest.raises(TimetableImportError) as caught:
        parse_udt(data, file_name="udt.csv")
    assert "ARNOUX" not in str(caught.value)


def test_blank_lines_are_skipped_and_lines_keep_their_number() -> None:
    data = _csv("\r\n", ";;;;;;;;;;;\r\n", GOOD_ROW)
    (lesson,) = parse_udt(data, file_name="udt.csv").lessons
    assert lesson.line == 4
    assert dataclasses.replace(lesson, line=None) == lesson  # line is not part of equality


def test_utf8_with_bom_is_not_mistaken_for_windows_1252() -> None:
    data = codecs.BOM_UTF8 + (HEADER + "Lundi;8h00;4B;FRANÇAIS;;;;;;;;\r\n").encode("utf-8")
    assert parse_udt(data, file_name="udt.csv").lessons[0].subject_key == "FRANÇAIS"
