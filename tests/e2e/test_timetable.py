"""The timetable in real Chromium: a pupil's grid with the week switch, the direction's generation page."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django_tenants.utils import schema_context
from playwright.sync_api import expect

from shared.accounts.models import Account
from tenants.directory.models import Person, Role, SchoolClass, Subject
from tenants.timetable.models import Course, GenerationRun, Lesson
from tests.shared.accounts.factories import AccountFactory
from tests.tenants.directory.factories import PersonFactory
from tests.tenants.timetable.factories import (
    CourseFactory,
    LessonFactory,
    SchoolClassFactory,
    pattern,
    student_in,
)

pytestmark = pytest.mark.e2e
PASSWORD = "mot-de-passe-de-test"
UAI = "0570613G"


@pytest.fixture
def timetable_people(django_db_blocker: Any, provisioned_schools: Any) -> Iterator[dict[str, Any]]:
    """A pupil and a principal of school A, with two lessons; committed, removed afterwards."""
    school = provisioned_schools[UAI]
    with django_db_blocker.unblock():
        pupil_account = AccountFactory(username="eleve-edt-e2e")
        direction_account = AccountFactory(username="direction-edt-e2e")
        with schema_context(school.schema_name):
            school_class = SchoolClassFactory(code="E2E-4A", label="4e A (e2e)")
            every = CourseFactory(
                subject=Subject.objects.create(code="E2E-MATHS", label="Mathématiques e2e"),
                classes=[school_class],
                sessions_per_week=1,
            )
            week_b = CourseFactory(
                subject=Subject.objects.create(code="E2E-MUS", label="Musique e2e"),
                classes=[school_class],
                week_pattern=pattern("B"),
            )
            LessonFactory(course=every, day=0, slot=0)
            LessonFactory(course=week_b, day=1, slot=1)
            student_in(school_class, account=pupil_account, display_name="Léa E2E")
            PersonFactory(account=direction_account, roles=[Role.DIRECTION], display_name="Principal E2E")
        yield {"school": school}
        with schema_context(school.schema_name):
            GenerationRun.objects.all().delete()
            Lesson.objects.filter(course__classes__code="E2E-4A").delete()
            Course.objects.filter(classes__code="E2E-4A").delete()
            Subject.objects.filter(code__startswith="E2E-").delete()
            Person.objects.filter(account__username__endswith="-edt-e2e").delete()
            SchoolClass.objects.filter(code="E2E-4A").delete()
        Account.objects.filter(username__endswith="-edt-e2e").delete()


def _login(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/connexion/")
    page.get_by_label("Identifiant").fill(username)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()


def test_pupil_reads_the_grid_and_switches_to_week_a_with_the_keyboard(
    page: Any, live_port: int, timetable_people: dict[str, Any]
) -> None:
    base = f"http://{timetable_people['school'].slug}.mbn.localhost:{live_port}"
    # given the pupil is logged in and opens their timetable
    _login(page, base, "eleve-edt-e2e")
    page.goto(f"{base}/emploi-du-temps/")
    table = page.get_by_role("table", name=re.compile("Emploi du temps — Léa E2E"))
    expect(table).to_contain_text("Mathématiques e2e")
    expect(table).to_contain_text("Musique e2e")
    expect(page.get_by_role("columnheader", name="Lundi")).to_be_visible()
    expect(page.get_by_role("rowheader", name=re.compile("08:00"))).to_be_visible()
    # when they reach "Semaine A" with the keyboard and press Enter (htmx swaps the grid)
    week_a = page.get_by_role("link", name="Semaine A")
    week_a.focus()
    page.keyboard.press("Enter")
    # then the week-A grid shows without the week-B lesson, and the URL says which week
    expect(page.get_by_role("table", name=re.compile("semaine A"))).to_contain_text("Mathématiques e2e")
    expect(page.get_by_role("table", name=re.compile("semaine A"))).not_to_contain_text("Musique e2e")
    expect(page).to_have_url(re.compile(r"semaine=A"))
    expect(page.get_by_role("link", name="Semaine A")).to_have_attribute("aria-current", "page")


def test_direction_generates_the_timetable_and_sees_the_outcome(
    page: Any, live_port: int, timetable_people: dict[str, Any]
) -> None:
    base = f"http://{timetable_people['school'].slug}.mbn.localhost:{live_port}"
    # given the principal on the generation page
    _login(page, base, "direction-edt-e2e")
    page.goto(f"{base}/emploi-du-temps/generation/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Génération de l'emploi du temps")
    # when they start a 5-second generation
    page.get_by_label("Durée maximale (secondes)").fill("5")
    page.get_by_role("button", name="Lancer la génération").click()
    # then the run page shows its final state and the placed sessions, and stops polling
    status = page.get_by_role("status")
    expect(status).to_contain_text("Terminée")
    expect(status).to_contain_text("2 séances placées")
    expect(page.get_by_role("button", name="Arrêter et garder le meilleur")).to_have_count(0)


def test_principal_moves_a_lesson_from_the_class_grid(
    page: Any, live_port: int, timetable_people: dict[str, Any]
) -> None:
    school = timetable_people["school"]
    base = f"http://{school.slug}.mbn.localhost:{live_port}"
    with schema_context(school.schema_name):
        class_id = SchoolClass.objects.get(code="E2E-4A").pk
    # given the principal on the class grid
    _login(page, base, "direction-edt-e2e")
    page.goto(f"{base}/emploi-du-temps/classes/{class_id}/")
    # when they open the move form of the maths lesson and choose Thursday, third slot
    page.get_by_role("button", name=re.compile("Déplacer Mathématiques e2e")).click()
    form = page.get_by_role("form", name=re.compile("Déplacer : Mathématiques e2e"))
    expect(form).to_be_visible()
    form.get_by_label("Jour").select_option("3")
    form.get_by_label("Début").select_option("2")
    form.get_by_role("button", name="Déplacer", exact=True).click()
    # then the grid is drawn again with the lesson on Thursday
    thursday = page.get_by_role("columnheader", name="Jeudi")
    expect(thursday).to_be_visible()
    expect(page.get_by_role("button", name=re.compile("Déplacer Mathématiques e2e \\(Jeudi"))).to_be_visible()
