"""Paramétrage pages (/emploi-du-temps/parametrage/): sections, htmx forms, errors, roles and schools."""

from __future__ import annotations

import html
from typing import Any

import pytest

from tenants.directory.models import Role
from tenants.timetable.models import Course, DailyLimit, Lesson, Period, Room, TimeSlot, Unavailability
from tests.tenants.timetable.factories import (
    CourseFactory,
    LessonFactory,
    RoomFactory,
    SchoolClassFactory,
    SubjectFactory,
    person,
    student_in,
)

SETUP = "/emploi-du-temps/parametrage"
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.mark.parametrize(
    ("section", "expected"),
    [
        ("salles", ["Salles (0)", "Ajouter une salle", "Nombre de places"]),
        ("cours", ["Cours (0)", "Ajouter un cours", "Filtrer"]),
        ("calendrier", ["Trimestre 1", "Vacances de Noël", "Ajouter une période"]),
        ("grille", ["08:00–09:00", "Position dans la journée"]),
        ("contraintes", ["Indisponibilités (0)", "Créneaux de cours par jour, au plus"]),
    ],
)
def test_each_section_shows_its_tables_and_forms_to_the_direction(
    school_a: Any, api_as: Any, section: str, expected: list[str]
) -> None:
    with school_a.active():
        head = person(Role.DIRECTION)
    page = api_as(head, school_a).get(f"{SETUP}/{section}/")
    body = page.content.decode()
    assert page.status_code == 200
    assert "<h1>Paramétrage de l'emploi du temps</h1>" in body
    assert 'aria-current="page"' in body
    assert "<caption" in body
    for text in expected:
        assert text in body


def test_generation_page_and_home_link_to_the_sections(school_a: Any, api_as: Any) -> None:
    with school_a.active():
        head = person(Role.DIRECTION)
    client = api_as(head, school_a)
    generation = client.get("/emploi-du-temps/generation/").content.decode()
    home = client.get(f"{SETUP}/").content.decode()
    assert f'href="{SETUP}/"' in generation
    for section in ("salles", "cours", "calendrier", "grille", "contraintes"):
        assert f'href="{SETUP}/{section}/"' in home


def test_direction_adds_a_room_with_and_without_htmx(school_a: Any, api_as: Any) -> None:
    with school_a.active():
        head = person(Role.DIRECTION)
    client = api_as(head, school_a)
    plain = client.post(f"{SETUP}/salles/ajouter", {"name": "Salle 12", "kind": "classroom", "capacity": 28})
    swapped = client.post(f"{SETUP}/salles/ajouter", {"name": "Labo", "kind": "lab", "capacity": 20}, **HTMX)
    body = swapped.content.decode()
    assert plain.status_code == 302
    assert plain["Location"] == f"{SETUP}/salles/"
    assert swapped.status_code == 200
    assert body.startswith("\n<section") or body.lstrip().startswith("<section")
    assert "Salles (2)" in body
    assert 'role="status"' in body
    with school_a.active():
        assert sorted(Room.objects.values_list("name", "capacity")) == [("Labo", 20), ("Salle 12", 28)]


def test_invalid_fields_and_refused_rules_come_back_in_the_form_and_write_nothing(
    school_a: Any, api_as: Any
) -> None:
    with school_a.active():
        head = person(Role.DIRECTION)
        used = RoomFactory(name="Gymnase", kind="gym")
        LessonFactory(room=used)
    client = api_as(head, school_a)
    empty = client.post(f"{SETUP}/salles/ajouter", {"name": "", "kind": "classroom", "capacity": 0}, **HTMX)
    taken = client.post(f"{SETUP}/salles/ajouter", {"name": "Gymnase", "kind": "gym", "capacity": 60}, **HTMX)
    in_use = client.post(f"{SETUP}/salles/{used.pk}/supprimer", **HTMX)
    plain_in_use = client.post(f"{SETUP}/salles/{used.pk}/supprimer")
    assert empty.status_code == 400
    assert 'role="alert"' in empty.content.decode()
    assert 'aria-invalid="true"' in empty.content.decode()
    assert taken.status_code == 409
    assert "Une salle porte déjà ce nom" in taken.content.decode()
    assert 'value="Gymnase"' in taken.content.decode()  # what was typed stays in the form
    assert in_use.status_code == 409
    assert "Cette salle est utilisée" in in_use.content.decode()
    assert plain_in_use.status_code == 409
    assert "<h1>Paramétrage de l'emploi du temps</h1>" in plain_in_use.content.decode()
    with school_a.active():
        assert list(Room.objects.values_list("name", flat=True)) == ["Gymnase"]


