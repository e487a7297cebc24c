from __future__ import annotations

from typing import Any

from tenants.directory.models import (
    ClassMembership,
    GroupMembership,
    GuardianKind,
    Guardianship,
    Role,
    SchoolClass,
    Subject,
    TeachingGroup,
    TeachingService,
)
from tenants.directory.selectors import classes_visible_to, students_visible_to
from tests.tenants.directory.factories import make_person


def _school(school: Any) -> dict[str, Any]:
    """Two classes, a group spanning 6A, pupils in each, a teacher of 6A, one of the group, guardians."""
    six_a = SchoolClass.objects.create(code="6A", label="6e A")
    six_b = SchoolClass.objects.create(code="6B", label="6e B")
    latin = TeachingGroup.objects.create(code="LATIN", label="Latin")
    latin.classes.add(six_b)
    maths = Subject.objects.create(code="MATHS", label="Mathématiques")
    people = {name: make_person(roles=[Role.STUDENT], display_name=name) for name in ("ada", "ben", "cyd")}
    ClassMembership.objects.create(student=people["ada"], school_class=six_a)
    ClassMembership.objects.create(student=people["ben"], school_class=six_b)
    ClassMembership.objects.create(student=people["cyd"], school_class=six_b)
    GroupMembership.objects.create(student=people["cyd"], group=latin)
    people["prof_6a"] = make_person(roles=[Role.TEACHER])
    TeachingService.objects.create(teacher=people["prof_6a"], subject=maths, school_class=six_a)
    people["prof_latin"] = make_person(roles=[Role.TEACHER])
    TeachingService.objects.create(teacher=people["prof_latin"], subject=maths, group=latin)
    people["parent_ben"] = make_person(roles=[Role.GUARDIAN])
    Guardianship.objects.create(
        guardian=people["parent_ben"], student=people["ben"], kind=GuardianKind.LEGAL_1
    )
    people["contact_ada"] = make_person(roles=[Role.GUARDIAN])
    Guardianship.objects.create(
        guardian=people["contact_ada"],
        student=people["ada"],
        kind=GuardianKind.CONTACT,
        has_parental_rights=False,
    )
    people["cpe"] = make_person(roles=[Role.VIE_SCOLAIRE])
    return people


def _names(queryset: Any) -> set[str]:
    return {person.display_name for person in queryset}


def test_each_role_sees_exactly_its_share_of_pupils(school_a: Any) -> None:
    with school_a.active():
        # given a small school
        people = _school(school_a)
        # then each viewer sees exactly their share
        assert _names(students_visible_to(viewer=people["ada"])) == {"ada"}
        assert _names(students_visible_to(viewer=people["parent_ben"])) == {"ben"}
        assert _names(students_visible_to(viewer=people["contact_ada"])) == set()
        assert _names(students_visible_to(viewer=people["prof_6a"])) == {"ada"}
        assert _names(students_visible_to(viewer=people["prof_latin"])) == {"cyd"}
        assert _names(students_visible_to(viewer=people["cpe"])) == {"ada", "ben", "cyd"}


def test_classes_follow_the_same_rules(school_a: Any) -> None:
    with school_a.active():
        people = _school(school_a)
        codes = lambda viewer: {c.code for c in classes_visible_to(viewer=viewer)}  # noqa: E731
        assert codes(people["prof_6a"]) == {"6A"}
        assert codes(people["prof_latin"]) == {"6B"}
        assert codes(people["parent_ben"]) == {"6B"}
        assert codes(people["ada"]) == {"6A"}
        assert codes(people["cpe"]) == {"6A", "6B"}


def test_pupils_of_school_b_are_invisible_from_a(school_a: Any, school_b: Any) -> None:
    # given the same structure in both schools, B's pupils carrying a marker
    with school_b.active():
        for person in _school(school_b).values():
            person.display_name = f"{person.display_name}-B"
            person.save()
    with school_a.active():
        people = _school(school_a)
        # then A's CPE and A's teacher see A's pupils only (ids repeat across schemas, names do not)
        assert _names(students_visible_to(viewer=people["cpe"])) == {"ada", "ben", "cyd"}
        assert _names(students_visible_to(viewer=people["prof_6a"])) == {"ada"}
