"""Paramétrage in real Chromium: the principal adds a room, then a course that imposes it; and a custom
week pattern typed as lists and ranges of weeks."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django_tenants.utils import schema_context
from playwright.sync_api import expect

from mbn.audit.models import AuditEvent
from shared.accounts.models import Account
from tenants.directory.models import Person, Role, SchoolClass, Subject
from tenants.timetable.models import Course, PatternKind, Room, WeekPattern
from tests.shared.accounts.factories import AccountFactory
from tests.tenants.directory.factories import make_person
from tests.tenants.timetable.factories import SchoolClassFactory

pytestmark = pytest.mark.e2e
PASSWORD = "mot-de-passe-de-test"
UAI = "0570613G"


@pytest.fixture
def setup_people(django_db_blocker: Any, provisioned_schools: Any) -> Iterator[dict[str, Any]]:
    """A principal, a teacher, a class and a subject of school A; committed, removed afterwards."""
    school = provisioned_schools[UAI]
    with django_db_blocker.unblock():
        direction_account = AccountFactory(username="direction-param-e2e")
        teacher_account = AccountFactory(username="prof-param-e2e")
        with schema_context(school.schema_name):
            principal = make_person(
                account=direction_account, roles=[Role.DIRECTION], display_name="Principale Param"
            )
            make_person(account=teacher_account, roles=[Role.TEACHER], display_name="Mme Param E2E")
            SchoolClassFactory(code="E2E-PARAM-5A", label="5e A (param e2e)")
            Subject.objects.create(code="E2E-PARAM-ART", label="Arts plastiques e2e")
        yield {"school": school}
        with schema_context(school.schema_name):
            Course.objects.filter(subject__code="E2E-PARAM-ART").delete()
            Room.objects.filter(name="Atelier e2e").delete()
            WeekPattern.objects.filter(code="E2E-Q").delete()
            Subject.objects.filter(code="E2E-PARAM-ART").delete()
            SchoolClass.objects.filter(code="E2E-PARAM-5A").delete()
            AuditEvent.objects.filter(actor_id=principal.pk).delete()
            Person.objects.filter(account__username__endswith="-param-e2e").delete()
        Account.objects.filter(username__endswith="-param-e2e").delete()


def _login(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/connexion/")
    page.get_by_label("Identifiant").fill(username)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()


def test_principal_adds_a_room_then_a_course_in_that_room(
    page: Any, live_port: int, setup_people: dict[str, Any]
) -> None:
    school = setup_people["school"]
    base = f"http://{school.slug}.mbn.localhost:{live_port}"
    # given the principal on the generation page, following its link to the Paramétrage
    _login(page, base, "direction-param-e2e")
    page.goto(f"{base}/emploi-du-temps/generation/")
    page.get_by_role("link", name="paramétrage de l'emploi du temps").click()
    page.get_by_role("navigation", name="Sections du paramétrage").get_by_role("link", name="Salles").click()
    expect(page.get_by_role("link", name="Salles")).to_have_attribute("aria-current", "page")

    # when they add a 24-seat art room
    page.get_by_label(re.compile(r"^Nom\W*$")).fill("Atelier e2e")
    page.get_by_label("Type de salle").select_option(label="Salle d'arts plastiques")
    page.get_by_label("Nombre de places").fill("24")
    page.get_by_role("button", name="Ajouter", exact=True).click()

    # then the room shows in the table, and the form says it was saved
    rooms = page.get_by_role("table", name=re.compile("Salles"))
    expect(page.get_by_role("status")).to_have_text("Enregistré.")
    expect(rooms.get_by_role("rowheader", name="Atelier e2e")).to_be_visible()

    # when they add a course of art for the class, taught by Mme Param, imposing the new room
    page.get_by_role("navigation", name="Sections du paramétrage").get_by_role("link", name="Cours").click()
    page.get_by_label("Matière").select_option(label="Arts plastiques e2e")
    page.get_by_role("checkbox", name="Mme Param E2E").check()
    page.get_by_role("checkbox", name="5e A (param e2e)").check()
    page.get_by_label("Séances par semaine").fill("2")
    page.get_by_label("Type de salle").select_option(label="Salle d'arts plastiques")
    page.get_by_label("Salle imposée").select_option(label="Atelier e2e")
    page.get_by_role("button", name="Ajouter", exact=True).click()

    # then the course row lists its subject, teacher, class, sessions and room
    row = page.get_by_role("table", name=re.compile("Cours")).get_by_role(
        "row", name=re.compile("Arts plastiques e2e")
    )
    expect(row).to_contain_text("Mme Param E2E")
    expect(row).to_contain_text("5e A (param e2e)")
    expect(row).to_contain_text("2 × 1 créneau")
    expect(row).to_contain_text("Atelier e2e")
    with schema_context(school.schema_name):
        course = Course.objects.get(subject__code="E2E-PARAM-ART")
        assert course.fixed_room is not None
        assert course.fixed_room.name == "Atelier e2e"


def test_principal_adds_a_custom_week_pattern(
    page: Any, live_port: int, setup_people: dict[str, Any]
) -> None:
    school = setup_people["school"]
    base = f"http://{school.slug}.mbn.localhost:{live_port}"
    # given the principal on the « Semaines A et B » section of the Paramétrage
    _login(page, base, "direction-param-e2e")
    page.goto(f"{base}/emploi-du-temps/parametrage/")
    sections = page.get_by_role("navigation", name="Sections du paramétrage")
    sections.get_by_role("link", name="Semaines A et B").click()
    expect(sections.get_by_role("link", name="Semaines A et B")).to_have_attribute("aria-current", "page")
    patterns = page.get_by_role("table", name=re.compile("Rythmes de semaines"))
    expect(patterns.get_by_role("rowheader", name="TOUTES")).to_be_visible()

    # when they type a week that does not exist
    page.get_by_label(re.compile(r"^Code\W*$")).fill("E2E-Q")
    page.get_by_label(re.compile(r"^Nom\W*$")).fill("Quinzaine e2e")
    page.get_by_label(re.compile(r"^Semaines\W*$")).fill("36, 54")
    page.get_by_role("button", name="Ajouter", exact=True).click()

    # then the form says so in French, keeping what was typed
    expect(page.get_by_role("alert")).to_have_text("Vérifiez les champs signalés.")
    expect(page.get_by_text("La semaine 54 n'existe pas : les semaines vont de 1 à 53.")).to_be_visible()
    expect(page.get_by_label(re.compile(r"^Semaines\W*$"))).to_have_value("36, 54")

    # when they correct the weeks to a list and a range
    page.get_by_label(re.compile(r"^Semaines\W*$")).fill("36, 38, 40-42")
    page.get_by_role("button", name="Ajouter", exact=True).click()

    # then the pattern shows with its weeks written compactly, and is stored as five ISO weeks
    expect(page.get_by_role("status")).to_have_text("Enregistré.")
    row = page.get_by_role("table", name=re.compile("Rythmes de semaines")).get_by_role(
        "row", name=re.compile("E2E-Q")
    )
    expect(row).to_contain_text("Quinzaine e2e")
    expect(row).to_contain_text("Semaines choisies")
    expect(row).to_contain_text("36, 38, 40-42 (5 semaines)")
    with schema_context(school.schema_name):
        created = WeekPattern.objects.get(code="E2E-Q")
        assert (created.kind, created.iso_weeks) == (PatternKind.CUSTOM, [36, 38, 40, 41, 42])
