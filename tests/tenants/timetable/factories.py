"""Timetable test data, inside `school.active()`; the seeded calendar (grid, weeks A/B) is already there."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import factory

from tenants.directory.models import (
    ClassMembership,
    GroupMembership,
    GuardianKind,
    Guardianship,
    Person,
    Role,
    SchoolClass,
    Subject,
    TeachingGroup,
)
from tenants.timetable.models import Course, Lesson, PatternKind, Room, RoomKind, SchoolYear, WeekPattern
from tests.shared.accounts.factories import AccountFactory
from tests.tenants.directory.factories import make_person


class _SubjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Subject
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"MAT{n:03d}")
    label = factory.Sequence(lambda n: f"Matière {n}")


class _SchoolClassFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SchoolClass

    code = factory.Sequence(lambda n: f"C{n}")
    label = factory.Sequence(lambda n: f"Classe {n}")


class _TeachingGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TeachingGroup

    code = factory.Sequence(lambda n: f"G{n}")
    label = factory.Sequence(lambda n: f"Groupe {n}")

    @factory.post_generation
    def classes(self, create: bool, extracted: Sequence[SchoolClass] | None, **kwargs: Any) -> None:
        if create and extracted:
            self.classes.set(extracted)


class _RoomFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Room

    name = factory.Sequence(lambda n: f"S{n:02d}")
    kind = RoomKind.CLASSROOM
    capacity = 30


def pattern(code: str = "TOUTES") -> WeekPattern:
    return WeekPattern.objects.get(code=code)


class _CourseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Course

    subject = factory.SubFactory(_SubjectFactory)
    week_pattern = factory.LazyFunction(pattern)
    duration = 1
    sessions_per_week = 1
    room_kind = ""

    @factory.post_generation
    def teachers(self, create: bool, extracted: Sequence[Person] | None, **kwargs: Any) -> None:
        if create and extracted:
            self.teachers.set(extracted)

    @factory.post_generation
    def classes(self, create: bool, extracted: Sequence[SchoolClass] | None, **kwargs: Any) -> None:
        if create and extracted:
            self.classes.set(extracted)

    @factory.post_generation
    def groups(self, create: bool, extracted: Sequence[TeachingGroup] | None, **kwargs: Any) -> None:
        if create and extracted:
            self.groups.set(extracted)


class _LessonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Lesson

    course = factory.SubFactory(_CourseFactory)
    session = 0
    day = 0
    slot = 0
    week_pattern = factory.LazyAttribute(lambda lesson: lesson.course.week_pattern)


def SubjectFactory(**kwargs: Any) -> Subject:
    return _SubjectFactory(**kwargs)  # type: ignore[return-value]  # factory_boy returns the model instance


def SchoolClassFactory(**kwargs: Any) -> SchoolClass:
    return _SchoolClassFactory(**kwargs)  # type: ignore[return-value]  # factory_boy returns the model instance


def TeachingGroupFactory(**kwargs: Any) -> TeachingGroup:
    return _TeachingGroupFactory(**kwargs)  # type: ignore[return-value]  # factory_boy returns the model instance


def RoomFactory(**kwargs: Any) -> Room:
    return _RoomFactory(**kwargs)  # type: ignore[return-value]  # factory_boy returns the model instance


def CourseFactory(**kwargs: Any) -> Course:
    return _CourseFactory(**kwargs)  # type: ignore[return-value]  # factory_boy returns the model instance


def LessonFactory(**kwargs: Any) -> Lesson:
    return _LessonFactory(**kwargs)  # type: ignore[return-value]  # factory_boy returns the model instance


def student_in(school_class: SchoolClass, *, groups: Sequence[TeachingGroup] = (), **kwargs: Any) -> Person:
    student = person(Role.STUDENT, **kwargs)
    ClassMembership.objects.create(student=student, school_class=school_class)
    for group in groups:
        GroupMembership.objects.create(student=student, group=group)
    return student


def guardian_of(*children: Person, **kwargs: Any) -> Person:
    guardian = person(Role.GUARDIAN, **kwargs)
    for child in children:
        Guardianship.objects.create(guardian=guardian, student=child, kind=GuardianKind.LEGAL_1)
    return guardian


def person(*roles: str, **kwargs: Any) -> Person:
    return make_person(roles=list(roles), **kwargs)


def teacher_named(first: str, last: str) -> Person:
    """A teacher known by name only (no STS id): the importers match such people by name."""
    account = AccountFactory(first_name=first, last_name=last)
    return person(Role.TEACHER, account=account, display_name=f"{first} {last}")


def sample_teachers() -> dict[str, Person]:
    """The three teachers of the STS/EDT/UDT samples, known by name only, and a head."""
    return {
        "arnoux": teacher_named("Lucien", "Arnoux"),
        "berthier": teacher_named("Odile", "Berthier"),
        "delorme": teacher_named("Élodie", "Delorme"),
        "direction": person(Role.DIRECTION),
    }


@dataclass(frozen=True)
class CalendarMarkers:
    """A head of school A, and a custom pattern and a next year in each school, named « marqueur-A/B »
    (B's ids differ from A's, so a leak by id shows)."""

    head: Person
    b_pattern: WeekPattern
    b_year: SchoolYear
    b_weeks_a: list[int]


def calendar_markers(school_a: Any, school_b: Any) -> CalendarMarkers:
    with school_a.active():
        head = person(Role.DIRECTION)
        a_pattern = WeekPattern.objects.create(
            code="MA", label="marqueur-A-rythme", kind=PatternKind.CUSTOM, iso_weeks=[40]
        )
        a_year = SchoolYear.objects.create(label="marqueur-A", starts_on="2027-09-01", ends_on="2028-07-04")
    with school_b.active():
        b_pattern = WeekPattern.objects.create(
            pk=a_pattern.pk + 100,
            code="MB",
            label="marqueur-B-rythme",
            kind=PatternKind.CUSTOM,
            iso_weeks=[42],
        )
        b_year = SchoolYear.objects.create(
            pk=a_year.pk + 100, label="marqueur-B", starts_on="2027-09-01", ends_on="2028-07-04"
        )
        b_weeks_a = pattern("A").iso_weeks
    return CalendarMarkers(head, b_pattern, b_year, b_weeks_a)
