"""Tests of the synthetic AAF export: generate → parse round trips, layouts, deltas, determinism."""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from tenants.directory.imports.aaf_generator import GeneratedExport, generate, generate_delta
from tenants.directory.imports.aaf_parser import check_references, iter_records, read_archive
from tenants.directory.imports.aaf_records import (
    AafRecord,
    FileKind,
    Guardian,
    Operation,
    Staff,
    Structure,
    Student,
)

# Two Strasbourg schools, two Nancy-Metz, one Reims: every académie has its own file set.
UAIS = ("0679901Y", "0689901T", "0570004V", "0540006N", "0510005D")
PEOPLE = 4_000
Export = tuple[GeneratedExport, dict[str, list[AafRecord]]]


def parse_tree(root: Path) -> dict[str, list[AafRecord]]:
    """Every record of every file set under `root`, per file-set folder, in processing order."""
    return {
        folder.name: [record for aaf_file in read_archive(folder) for record in iter_records(aaf_file)]
        for folder in sorted(root.iterdir())
    }


@pytest.fixture(scope="module")
def export(tmp_path_factory: pytest.TempPathFactory) -> Export:
    generated = generate(
        tmp_path_factory.mktemp("aaf"), people=PEOPLE, seed=20250901, uais=UAIS, chunk_size=400
    )
    return generated, parse_tree(generated.out_dir)


def test_round_trip_gives_the_announced_counts_and_shares(export: Export) -> None:
    # given a generated export of 4,000 people in three académies
    generated, by_academie = export

    # when every académie's file set has been parsed
    records = [record for records in by_academie.values() for record in records]
    counts = Counter(record.kind for record in records)
    staff = [r for r in records if isinstance(r, Staff)]

    # then the counts are the generator's, and add up to the people asked for
    assert sorted(by_academie) == ["NANCY-METZ", "REIMS", "STRASBOURG"]
    assert counts[FileKind.STRUCTURES] == len(UAIS)
    assert counts[FileKind.STUDENTS] == generated.students
    assert counts[FileKind.GUARDIANS] == generated.guardians
    assert sum(s.is_teacher for s in staff if s.teaches_students) == generated.teachers
    assert len(staff) == generated.teachers + generated.other_staff
    assert generated.students + generated.guardians + len(staff) == PEOPLE
    assert 0.33 < generated.students / PEOPLE < 0.37
    assert 0.57 < generated.guardians / PEOPLE < 0.61
    assert 0.025 < generated.teachers / PEOPLE < 0.035
    assert 0.025 < generated.other_staff / PEOPLE < 0.035
    # chunking: 400 records per file, so the pupils of Strasbourg span several numbered chunks
    assert any(path.name.endswith("_Eleve_0001.xml") for path in generated.files)


def test_round_trip_links_every_pupil_to_existing_guardians_and_classes(export: Export) -> None:
    # given the parsed export
    generated, by_academie = export

    # when references are checked académie by académie
    problems = {academie: check_references(records, set(UAIS)) for academie, records in by_academie.items()}
    students = [r for records in by_academie.values() for r in records if isinstance(r, Student)]

    # then nothing dangles, and the link counts are the generator's
    assert problems == {"NANCY-METZ": [], "REIMS": [], "STRASBOURG": []}
    assert sum(len(s.guardian_links) for s in students) == generated.guardian_links
    assert sum(len(s.legal_guardian_jointures) for s in students) == generated.legal_guardian_links
    assert all(1 <= len(s.guardian_links) <= 2 for s in students)
    assert all(len(s.ine) == 11 and s.ine[:9].isdigit() and s.ine[9:].isalpha() for s in students)
    assert len({s.ine for s in students}) == len(students)
    assert all(s.classes and s.birth_date is not None for s in students)


def test_parent_with_children_in_two_schools_appears_once_with_two_links(export: Export) -> None:
    # given the generator's sample parent whose two children attend two schools
    generated, by_academie = export
    parent_id = generated.sample_multi_school_guardian
    assert parent_id is not None
    records = [r for records in by_academie.values() for r in records]

    # when its records and the pupils pointing at it are gathered
    parent_records = [r for r in records if isinstance(r, Guardian) and r.jointure == parent_id]
    children = [
        r
        for r in records
        if isinstance(r, Student) and parent_id in (link.guardian_jointure for link in r.guardian_links)
    ]

    # then one responsable, two links, from pupils of two different schools
    assert len(parent_records) == 1
    assert len(children) == 2
    assert len({child.structure_jointures for child in children}) == 2
    assert set(parent_records[0].student_jointures) == {child.jointure for child in children}
    assert generated.multi_school_guardians > 0


def test_teacher_in_several_schools_has_one_record_with_values_per_school(export: Export) -> None:
    # given the generator's sample multi-school teacher
    generated, by_academie = export
    teacher_id = generated.sample_multi_school_teacher
    assert teacher_id is not None

    # when its records are gathered
    [teacher] = [
        r
        for records in by_academie.values()
        for r in records
        if isinstance(r, Staff) and r.jointure == teacher_id
    ]

    # then it has an ENS function and class services in each of its schools
    schools = {f.structure_jointure for f in teacher.functions}
    assert len(schools) >= 2
    assert {s.structure_jointure for s in teacher.class_services} == schools
    assert teacher.profiles().by_structure == dict.fromkeys(schools, frozenset({"ENS"}))


