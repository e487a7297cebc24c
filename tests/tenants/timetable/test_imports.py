"""STS-Web, EDT and UDT imports into a school: API, page, task and CLI; transactional and idempotent."""

from __future__ import annotations

import argparse
import dataclasses
from datetime import time
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.core.exceptions import ImproperlyConfigured
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from pydantic import ValidationError

from mbn.audit.models import AuditEvent
from mbn.settings.env import Env
from mbn.settings.security import edt_private_key
from tenants.directory.models import (
    Mef,
    Person,
    Role,
    SchoolClass,
    Subject,
    TeachingGroup,
    TeachingService,
)
from tenants.timetable import import_services
from tenants.timetable.imports.samples import (
    envelope_encrypt,
    sample_edt_export,
    sample_sts_export,
    sample_udt_archive_export,
    sample_udt_export,
    write_edt,
    write_sts,
    write_udt,
    write_udt_archive,
)
from tenants.timetable.imports.sts import sts_file_name
from tenants.timetable.models import Course, ImportRun, ImportStatus, Lesson, Room, TimeSlot, WeekPattern
from tests.conftest import UAI_A, UAI_B
from tests.tenants.timetable.factories import person, sample_teachers, teacher_named

BASE = "/api/v1/timetable/imports"
TABLES = (Subject, Mef, SchoolClass, TeachingGroup, TeachingService, Person, Course, Lesson, Room, TimeSlot)


def _counts() -> dict[str, int]:
    counts = {model.__name__: model.objects.count() for model in (*TABLES, WeekPattern, AuditEvent)}
    counts["sts_ids"] = Person.objects.filter(sts_id__isnull=False).count()
    return counts


def _sts(uai: str = UAI_A, **options: Any) -> tuple[str, bytes]:
    return sts_file_name(uai, 2025), write_sts(sample_sts_export(uai, 2025), **options)


def _upload(client: Any, file_format: str, name: str, content: bytes) -> Any:
    return client.post(f"{BASE}/{file_format}", {"file": SimpleUploadedFile(name, content)})