def test_direction_edits_a_room_from_its_row(school_a: Any, api_as: Any) -> None:
    with school_a.active():
        head = person(Role.DIRECTION)
        room = RoomFactory(name="S1", capacity=30)
    client = api_as(head, school_a)
    form = client.get(f"{SETUP}/salles/{room.pk}/", **HTMX).content.decode()
    saved = client.post(
        f"{SETUP}/salles/{room.pk}/", {"name": "S1 bis", "kind": "art", "capacity": 18}, **HTMX
    )
    assert "Modifier : S1" in form
    assert "autofocus" in form
    assert 'value="S1"' in form
    assert saved.status_code == 200
    assert "S1 bis" in saved.content.decode()
    with school_a.active():
        assert Room.objects.values_list("name", "kind", "capacity").get() == ("S1 bis", "art", 18)


def test_direction_adds_a_course_and_filters_the_list_by_class(school_a: Any, api_as: Any) -> None:
    with school_a.active():
        head = person(Role.DIRECTION)
        teacher = person(Role.TEACHER, display_name="Mme Brun")
        class_a, class_b = SchoolClassFactory(label="3e A"), SchoolClassFactory(label="3e B")
        subject = SubjectFactory(label="Musique")
        CourseFactory(subject=SubjectFactory(label="Latin"), classes=[class_b])
    client = api_as(head, school_a)
    created = client.post(
        f"{SETUP}/cours/ajouter",
        {
            "subject": subject.pk,
            "teachers": [teacher.pk],
            "classes": [class_a.pk],
            "duration": 1,
            "sessions_per_week": 2,
            "week_pattern": _pattern_id(school_a, "TOUTES"),
            "room_kind": "music",
        },
        **HTMX,
    )
    filtered = client.get(f"{SETUP}/cours/?classe={class_a.pk}").content.decode()
    no_audience = client.post(
        f"{SETUP}/cours/ajouter",
        {
            "subject": subject.pk,
            "duration": 1,
            "sessions_per_week": 1,
            "week_pattern": _pattern_id(school_a, "A"),
        },
        **HTMX,
    )
    assert created.status_code == 200
    assert "Mme Brun" in created.content.decode()
    assert '<th scope="row">Musique</th>' in filtered
    assert '<th scope="row">Latin</th>' not in filtered
    assert no_audience.status_code == 400
    assert "Choisissez au moins une classe ou un groupe pour ce cours." in no_audience.content.decode()
    with school_a.active():
        course = Course.objects.get(subject=subject)
        assert (course.sessions_per_week, course.room_kind) == (2, "music")
        assert list(course.teachers.all()) == [teacher]


def _pattern_id(school: Any, code: str) -> int:
    from tenants.timetable.models import WeekPattern

    with school.active():
        return WeekPattern.objects.get(code=code).pk


def test_placed_sessions_are_removed_from_the_course_row(school_a: Any, api_as: Any) -> None:
    with school_a.active():
        head = person(Role.DIRECTION)
        course = CourseFactory(subject=SubjectFactory(label="Chimie"), classes=[SchoolClassFactory()])
        LessonFactory(course=course)
    client = api_as(head, school_a)
    page = client.get(f"{SETUP}/cours/").content.decode()
    removed = client.post(f"{SETUP}/cours/{course.pk}/retirer-seances", **HTMX)
    assert "Retirer les séances" in page
    assert removed.status_code == 200
    assert "Séances retirées de l'emploi du temps." in html.unescape(removed.content.decode())
    with school_a.active():
        assert not Lesson.objects.exists()


