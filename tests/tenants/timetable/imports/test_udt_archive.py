"""UDT zip export (UDCal XML files): round trip, weeks from the weekly files, co-teaching, rejections."""

from __future__ import annotations

import datetime
import io
import zipfile
from collections.abc import Callable

from tenants.timetable.imports import PlacedLesson, TimetableImportError, TimetableSource, parse_udt
from tenants.timetable.imports.samples import sample_udt_archive_export, write_udt_archive

Rejected = Callable[..., TimetableImportError]


def _order(lessons: tuple[PlacedLesson, ...]) -> list[PlacedLesson]:
    return sorted(lessons, key=lambda lesson: (lesson.day, lesson.start, lesson.subject_key or ""))


def _members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def _edited(member: str, old: bytes, new: bytes) -> bytes:
    members = _members(write_udt_archive(sample_udt_archive_export()))
    assert old in members[member]
    members[member] = members[member].replace(old, new, 1)
    return _zip(members)


def test_the_archive_round_trips_with_weeks_groups_and_co_teaching() -> None:
    # given the sample written as a UDT zip: a theoretical week, four weekly files, one co-taught lesson
    export = sample_udt_archive_export()
    data = write_udt_archive(export)
    assert "UDCal_12_36.xml" in _members(data)

    # when it is parsed
    parsed = parse_udt(data, file_name=export.file)

    # then lessons and catalogues come back; the lessons of A and B weeks carry their weeks
    assert parsed.source is TimetableSource.UDT
    assert _order(parsed.lessons) == _order(export.lessons)
    assert (parsed.subjects, parsed.teachers, parsed.classes) == (
        export.subjects,
        export.teachers,
        export.classes,
    )
    assert (parsed.class_parts, parsed.groups, parsed.rooms) == (
        export.class_parts,
        export.groups,
        export.rooms,
    )
    assert parsed.first_week_start == datetime.date(2025, 9, 1)
    french = next(lesson for lesson in parsed.lessons if lesson.subject_key == "FRANÇAIS")
    assert french.weeks.weeks == frozenset({1, 3})  # ISO weeks 36 and 38
    assert (french.start, french.end) == (
        datetime.time(8, 55),
        datetime.time(10, 45),
    )  # two lines, one lesson
    maths = next(lesson for lesson in parsed.lessons if lesson.start == datetime.time(8, 0))
    assert maths.teacher_keys == ("ARNOUX L.", "BERTHIER O.")
    assert maths.weeks.every_week
    german = next(lesson for lesson in parsed.lessons if lesson.group_keys)
    assert german.class_keys == ("4B", "4C")  # one line per class, one lesson


def test_a_lesson_of_the_theoretical_week_is_every_week_even_when_weekly_files_repeat_it() -> None:
    # given a weekly file that repeats a lesson of the theoretical week
    members = _members(write_udt_archive(sample_udt_archive_export()))
    lines = members["UDCal_12.xml"].split(b"<ligfiche ")[1:]
    theoretical_line = next(line for line in lines if b'div="6A"' in line).split(b"/>")[0]
    members["UDCal_12_36.xml"] = members["UDCal_12_36.xml"].replace(
        b"</lignes>", b"<ligfiche " + theoretical_line + b"/></lignes>"
    )
    # when it is parsed, then that lesson is there once, every week
    parsed = parse_udt(_zip(members), file_name="udt.zip")
    assert len(parsed.lessons) == len(sample_udt_archive_export().lessons)
    assert sum(lesson.weeks.every_week for lesson in parsed.lessons) == 3


def test_a_missing_mandatory_file_is_named(rejected: Rejected) -> None:
    members = _members(write_udt_archive(sample_udt_archive_export()))
    del members["UDCal_11.xml"]
    error = rejected(parse_udt, _zip(members), file_name="udt.zip", code="bad_archive")
    assert "UDCal_11.xml" in error.reason


def test_broken_references_are_rejected_with_the_file_element_and_line(rejected: Rejected) -> None:
    # a line pointing to a fiche-T that does not exist
    error = rejected(
        parse_udt,
        _edited("UDCal_12.xml", b'fic="101"', b'fic="999"'),
        file_name="udt.zip",
        code="unknown_reference",
    )
    assert error.element == "UDCal_12.xml › ligfiche"
    assert error.line == 2
    assert "UDCal_11.xml" in error.reason
    # a teacher absent from UDCal_04.xml, a subject absent from UDCal_05.xml
    for member, old, new, named in (
        ("UDCal_12.xml", b'prof="ARNOUX L."', b'prof="INCONNU"', "UDCal_04.xml"),
        ("UDCal_12.xml", b'mat="MATHS"', b'mat="ASTRO"', "UDCal_05.xml"),
        ("UDCal_23.xml", b'prof="BERTHIER O."', b'prof="PERSONNE"', "UDCal_04.xml"),
        ("UDCal_11.xml", b'demi_seq="01"', b'demi_seq="42"', "UDCal_07.xml"),
    ):
        error = rejected(parse_udt, _edited(member, old, new), file_name="udt.zip", code="unknown_reference")
        assert named in error.reason
        assert error.element is not None
        assert error.element.startswith(member)


def test_bad_values_are_rejected(rejected: Rejected) -> None:
    rejected(
        parse_udt,
        _edited("UDCal_07.xml", b'hre_deb="08:00"', b'hre_deb="huit"'),
        file_name="u.zip",
        code="bad_time",
    )
    rejected(parse_udt, _edited("UDCal_11.xml", b'jour="1"', b'jour="9"'), file_name="u.zip", code="bad_day")
    rejected(
        parse_udt, _edited("UDCal_24.xml", b"01/09/2025", b"2025-09-01"), file_name="u.zip", code="bad_date"
    )
    rejected(
        parse_udt,
        _edited("UDCal_12.xml", b'code="00201"', b'code="A0201"'),
        file_name="u.zip",
        code="bad_value",
    )
    error = rejected(
        parse_udt, _edited("UDCal_08.xml", b"<div ", b"<div <"), file_name="u.zip", code="not_xml"
    )
    assert "UDCal_08.xml" in error.file


def test_weekly_files_without_the_first_week_are_rejected(rejected: Rejected) -> None:
    members = _members(write_udt_archive(sample_udt_archive_export()))
    del members["UDCal_00.xml"]
    error = rejected(parse_udt, _zip(members), file_name="udt.zip", code="missing_field")
    assert "premiere_semaine_ISO" in error.reason