def _udt_grid() -> None:
    """A school grid whose times match the UDT sample (55-minute slots)."""
    TimeSlot.objects.all().delete()
    starts = [(8, 0), (8, 55), (9, 50), (13, 30), (14, 25), (15, 30)]
    for day in range(5):
        for index, (hour, minute) in enumerate(starts):
            end = hour * 60 + minute + 55
            TimeSlot.objects.create(
                day=day, index=index, starts_at=time(hour, minute), ends_at=time(end // 60, end % 60)
            )


# ---- STS-Web -------------------------------------------------------------------------------------


def test_sts_import_seeds_structures_services_and_courses_then_a_second_import_changes_nothing(
    school_a: Any, api_as: Any
) -> None:
    # given the sample's teachers known by name, and the head
    with school_a.active():
        staff = sample_teachers()
    client = api_as(staff["direction"], school_a)
    name, content = _sts()

    # when the head imports the STS-Web file
    response = _upload(client, "sts", name, content)

    # then structures, services and courses exist, and teachers carry their STS id
    assert response.status_code == 200, response.content
    report = response.json()
    assert report["changed"] is True
    assert report["totals"]["created"] > 0
    with school_a.active():
        assert set(SchoolClass.objects.values_list("code", flat=True)) >= {"4B", "4C", "6A"}
        assert SchoolClass.objects.filter(code="4B", mef__code="10110001110").exists()
        group = TeachingGroup.objects.get(code="4ALL1")
        assert {c.code for c in group.classes.all()} == {"4B", "4C"}
        assert Subject.objects.get(code="061300").management_code == "MATHS"
        assert Person.objects.get(pk=staff["arnoux"].pk).sts_id == "4242"
        assert Person.objects.get(pk=staff["delorme"].pk).sts_id == "9001"
        assert TeachingService.objects.filter(teacher=staff["arnoux"]).count() == 2
        assert Course.objects.filter(source="sts").count() == 6
        # every sample teacher has several services: weekly hours unknown, left for the school
        assert set(Course.objects.filter(source="sts").values_list("sessions_per_week", flat=True)) == {0}
        assert AuditEvent.objects.filter(action="timetable.sts_imported").count() == 1
        before = _counts()
    # the head (DIR) and the teacher on leave are not invented as accounts
    assert report["unmatched_teachers"] == []
    assert any("sans volume horaire" in warning for warning in report["warnings"])

    # when the same file is imported again
    again = _upload(client, "sts", name, content)

    # then nothing changes and the report says so
    assert again.status_code == 200
    assert again.json()["changed"] is False
    assert again.json()["summary"].startswith("Aucun changement")
    with school_a.active():
        assert _counts() == before


def test_sts_unmatched_teacher_is_reported_never_invented(school_a: Any, api_as: Any) -> None:
    # given only two of the three teachers have an account here
    with school_a.active():
        teacher_named("Lucien", "Arnoux")
        teacher_named("Odile", "Berthier")
        head = person(Role.DIRECTION)
        people = Person.objects.count()

    # when the STS file is imported
    report = _upload(api_as(head, school_a), "sts", *_sts()).json()

    # then Delorme is listed, no person is created, and her courses wait for a teacher
    assert report["unmatched_teachers"] == ["Mme DELORME Élodie (STS 9001)"]
    with school_a.active():
        assert Person.objects.count() == people
        german = Course.objects.get(source="sts", groups__code="4ALL1")
        assert list(german.teachers.all()) == []


def test_sts_one_service_teacher_gets_the_discipline_hours(school_a: Any) -> None:
    # given a file where Arnoux has one service only, and 18 h of mathematics
    with school_a.active():
        staff = sample_teachers()
        export = sample_sts_export(UAI_A, 2025)
        services = [s for s in export.services if not (s.teacher_id == "4242" and s.structure_code == "4C")]
        content = write_sts(export, services=services)

        # when it is imported
        import_services.sts_import(
            actor=staff["direction"], data=content, file_name=sts_file_name(UAI_A, 2025)
        )

        # then his course has 18 weekly sessions, the others are left to complete
        maths = Course.objects.get(source="sts", subject__code="061300")
        assert maths.sessions_per_week == 18
        assert list(maths.teachers.all()) == [staff["arnoux"]]


# ---- EDT -----------------------------------------------------------------------------------------


def test_edt_import_places_lessons_with_the_files_grid_and_is_idempotent(school_a: Any, api_as: Any) -> None:
    # given structures from STS
    with school_a.active():
        staff = sample_teachers()
        import_services.sts_import(actor=staff["direction"], data=_sts()[1], file_name=_sts()[0])
        export = sample_edt_export(UAI_A)
    client = api_as(staff["direction"], school_a)

    # when the EDT export is imported
    response = _upload(client, "edt", export.file, write_edt(export))

    # then its five lessons are placed on the EDT grid, with rooms and week patterns
    assert response.status_code == 200, response.content
    report = response.json()
    assert report["created"]["lessons"] == 5
    assert report["created"]["rooms"] == 3
    with school_a.active():
        lessons = Lesson.objects.filter(source="edt").select_related(
            "course__subject", "room", "week_pattern"
        )
        assert lessons.count() == 5
        monday_first = lessons.get(day=0, slot=0)
        assert monday_first.course.subject.code == "061300"
        assert monday_first.room is not None
        assert monday_first.room.name == "Salle 12"
        assert list(monday_first.course.teachers.all()) == [staff["arnoux"]]
        # the STS course of maths in 4B (Arnoux) is reused for the 1-slot weekly lesson
        assert monday_first.course.source == "sts"
        assert TimeSlot.objects.get(day=0, index=1).starts_at == time(8, 55)
        french = lessons.get(course__subject__code="020100")
        assert french.course.duration == 2
        assert french.week_pattern.kind == "custom"
        assert TeachingGroup.objects.filter(code="4B groupe 1").exists()  # class part created
        co_taught = lessons.get(day=3)
        assert set(co_taught.course.teachers.all()) == {staff["arnoux"], staff["delorme"]}
        before = _counts()

    # when the same file is imported again, nothing changes
    again = _upload(client, "edt", export.file, write_edt(export))
    assert again.status_code == 200
    assert again.json()["changed"] is False
    with school_a.active():
        assert _counts() == before

    # when a lesson moves in the source, only that lesson changes
    moved = dataclasses.replace(
        export, lessons=(dataclasses.replace(export.lessons[0], room_keys=("S14",)), *export.lessons[1:])
    )
    third = _upload(client, "edt", export.file, write_edt(moved)).json()
    assert third["updated"]["lessons"] == 1
    assert third["unchanged"]["lessons"] == 4


def test_edt_refused_when_grid_would_move_lessons_placed_otherwise(school_a: Any) -> None:
    # given a lesson placed by hand on the default grid
    with school_a.active():
        staff = sample_teachers()
        import_services.sts_import(actor=staff["direction"], data=_sts()[1], file_name=_sts()[0])
        course = Course.objects.filter(source="sts").first()
        assert course is not None
        Lesson.objects.create(course=course, session=0, day=0, slot=0, week_pattern=course.week_pattern)
        before = _counts()
        export = sample_edt_export(UAI_A)

        # when the EDT file (another grid) is imported, then it is refused and nothing is written
        with pytest.raises(import_services.ImportRefused) as refused:
            import_services.edt_import(
                actor=staff["direction"], data=write_edt(export), file_name=export.file
            )
        assert refused.value.code == "grid_conflict"
        assert "grille horaire" in refused.value.message
        assert _counts() == before


# ---- EDT envelope (the encrypted file EDT drops for the ENT) ------------------------------------

PARTNER = "MBN"


@pytest.fixture(scope="module")
def edt_key() -> dict[str, bytes]:
    """The platform's EDT key pair for these tests (RSA 2048): private and public PEM."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return {
        "private": key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ),
        "public": key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        ),
    }


def _envelope(public_pem: bytes, uai: str = UAI_A, partner: str = PARTNER) -> tuple[str, bytes]:
    xml = write_edt(sample_edt_export(uai))
    return f"ExportEDT_{uai}.xml", envelope_encrypt(xml, partners={partner: public_pem}, uai=uai)


def _lesson_rows() -> list[tuple[Any, ...]]:
    """What a placed lesson is, independently of ids: subject, teachers, cell, room, weeks."""
    return sorted(
        (
            lesson.course.subject.code,
            tuple(sorted(t.pk for t in lesson.course.teachers.all())),
            lesson.day,
            lesson.slot,
            lesson.course.duration,
            lesson.room.name if lesson.room else None,
            tuple(sorted(lesson.week_pattern.iso_weeks or ())),
        )
        for lesson in Lesson.objects.filter(source="edt").select_related(
            "course__subject", "room", "week_pattern"
        )
    )


def test_edt_envelope_import_writes_the_same_lessons_as_the_decrypted_xml(
    school_a: Any, api_as: Any, edt_key: dict[str, bytes]
) -> None:
    # given structures from STS, and the platform holding its EDT key
    with school_a.active():
        staff = sample_teachers()
        import_services.sts_import(actor=staff["direction"], data=_sts()[1], file_name=_sts()[0])
    client = api_as(staff["direction"], school_a)
    name, envelope = _envelope(edt_key["public"])
    with override_settings(MBN_EDT_PARTNER_NAME=PARTNER, MBN_EDT_PRIVATE_KEY=edt_key["private"]):
        # when the head uploads the encrypted file as EDT dropped it
        response = _upload(client, "edt", name, envelope)

        # then the five lessons of the sample are placed
        assert response.status_code == 200, response.content
        assert response.json()["file_name"] == name
        assert response.json()["created"]["lessons"] == 5
        with school_a.active():
            placed = _lesson_rows()
            before = _counts()
        assert len(placed) == 5

        # and the decrypted XML of the same timetable is exactly what is already there
        export = sample_edt_export(UAI_A)
        again = _upload(client, "edt", export.file, write_edt(export))
    assert again.status_code == 200
    assert again.json()["changed"] is False
    with school_a.active():
        assert _counts() == before
        assert _lesson_rows() == placed


def test_large_edt_envelope_is_decrypted_by_the_import_task(
    school_a: Any,
    api_as: Any,
    edt_key: dict[str, bytes],
    monkeypatch: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    # given every file counts as large, and the platform holds its EDT key
    monkeypatch.setattr(import_services, "SYNC_LIMIT_BYTES", 0)
    with school_a.active():
        staff = sample_teachers()
        import_services.sts_import(actor=staff["direction"], data=_sts()[1], file_name=_sts()[0])
    with (
        override_settings(MBN_EDT_PARTNER_NAME=PARTNER, MBN_EDT_PRIVATE_KEY=edt_key["private"]),
        django_capture_on_commit_callbacks(execute=True),
    ):
        # when the envelope is uploaded
        response = _upload(api_as(staff["direction"], school_a), "edt", *_envelope(edt_key["public"]))

    # then the task opened it and placed the lessons, keeping no copy of the file
    assert response.status_code == 202, response.content
    with school_a.active():
        run = ImportRun.objects.get()
        assert run.status == ImportStatus.DONE, run.error
        assert run.content is None
        assert Lesson.objects.filter(source="edt").count() == 5


def _envelope_refusals() -> list[tuple[str, bool, Any]]:
    """(expected code, platform has the key, envelope from the public key)."""
    return [
        ("edt_key_not_configured", False, lambda public: _envelope(public)),
        ("partner_key_missing", True, lambda public: _envelope(public, partner="NEO-Open")),
        ("uai_mismatch", True, lambda public: _envelope(public, uai=UAI_B)),
        ("uai_mismatch", False, lambda public: _envelope(public, uai=UAI_B)),  # before any key is needed
    ]


@pytest.mark.parametrize(("code", "key_configured", "envelope"), _envelope_refusals())
def test_refused_edt_envelope_leaves_the_school_unchanged(
    school_a: Any, api_as: Any, edt_key: dict[str, bytes], code: str, key_configured: bool, envelope: Any
) -> None:
    # given a school with its STS structures
    with school_a.active():
        staff = sample_teachers()
        import_services.sts_import(actor=staff["direction"], data=_sts()[1], file_name=_sts()[0])
        before = _counts()
    name, content = envelope(edt_key["public"])
    private = edt_key["private"] if key_configured else None

    # when the envelope is uploaded
    with override_settings(MBN_EDT_PARTNER_NAME=PARTNER, MBN_EDT_PRIVATE_KEY=private):
        response = _upload(api_as(staff["direction"], school_a), "edt", name, content)

    # then it is refused with its code, naming the uploaded file and the envelope element, and
    # nothing is written
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == code
    assert body["file"] == name
    assert body["element"].startswith("EXPORT_INDEX_EDUCATION")
    assert name in body["message"]
    with school_a.active():
        assert _counts() == before


def _env(monkeypatch: Any, **variables: str) -> Env:
    """The settings' environment with these variables set (and the EDT ones otherwise unset)."""
    for name in ("MBN_EDT_PARTNER_NAME", "MBN_EDT_PRIVATE_KEY", "MBN_EDT_PRIVATE_KEY_FILE"):
        monkeypatch.delenv(name, raising=False)
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    return Env()


def test_the_platforms_edt_key_is_read_from_the_environment_and_checked(
    edt_key: dict[str, bytes], tmp_path: Path, monkeypatch: Any
) -> None:
    pem = edt_key["private"]
    path = tmp_path / "edt.key"
    path.write_bytes(pem)
    # given the key as PEM text (also on one line with \n), or as a file, or nothing
    one_line = pem.decode().strip().replace("\n", "\\n")
    assert "\n" not in one_line
    # then the settings hold the PEM, and envelopes stay refused without a key
    assert edt_private_key(_env(monkeypatch, MBN_EDT_PRIVATE_KEY=pem.decode())) == pem.strip()
    assert edt_private_key(_env(monkeypatch, MBN_EDT_PRIVATE_KEY=one_line)) == pem.strip()
    assert edt_private_key(_env(monkeypatch, MBN_EDT_PRIVATE_KEY_FILE=str(path))) == pem
    empty = _env(monkeypatch, MBN_EDT_PRIVATE_KEY="", MBN_EDT_PRIVATE_KEY_FILE="")
    assert edt_private_key(empty) is None
    assert empty.MBN_EDT_PARTNER_NAME == "MBN"
    # and a bad value stops start-up, naming the variable
    public_only = tmp_path / "edt.pub"
    public_only.write_bytes(edt_key["public"])
    for variables in (
        {"MBN_EDT_PRIVATE_KEY_FILE": str(public_only)},
        {"MBN_EDT_PRIVATE_KEY_FILE": str(tmp_path / "absent.key")},
        {"MBN_EDT_PRIVATE_KEY": "-----BEGIN PRIVATE KEY-----"},
    ):
        ((variable, _),) = variables.items()
        with pytest.raises(ImproperlyConfigured, match=variable):
            edt_private_key(_env(monkeypatch, **variables))
    with pytest.raises(ValidationError, match="not both"):
        _env(monkeypatch, MBN_EDT_PRIVATE_KEY=pem.decode(), MBN_EDT_PRIVATE_KEY_FILE=str(path))
    with pytest.raises(ValidationError, match="MBN_EDT_PARTNER_NAME"):
        _env(monkeypatch, MBN_EDT_PARTNER_NAME="  ")


# ---- UDT -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("archive", [False, True], ids=["csv", "zip-of-udcal-files"])
def test_udt_import_places_lessons_on_the_schools_grid_and_is_idempotent(
    school_a: Any, api_as: Any, archive: bool
) -> None:
    # given STS structures and a grid matching the UDT times
    with school_a.active():
        staff = sample_teachers()
        import_services.sts_import(actor=staff["direction"], data=_sts()[1], file_name=_sts()[0])
        _udt_grid()
    export = sample_udt_archive_export() if archive else sample_udt_export()
    write = write_udt_archive if archive else write_udt
    known = dataclasses.replace(export, lessons=export.lessons[:4])  # without the unknown music teacher
    client = api_as(staff["direction"], school_a)

    # when the UDT export is imported
    response = _upload(client, "udt", export.file, write(known))

    # then four lessons are placed: A weeks are the school's pattern A (CSV) or the ISO weeks of the
    # weekly files (zip); the zip's co-teacher teaches the first maths lesson too
    assert response.status_code == 200, response.content
    assert response.json()["created"]["lessons"] == 4
    with school_a.active():
        french = Lesson.objects.get(source="udt", course__subject__code="020100")
        assert (french.day, french.slot, french.course.duration) == (0, 1, 2)
        if archive:
            assert sorted(french.week_pattern.iso_weeks) == [36, 38]
        else:
            assert french.week_pattern.code == "A"
        german = Lesson.objects.get(source="udt", course__subject__code="030602")
        assert [g.code for g in german.course.groups.all()] == ["4ALL1"]
        assert list(german.course.classes.all()) == []
        assert list(german.course.teachers.all()) == [staff["delorme"]]
        maths = Lesson.objects.get(source="udt", course__subject__code="061300", slot=0)
        co_teacher = {staff["berthier"]} if archive else set()
        assert set(maths.course.teachers.all()) == {staff["arnoux"], *co_teacher}
        before = _counts()

    # a second identical import changes nothing
    again = _upload(client, "udt", export.file, write(known))
    assert again.json()["changed"] is False
    with school_a.active():
        assert _counts() == before


# ---- refusals: nothing written -------------------------------------------------------------------


def _refusal_cases() -> list[tuple[str, str, str, Any]]:
    udt = sample_udt_export()
    return [
        ("sts", "sts_emp_0570613G_2025.xml", "not_xml", lambda: b"<STS_EDT><PARAMETRES>"),
        ("sts", "sts_emp_0570613G_2025.xml", "empty_file", lambda: b""),
        ("sts", "sts_emp_0573458Z_2025.xml", "uai_mismatch", lambda: _sts(UAI_B)[1]),
        ("sts", "sts_emp_0570613G_2025.xml", "not_sts_web", lambda: _sts(application_source=True)[1]),
        ("edt", "edt.xml", "wrong_root", lambda: b"<?xml version='1.0'?><STS_EDT/>"),
        ("edt", "edt.xml", "uai_mismatch", lambda: write_edt(sample_edt_export(UAI_B))),
        ("udt", "udt.csv", "bad_csv_header", lambda: b"a;b;c\r\n1;2;3\r\n"),
        ("udt", "udt.csv", "unknown_reference", lambda: write_udt(udt)),  # music teacher and subject
        ("udt", "udt.zip", "unknown_reference", lambda: write_udt_archive(sample_udt_archive_export())),
    ]


@pytest.mark.parametrize(("file_format", "name", "code", "content"), _refusal_cases())
def test_malformed_or_unknown_file_is_refused_with_where_and_why_and_nothing_written(
    school_a: Any, api_as: Any, file_format: str, name: str, code: str, content: Any
) -> None:
    # given a school with its STS structures and the UDT grid
    with school_a.active():
        staff = sample_teachers()
        import_services.sts_import(actor=staff["direction"], data=_sts()[1], file_name=_sts()[0])
        _udt_grid()
        before = _counts()

    # when a bad file is uploaded
    response = _upload(api_as(staff["direction"], school_a), file_format, name, content())

    # then it is refused with its code, a French message and the file, and nothing is written
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == code
    assert body["file"] == name
    assert name in body["message"]
    with school_a.active():
        assert _counts() == before


def test_unknown_reference_lists_what_is_missing(school_a: Any) -> None:
    # given STS structures, when the UDT file names a teacher and a subject the school lacks
    with school_a.active():
        staff = sample_teachers()
        import_services.sts_import(actor=staff["direction"], data=_sts()[1], file_name=_sts()[0])
        _udt_grid()
        with pytest.raises(import_services.ImportRefused) as refused:
            import_services.udt_import(
                actor=None, data=write_udt(sample_udt_export()), file_name="g_edt_2.csv"
            )
    # then both are named, with the line of the first
    assert "FÉRAUD J." in refused.value.message
    assert "ÉDUCATION MUSICALE" in refused.value.message
    assert refused.value.line is not None


# ---- roles and schools ---------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.TEACHER, Role.STUDENT, Role.GUARDIAN, Role.VIE_SCOLAIRE])
def test_only_direction_and_ent_admin_may_import(school_a: Any, api_as: Any, role: str) -> None:
    # given someone who does not build the timetable
    with school_a.active():
        someone = person(role)
        before = _counts()

    # when they upload a file, then it is refused and nothing is written
    response = _upload(api_as(someone, school_a), "sts", *_sts())
    assert response.status_code == 403
    assert api_as(someone, school_a).get("/emploi-du-temps/import/").status_code == 404
    with school_a.active():
        assert _counts() == before


def test_ent_admin_may_import(school_a: Any, api_as: Any) -> None:
    with school_a.active():
        admin = person(Role.SCHOOL_ADMIN)
    assert _upload(api_as(admin, school_a), "sts", *_sts()).status_code == 200


def test_school_as_import_is_invisible_in_school_b_and_bs_file_is_refused_in_a(
    school_a: Any, school_b: Any, api_as: Any
) -> None:
    # given an import in school A
    with school_a.active():
        staff = sample_teachers()
    with school_b.active():
        head_b = person(Role.DIRECTION)
        b_before = _counts()
    assert _upload(api_as(staff["direction"], school_a), "sts", *_sts()).status_code == 200

    # then school B has none of it
    with school_b.active():
        assert _counts() == b_before
        assert not SchoolClass.objects.filter(code="4B").exists()
    with school_a.active():
        assert SchoolClass.objects.filter(code="4B").exists()
    # and B cannot import A's file (the UAI in the file is A's)
    refused = _upload(api_as(head_b, school_b), "sts", *_sts())
    assert refused.status_code == 400
    assert refused.json()["code"] == "uai_mismatch"
    # nor can A's head import on B's host
    assert _upload(api_as(staff["direction"], school_b), "sts", *_sts(UAI_B)).status_code in (403, 404)


# ---- large files: task with progress -------------------------------------------------------------


def test_large_file_runs_as_a_task_with_a_progress_page(
    school_a: Any, school_b: Any, api_as: Any, monkeypatch: Any, django_capture_on_commit_callbacks: Any
) -> None:
    # given files count as large from one byte
    monkeypatch.setattr(import_services, "SYNC_LIMIT_BYTES", 0)
    with school_a.active():
        staff = sample_teachers()
    client = api_as(staff["direction"], school_a)

    # when the head uploads through the page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/emploi-du-temps/import/", {"format": "sts", "fichier": SimpleUploadedFile(*_sts())}
        )

    # then the page follows the run, which is done with its report
    assert response.status_code == 302
    with school_a.active():
        run = ImportRun.objects.get()
        assert run.status == ImportStatus.DONE
        assert run.content is None
        assert SchoolClass.objects.filter(code="4B").exists()
    page = client.get(response["Location"]).content.decode()
    assert "Rapport d'import" in page
    fragment = client.get(response["Location"], HTTP_HX_REQUEST="true").content.decode()
    assert "hx-trigger" not in fragment  # finished: no more polling
    assert client.get(f"{BASE}/runs/{run.pk}").json()["status"] == "done"
    # a run of A is not found from B
    with school_b.active():
        head_b = person(Role.DIRECTION)
    assert api_as(head_b, school_b).get(f"{BASE}/runs/{run.pk}").status_code == 404