def test_calendar_grid_and_constraints_forms_apply_the_services_rules(school_a: Any, api_as: Any) -> None:
    with school_a.active():
        head = person(Role.DIRECTION)
        teacher = person(Role.TEACHER, display_name="M. Faure")
        monday_first = TimeSlot.objects.get(day=0, index=0)
    client = api_as(head, school_a)
    overlap = client.post(
        f"{SETUP}/periodes/ajouter",
        {"label": "T4", "starts_on": "2026-11-01", "ends_on": "2026-12-01"},
        **HTMX,
    )
    slot_form = client.get(f"{SETUP}/creneaux/{monday_first.pk}/", **HTMX).content.decode()
    slot_saved = client.post(
        f"{SETUP}/creneaux/{monday_first.pk}/",
        {"day": 3, "position": 5, "starts_at": "07:55", "ends_at": "09:00"},
        **HTMX,
    )
    unavailable = client.post(
        f"{SETUP}/indisponibilites/ajouter", {"teacher": teacher.pk, "day": 0, "slot": 0}, **HTMX
    )
    capped = client.post(f"{SETUP}/maximums/ajouter", {"teacher": teacher.pk, "max_slots": 5}, **HTMX)
    assert overlap.status_code == 409
    assert "Cette période chevauche une autre période" in overlap.content.decode()
    assert "disabled" in slot_form
    assert slot_saved.status_code == 200
    assert unavailable.status_code == 200
    assert "M. Faure" in unavailable.content.decode()
    assert capped.status_code == 200
    with school_a.active():
        assert Period.objects.filter(label="T4").count() == 0
        # the day and the position of a slot never change, only its times
        assert TimeSlot.objects.values_list("day", "index", "starts_at").get(pk=monday_first.pk)[:2] == (0, 0)
        assert str(TimeSlot.objects.get(pk=monday_first.pk).starts_at) == "07:55:00"
        assert Unavailability.objects.filter(teacher=teacher).count() == 1
        assert DailyLimit.objects.get(teacher=teacher).max_slots == 5


def test_other_roles_get_no_setup_page_and_write_nothing(school_a: Any, api_as: Any) -> None:
    with school_a.active():
        room = RoomFactory(name="Salle 7")
        actors = [
            person(Role.TEACHER),
            person(Role.VIE_SCOLAIRE),
            person(Role.STAFF),
            student_in(SchoolClassFactory()),
        ]
    for actor in actors:
        client = api_as(actor, school_a)
        assert client.get(f"{SETUP}/salles/").status_code == 404
        assert (
            client.post(
                f"{SETUP}/salles/ajouter", {"name": "Intrus", "kind": "classroom", "capacity": 3}
            ).status_code
            == 404
        )
        assert client.post(f"{SETUP}/salles/{room.pk}/supprimer").status_code == 404
    with school_a.active():
        assert list(Room.objects.values_list("name", flat=True)) == ["Salle 7"]


def test_a_head_of_school_a_never_edits_school_b(school_a: Any, school_b: Any, api_as: Any) -> None:
    # given a room in each school (B's with a higher id than any of A's) and the head of A
    with school_a.active():
        head = person(Role.DIRECTION)
        RoomFactory(name="marqueur-A")
    with school_b.active():
        for _ in range(3):
            RoomFactory()
        b_room = RoomFactory(name="marqueur-B")
    client = api_as(head, school_a)
    # when the head lists rooms on A, reaches for B's room on A, and calls B's host
    page = client.get(f"{SETUP}/salles/").content.decode()
    edit = client.post(f"{SETUP}/salles/{b_room.pk}/", {"name": "pris", "kind": "classroom", "capacity": 1})
    remove = client.post(f"{SETUP}/salles/{b_room.pk}/supprimer")
    on_b = api_as(head, school_b).get(f"{SETUP}/salles/")
    # then A's room shows, B's never does, B's id is unknown on A, and B's host refuses A's head
    assert "marqueur-A" in page
    assert "marqueur-B" not in page
    assert edit.status_code == 404
    assert remove.status_code == 404
    assert on_b.status_code in (403, 404)
    assert "marqueur-B" not in on_b.content.decode()
    with school_b.active():
        assert Room.objects.filter(name="marqueur-B").exists()
