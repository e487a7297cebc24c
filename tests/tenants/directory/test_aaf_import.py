"""AAF import into accounts and both fixture schools, from generated exports (directory/aaf_import.py)."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest
import time_machine

from shared.accounts.models import Account, SchoolAccess
from shared.directory_feed.models import AafRecordState
from tenants.directory.aaf_import import AafImportRejected, ImportReport, aaf_import
from tenants.directory.imports.aaf_generator import GeneratedExport, generate, generate_delta
from tenants.directory.models import (
    ClassMembership,
    GroupMembership,
    GuardianKind,
    Guardianship,
    Person,
    Role,
    SchoolClass,
    Subject,
    TeachingService,
)
from tests.conftest import UAI_A, UAI_B, SchoolHandle

PEOPLE = 120
SEED = 5
ACADEMIE = "NANCY-METZ"  # both fixture schools are in Moselle


def _uais(school_a: SchoolHandle, school_b: SchoolHandle) -> list[str]:
    return [UAI_A, UAI_B]


def _region(
    tmp_path: Path, school_a: SchoolHandle, school_b: SchoolHandle, **options: Any
) -> GeneratedExport:
    return generate(tmp_path / "complet", people=PEOPLE, seed=SEED, uais=_uais(school_a, school_b), **options)


def _account(jointure: str) -> Account:
    return Account.objects.get(aaf_jointure=f"{ACADEMIE}-{jointure}")


def _person(school: SchoolHandle, account: Account) -> Person | None:
    with school.active():
        return Person.objects.filter(account_id=account.pk).first()


def _row_counts(*schools: SchoolHandle) -> dict[str, int]:
    counts = {
        "accounts": Account.objects.count(),
        "accesses": SchoolAccess.objects.count(),
        "states": AafRecordState.objects.count(),
    }
    for school in schools:
        with school.active():
            for model in (
                Person,
                SchoolClass,
                Subject,
                ClassMembership,
                GroupMembership,
                Guardianship,
                TeachingService,
            ):
                counts[f"{school.schema_name}.{model.__name__}"] = model.objects.count()
    return counts


def test_generated_region_imports_into_both_schools(
    tmp_path: Path, school_a: SchoolHandle, school_b: SchoolHandle
) -> None:
    # given a generated full export for the two schools
    export = _region(tmp_path, school_a, school_b)

    # when it is imported
    report = aaf_import(export.out_dir)

    # then every person has one account, pupils sit in classes, teachers have services
    assert report.rejection is None
    assert report.counts["created"] == export.people
    assert Account.objects.filter(aaf_jointure__startswith=f"{ACADEMIE}-").count() == export.people
    for school in (school_a, school_b):
        with school.active():
            assert Person.objects.filter(roles__contains=[Role.STUDENT]).count() > 0
            assert (
                ClassMembership.objects.count()
                == Person.objects.filter(roles__contains=[Role.STUDENT]).count()
            )
            assert Guardianship.objects.filter(has_parental_rights=True).exists()
            assert TeachingService.objects.exists()
            assert Subject.objects.filter(code="061300").exists()
    assert report.as_dict()["counts"]["rejected"] == 0


def test_second_identical_run_changes_nothing_and_says_so(
    tmp_path: Path, school_a: SchoolHandle, school_b: SchoolHandle
) -> None:
    # given a region imported once
    export = _region(tmp_path, school_a, school_b)
    aaf_import(export.out_dir)
    before = _row_counts(school_a, school_b)

    # when the same files are imported again
    report = aaf_import(export.out_dir)

    # then nothing changed and the report says every record is unchanged
    assert report.counts["unchanged"] == export.people
    assert report.changes == 0
    assert report.totals()["created"] == report.totals()["updated"] == 0
    assert _row_counts(school_a, school_b) == before


def test_parent_with_children_in_both_schools_has_one_account_and_a_person_in_each(
    tmp_path: Path, school_a: SchoolHandle, school_b: SchoolHandle
) -> None:
    # given a region where some siblings attend both schools
    export = _region(tmp_path, school_a, school_b)
    assert export.sample_multi_school_guardian is not None

    # when imported
    aaf_import(export.out_dir)

    # then the parent is one account, a guardian in each school, linked to the child there
    parent = _account(export.sample_multi_school_guardian)
    for school in (school_a, school_b):
        person = _person(school, parent)
        assert person is not None
        assert Role.GUARDIAN in person.roles
        with school.active():
            links = Guardianship.objects.filter(guardian=person)
            assert links.count() >= 1
            assert {link.kind for link in links} <= {
                GuardianKind.LEGAL_1,
                GuardianKind.LEGAL_2,
                GuardianKind.CONTACT,
            }
    assert SchoolAccess.objects.filter(account=parent).count() == 2


def test_teacher_in_both_schools_is_one_account_with_services_per_school(
    tmp_path: Path, school_a: SchoolHandle, school_b: SchoolHandle
) -> None:
    # given a region with a teacher in the two schools
    export = _region(tmp_path, school_a, school_b)
    assert export.sample_multi_school_teacher is not None

    # when imported
    aaf_import(export.out_dir)

    # then one account, a teacher in each school with that school's services only
    teacher = _account(export.sample_multi_school_teacher)
    for school in (school_a, school_b):
        person = _person(school, teacher)
        assert person is not None
        assert Role.TEACHER in person.roles
        with school.active():
            assert TeachingService.objects.filter(teacher=person).exists()


def test_pupil_moving_school_keeps_account_and_leaves_old_school(
    tmp_path: Path, school_a: SchoolHandle, school_b: SchoolHandle
) -> None:
    # given a region imported, then a delta moving one pupil to the other school
    export = _region(tmp_path, school_a, school_b)
    aaf_import(export.out_dir)
    delta = generate_delta(
        tmp_path / "delta",
        people=PEOPLE,
        seed=SEED,
        uais=_uais(school_a, school_b),
        modifications=2,
        deletions=1,
    )
    (jointure, from_uai, to_uai), *_ = delta.moved_students
    account = _account(jointure)
    schools = {UAI_A: school_a, UAI_B: school_b}
    old, new = schools[from_uai], schools[to_uai]
    with old.active():
        guardians_before = Guardianship.objects.filter(student__account_id=account.pk).count()

    # when the delta is imported
    report = aaf_import(tmp_path / "delta")

    # then same account, active in the new school with a class and its parents, ended in the old one
    assert report.rejection is None
    assert report.is_delta
    assert _account(jointure).pk == account.pk
    moved = _person(new, account)
    assert moved is not None
    assert moved.is_active
    with new.active():
        assert ClassMembership.objects.filter(student=moved).exists()
        assert Guardianship.objects.filter(student=moved).count() == guardians_before
    left = _person(old, account)
    assert left is not None
    assert not left.is_active
    assert left.left_on is not None
    with old.active():
        assert not ClassMembership.objects.filter(student=left).exists()
    assert list(SchoolAccess.objects.filter(account=account).values_list("school_id", flat=True)) == [
        new.school.pk
    ]


def test_missing_people_are_marked_then_removed_after_the_grace_period(
    tmp_path: Path, school_a: SchoolHandle, school_b: SchoolHandle, settings: Any
) -> None:
    # given a region imported on 1 September, and a smaller export of the same seed later
    settings.MBN_AAF_DELETION_GRACE_DAYS = 30
    settings.MBN_AAF_MASS_CHANGE_RATIO = 1.0  # this test removes a quarter of the people on purpose
    uais = _uais(school_a, school_b)
    with time_machine.travel(datetime.datetime(2025, 9, 1, 8, tzinfo=datetime.UTC), tick=False):
        aaf_import(generate(tmp_path / "big", people=PEOPLE, seed=SEED, uais=uais).out_dir)
    smaller = generate(tmp_path / "small", people=PEOPLE - 30, seed=SEED, uais=uais)
    gone = AafRecordState.objects.filter(academie=ACADEMIE, kind="Eleve").order_by("-jointure").first()
    assert gone is not None
    assert gone.account_id is not None

    # when the smaller export runs (step 1), then again after the grace period (step 2)
    with time_machine.travel(datetime.datetime(2025, 9, 2, 8, tzinfo=datetime.UTC), tick=False):
        first = aaf_import(smaller.out_dir)
    school = school_a if school_a.school.pk in gone.school_ids else school_b
    marked = _person(school, Account.objects.get(pk=gone.account_id))
    with time_machine.travel(datetime.datetime(2025, 10, 10, 8, tzinfo=datetime.UTC), tick=False):
        second = aaf_import(smaller.out_dir)
    removed = _person(school, Account.objects.get(pk=gone.account_id))

    # then marked first (still active, out of class), removed only after the delay
    assert first.counts["marked"] > 0
    assert first.counts["removed"] == 0
    assert marked is not None
    assert marked.is_active
    assert marked.marked_for_deletion_at is not None
    with school.active():
        assert not ClassMembership.objects.filter(student=marked).exists()
    assert second.counts["removed"] == first.counts["marked"]
    assert removed is not None
    assert not removed.is_active
    assert not AafRecordState.objects.filter(pk=gone.pk).exists()


def test_ine_seen_under_a_new_jointure_is_merged_into_the_same_account(
    tmp_path: Path, school_a: SchoolHandle, school_b: SchoolHandle
) -> None:
    # given a region imported, then the same pupil sent by another académie feed under a new jointure
    export = _region(tmp_path, school_a, school_b)
    aaf_import(export.out_dir)
    pupil = AafRecordState.objects.filter(academie=ACADEMIE, kind="Eleve").order_by("jointure").first()
    assert pupil is not None
    assert pupil.account_id is not None
    account = Account.objects.get(pk=pupil.account_id)
    source = next((export.out_dir / ACADEMIE).glob("*_Eleve_0000.xml")).read_text()
    start = source.index(f"<identifier><id>{pupil.jointure}</id>")
    start = source.rindex("<addRequest>", 0, start)
    request = source[start : source.index("</addRequest>", start) + len("</addRequest>")]
    moved = request.replace(pupil.jointure, "39999999")
    folder = tmp_path / "autre"
    folder.mkdir()
    for path in (export.out_dir / ACADEMIE).glob("*.xml"):
        text = path.read_text()
        if path.name.endswith("_Eleve_0000.xml"):
            text = text.replace("</ficAlimMENESR>", moved + "\n</ficAlimMENESR>")
        (folder / path.name).write_text(text)

    # when imported
    report = aaf_import(folder)

    # then one account for both jointures (and no second Person)
    assert report.counts["merged"] == 1
    state = AafRecordState.objects.get(academie=ACADEMIE, kind="Eleve", jointure="39999999")
    assert state.account_id == account.pk
    assert Account.objects.filter(ine=account.ine).count() == 1


MALFORMED = {
    "not_xml": lambda text: text.replace("</ficAlimMENESR>", "<addRequest>"),
    "wrong_root": lambda text: text.replace("ficAlimMENESR>", "autreRacine>"),
    "missing_attribute": lambda text: text.replace('<attr name="sn">', '<attr name="snx">', 1),
    "unknown_class": lambda text: (
        text.replace("$6A</value>", "$6ZZ</value>", 1)
        .replace("$5A</value>", "$5ZZ</value>", 1)
        .replace("$2ND1</value>", "$2ND99</value>", 1)
    ),
    "unknown_guardian": lambda text: text.replace("<value>2000", "<value>2900", 1),
}


@pytest.mark.parametrize("code", sorted(MALFORMED))
def test_malformed_file_is_rejected_whole_with_nothing_written(
    code: str, tmp_path: Path, school_a: SchoolHandle, school_b: SchoolHandle
) -> None:
    # given a generated export whose pupils' file is broken in one way
    export = _region(tmp_path, school_a, school_b)
    pupils = next((export.out_dir / ACADEMIE).glob("*_Eleve_0000.xml"))
    pupils.write_text(MALFORMED[code](pupils.read_text()))
    before = _row_counts(school_a, school_b)

    # when imported
    with pytest.raises(AafImportRejected) as refused:
        aaf_import(export.out_dir)

    # then refused with the file, the code and a French reason; not a row written anywhere
    rejection = refused.value.rejection
    assert rejection["code"] == code
    assert rejection["file"].endswith("_Eleve_0000.xml") or code.startswith("unknown_")
    assert rejection["reason"]
    assert refused.value.message.startswith("Import refusé : ")
    assert _row_counts(school_a, school_b) == before


def test_unknown_uai_people_are_ignored(tmp_path: Path, school_a: SchoolHandle) -> None:
    # given an export for school A and a collège that is not on the platform
    export = generate(tmp_path / "x", people=60, seed=3, uais=[UAI_A, "0570001S"])

    # when imported
    report: ImportReport = aaf_import(export.out_dir)

    # then the other collège's people are counted as ignored, with a warning, and A's are there
    assert report.counts["ignored"] > 0
    assert any(w["code"] == "unknown_uai" for w in report.warnings)
    with school_a.active():
        assert Person.objects.exists()


def test_the_nightly_task_removes_marked_people_without_an_import(
    tmp_path: Path, school_a: SchoolHandle, school_b: SchoolHandle, settings: Any
) -> None:
    # given people marked by a smaller export on 2 September, grace period 30 days
    from mbn.celery import app
    from tenants.directory.tasks import directory_removals_apply_task

    settings.MBN_AAF_DELETION_GRACE_DAYS = 30
    settings.MBN_AAF_MASS_CHANGE_RATIO = 1.0  # this test removes a quarter of the people on purpose
    uais = _uais(school_a, school_b)
    with time_machine.travel(datetime.datetime(2025, 9, 1, 8, tzinfo=datetime.UTC), tick=False):
        aaf_import(generate(tmp_path / "big", people=PEOPLE, seed=SEED, uais=uais).out_dir)
    with time_machine.travel(datetime.datetime(2025, 9, 2, 8, tzinfo=datetime.UTC), tick=False):
        marked = aaf_import(generate(tmp_path / "small", people=PEOPLE - 30, seed=SEED, uais=uais).out_dir)
    # when the nightly task runs before, then after the delay, with no import in between
    with time_machine.travel(datetime.datetime(2025, 9, 20, 3, tzinfo=datetime.UTC), tick=False):
        too_early = directory_removals_apply_task.apply().get()
    with time_machine.travel(datetime.datetime(2025, 10, 10, 3, tzinfo=datetime.UTC), tick=False):
        removed = directory_removals_apply_task.apply().get()
    # then nothing moves before the delay, everyone marked leaves after it, and beat schedules it
    assert marked.counts["marked"] > 0
    assert too_early == 0
    assert removed == marked.counts["marked"]
    assert app.conf.beat_schedule["directory-removals-apply"]["task"] == directory_removals_apply_task.name


def test_a_truncated_full_export_removes_nobody(
    tmp_path: Path, school_a: SchoolHandle, school_b: SchoolHandle, settings: Any
) -> None:
    # given a region imported, then a full export missing a third of the people (a truncated file)
    settings.MBN_AAF_MASS_CHANGE_RATIO = 0.05
    uais = _uais(school_a, school_b)
    aaf_import(generate(tmp_path / "big", people=PEOPLE, seed=SEED, uais=uais).out_dir)
    truncated = generate(tmp_path / "small", people=PEOPLE * 2 // 3, seed=SEED, uais=uais)
    # when it is imported
    with pytest.raises(AafImportRejected) as caught:
        aaf_import(truncated.out_dir)
    # then the run is refused with the stable code and a French reason, and nobody is marked
    assert caught.value.rejection["code"] == "mass_change"
    assert "aucune suppression" in caught.value.rejection["reason"]
    assert not AafRecordState.objects.filter(marked_at__isnull=False).exists()
    for school in (school_a, school_b):
        with school.active():
            assert not Person.objects.filter(marked_for_deletion_at__isnull=False).exists()