def test_api_large_file_returns_202_with_the_run(
    school_a: Any, api_as: Any, monkeypatch: Any, django_capture_on_commit_callbacks: Any
) -> None:
    monkeypatch.setattr(import_services, "SYNC_LIMIT_BYTES", 0)
    with school_a.active():
        head = person(Role.DIRECTION)
    with django_capture_on_commit_callbacks(execute=True):
        response = _upload(api_as(head, school_a), "sts", *_sts(UAI_B))
    assert response.status_code == 202
    body = response.json()
    assert body["status"] in ("queued", "refused")
    with school_a.active():
        run = ImportRun.objects.get()
        assert run.status == ImportStatus.REFUSED
        assert run.error is not None
        assert run.error["code"] == "uai_mismatch"


# ---- page ----------------------------------------------------------------------------------------


def test_import_page_uploads_and_shows_the_report_or_the_refusal(school_a: Any, api_as: Any) -> None:
    with school_a.active():
        staff = sample_teachers()
    client = api_as(staff["direction"], school_a)

    # the form is labelled and in French
    form = client.get("/emploi-du-temps/import/").content.decode()
    assert '<label for="id_fichier">Fichier</label>' in form
    assert 'enctype="multipart/form-data"' in form
    assert "<legend>Type de fichier</legend>" in form

    # a good file shows its report
    page = client.post("/emploi-du-temps/import/", {"format": "sts", "fichier": SimpleUploadedFile(*_sts())})
    assert page.status_code == 200
    html = page.content.decode()
    assert "Rapport d'import" in html
    assert "classes" in html

    # a bad one shows where and why, as an alert
    bad = client.post(
        "/emploi-du-temps/import/",
        {"format": "sts", "fichier": SimpleUploadedFile("sts_emp_0570613G_2025.xml", b"<STS_EDT>")},
    )
    assert bad.status_code == 400
    text = bad.content.decode()
    assert 'role="alert"' in text
    assert "Import refusé : rien n'a été modifié." in text
    assert "not_xml" in text


# ---- CLI -----------------------------------------------------------------------------------------


def test_cli_imports_into_the_named_school(school_a: Any, school_b: Any, tmp_path: Path) -> None:
    from mbn.cli.timetable import timetable_import

    with school_a.active():
        sample_teachers()
    name, content = _sts()
    path = tmp_path / name
    path.write_bytes(content)
    args = argparse.Namespace(school=UAI_A, sts=path, edt=None, udt=None, json=True)
    assert timetable_import(args) == 0
    with school_a.active():
        assert SchoolClass.objects.filter(code="4B").exists()
    with school_b.active():
        assert not SchoolClass.objects.filter(code="4B").exists()
    refused = argparse.Namespace(school=UAI_B, sts=path, edt=None, udt=None, json=False)
    assert timetable_import(refused) == 2