def test_each_school_has_a_direction_and_declared_collège_classes(export: Export) -> None:
    # given the parsed export
    _, by_academie = export
    records = [r for records in by_academie.values() for r in records]

    # when structures and directions are listed
    structures = [r for r in records if isinstance(r, Structure)]
    directions = {
        f.structure_jointure
        for r in records
        if isinstance(r, Staff)
        for f in r.functions
        if f.function_code == "DIR"
    }

    # then every school has a head, and collèges have 6e A … 3e D
    assert directions == {s.jointure for s in structures}
    colleges = [s for s in structures if s.structure_type == "COLLEGE"]
    assert colleges
    for college in colleges:
        codes = {c.code for c in college.classes}
        assert {"6A", "6D", "5B", "4C", "3A", "3D"} <= codes


def test_same_seed_gives_the_same_bytes_and_another_seed_does_not(tmp_path: Path) -> None:
    # given two exports with one seed and one with another
    first = generate(tmp_path / "a", people=600, seed=7, uais=UAIS[:2])
    second = generate(tmp_path / "b", people=600, seed=7, uais=UAIS[:2])
    other = generate(tmp_path / "c", people=600, seed=8, uais=UAIS[:2])

    # when their files are hashed
    def digests(generated: GeneratedExport) -> list[str]:
        return [hashlib.sha256(path.read_bytes()).hexdigest() for path in generated.files]

    # then the same seed reproduces every byte
    assert digests(first) == digests(second)
    assert digests(first) != digests(other)


def test_school_layout_writes_one_file_set_per_school_restricted_to_it(tmp_path: Path) -> None:
    # given a per-school export
    generated = generate(tmp_path, people=3_000, seed=11, uais=UAIS, layout="school")

    # when each school's set is parsed
    by_school = parse_tree(generated.out_dir)

    # then each set names its UAI, references only its own structure, and resolves by itself
    assert sorted(by_school) == sorted(UAIS)
    assert all(path.name.startswith(f"ENT_{path.parent.name}_Complet_20250901_") for path in generated.files)
    for uai, records in by_school.items():
        [structure] = [r for r in records if isinstance(r, Structure)]
        assert structure.uai == uai
        for record in records:
            if isinstance(record, Student | Staff):
                assert set(record.structure_jointures) == {structure.jointure}
        assert [p for p in check_references(records, {uai}) if p.is_blocking] == []
    # a parent of pupils in two schools is in both sets, as per-school exports carry it
    students = sum(1 for records in by_school.values() for r in records if isinstance(r, Student))
    guardian_records = Counter(
        r.jointure for records in by_school.values() for r in records if isinstance(r, Guardian)
    )
    assert students == generated.students
    assert len(guardian_records) == generated.guardians
    assert sum(1 for count in guardian_records.values() if count == 2) == generated.multi_school_guardians


def test_delta_modifies_deletes_and_moves_a_pupil_to_another_school(export: Export, tmp_path: Path) -> None:
    # given the export and a delta of the same population
    _, by_academie = export
    delta = generate_delta(
        tmp_path, people=PEOPLE, seed=20250901, uais=UAIS, modifications=4, deletions=2, moves=1
    )

    # when the delta is parsed
    delta_records = [r for records in parse_tree(tmp_path).values() for r in records]
    full = {(r.kind, r.jointure): r for records in by_academie.values() for r in records}
    jointure_of_uai = {r.uai: r.jointure for r in full.values() if isinstance(r, Structure)}

    # then every request targets a known id, with the right operation
    operations: dict[Operation, set[str]] = defaultdict(set)
    for record in delta_records:
        assert (record.kind, record.jointure) in full
        operations[record.operation].add(record.jointure)
    assert set(delta.deleted_students) | set(delta.deleted_guardians) == operations[Operation.DELETE]
    assert set(delta.modified_students) | set(delta.modified_guardians) <= operations[Operation.MODIFY]
    # and the moved pupil keeps its jointure and gets the new school, class and MEF
    [(moved_id, from_uai, to_uai)] = delta.moved_students
    assert from_uai != to_uai
    [move] = [r for r in delta_records if r.jointure == moved_id]
    assert isinstance(move, Student)
    assert move.structure_jointures == (jointure_of_uai[to_uai],)
    assert move.classes[0].structure_jointure == jointure_of_uai[to_uai]
    assert move.carries("ENTEleveGroupes")
    assert move.groups == ()
    before = full[(FileKind.STUDENTS, moved_id)]
    assert isinstance(before, Student)
    assert before.structure_jointures == (jointure_of_uai[from_uai],)
    assert all(path.name.split("_")[1] == "Delta" for path in delta.files)
    assert all(aaf_file.is_delta for aaf_file in read_archive(tmp_path))


def test_generator_refuses_a_uai_with_a_wrong_check_letter(tmp_path: Path) -> None:
    # given / when / then
    with pytest.raises(ValueError, match="invalid or repeated UAIs"):
        generate(tmp_path, people=100, seed=1, uais=["0679901Z"])
