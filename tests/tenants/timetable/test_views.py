"""Timetable pages: grids (accessible table, A/B switch by htmx), generation page with live progress."""

from __future__ import annotations

from typing import Any

from tenants.directory.models import Role
from tenants.timetable.models import GenerationRun, RunStatus
from tests.tenants.timetable.factories import (
    CourseFactory,
    LessonFactory,
    SchoolClassFactory,
    SubjectFactory,
    pattern,
    person,
    student_in,
)


def _class_and_pupil(marker: str) -> Any:
    school_class = SchoolClassFactory(label=f"3{marker}")
    LessonFactory(
        course=CourseFactory(subject=SubjectFactory(label=f"Histoire {marker}"), classes=[school_class])
    )
    LessonFactory(
        course=CourseFactory(
            subject=SubjectFactory(label=f"Musique {marker}"),
            classes=[school_class],
            week_pattern=pattern("B"),
        ),
        day=1,
    )
    return school_class, student_in(school_class, display_name=f"Élève {marker}")


def test_pupil_page_is_an_accessible_table_with_a_week_switch(
    school_a: Any, school_b: Any, api_as: Any
) -> None:
    with school_a.active():
        _, pupil = _class_and_pupil("A")
    with school_b.active():
        _class_and_pupil("B")
    page = api_as(pupil, school_a).get("/emploi-du-temps/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "<caption>Emploi du temps — Élève A — toutes les semaines</caption>" in html
    assert '<th scope="col">Lundi</th>' in html
    assert '<th scope="row">08:00–09:00' in html
    assert "Histoire A" in html
    assert "Musique A" in html
    assert "Histoire B" not in html
    assert 'aria-label="Choix de la semaine"' in html


def test_week_switch_by_htmx_returns_the_fragment_for_that_week(school_a: Any, api_as: Any) -> None:
    with school_a.active():
        _, pupil = _class_and_pupil("A")
    fragment = api_as(pupil, school_a).get("/emploi-du-temps/?semaine=A", HTTP_HX_REQUEST="true")
    html = fragment.content.decode()
    assert "<html" not in html
    assert "semaine A</caption>" in html
    assert "Histoire A" in html
    assert "Musique A" not in html
    week_a_link = (
        'href="/emploi-du-temps/?semaine=A" hx-get="/emploi-du-temps/?semaine=A" hx-target="#grilles" '
        'hx-push-url="true" aria-current="page"'
    )
    assert week_a_link in html


def test_grid_pages_404_for_what_the_viewer_may_not_see_and_login_first(school_a: Any, api_as: Any) -> None:
    with school_a.active():
        school_class, pupil = _class_and_pupil("A")
        other_class, _ = _class_and_pupil("Z")
        direction = person(Role.DIRECTION)
    assert api_as(pupil, school_a).get(f"/emploi-du-temps/classes/{school_class.pk}/").status_code == 200
    assert api_as(pupil, school_a).get(f"/emploi-du-temps/classes/{other_class.pk}/").status_code == 404
    assert api_as(pupil, school_a).get(f"/emploi-du-temps/enseignants/{direction.pk}/").status_code == 404
    assert api_as(direction, school_a).get(f"/emploi-du-temps/classes/{other_class.pk}/").status_code == 200
    anonymous = api_as(None, school_a).get("/emploi-du-temps/")
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/connexion/")


def test_generation_page_starts_a_run_and_shows_its_progress(
    school_a: Any, api_as: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with school_a.active():
        direction = person(Role.DIRECTION)
        LessonFactory(course=CourseFactory(classes=[SchoolClassFactory()], sessions_per_week=2))
    client = api_as(direction, school_a)
    assert "Lancer la génération" in client.get("/emploi-du-temps/generation/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        started = client.post("/emploi-du-temps/generation/", {"time_limit_s": "5"})
    assert started.status_code == 302
    detail = client.get(started["Location"])
    html = detail.content.decode()
    assert detail.status_code == 200
    assert "État : <strong>Terminée</strong>" in html
    assert 'hx-trigger="every 1s"' not in html  # finished: the page stops polling
    bad = client.post("/emploi-du-temps/generation/", {"time_limit_s": "0"})
    assert bad.status_code == 400
    assert "Indiquez une durée entre 1 et 3 600 secondes." in bad.content.decode()


def test_running_generation_polls_and_can_be_stopped(school_a: Any, school_b: Any, api_as: Any) -> None:
    with school_a.active():
        direction = person(Role.DIRECTION)
        run = GenerationRun.objects.create(
            status=RunStatus.RUNNING, progress=[[0.4, 12], [1.2, 7]], best_cost=7
        )
    with school_b.active():
        b_direction = person(Role.DIRECTION)
    client = api_as(direction, school_a)
    fragment = client.get(f"/emploi-du-temps/generation/{run.pk}/", HTTP_HX_REQUEST="true").content.decode()
    stopped = client.post(
        f"/emploi-du-temps/generation/{run.pk}/arreter", HTTP_HX_REQUEST="true"
    ).content.decode()
    assert 'hx-trigger="every 1s"' in fragment
    assert "meilleur coût trouvé : <strong>7</strong>" in fragment
    assert "Arrêter et garder le meilleur" in fragment
    assert "Arrêt demandé" in stopped
    assert api_as(b_direction, school_b).get(f"/emploi-du-temps/generation/{run.pk}/").status_code == 404


def test_generation_page_is_for_direction_and_ent_admin_only(school_a: Any, api_as: Any) -> None:
    with school_a.active():
        teacher, cpe, admin = person(Role.TEACHER), person(Role.VIE_SCOLAIRE), person(Role.SCHOOL_ADMIN)
    assert api_as(teacher, school_a).get("/emploi-du-temps/generation/").status_code == 404
    assert (
        api_as(cpe, school_a).post("/emploi-du-temps/generation/", {"time_limit_s": "5"}).status_code == 404
    )
    assert api_as(admin, school_a).get("/emploi-du-temps/generation/").status_code == 200
    with school_a.active():
        assert not GenerationRun.objects.exists()
