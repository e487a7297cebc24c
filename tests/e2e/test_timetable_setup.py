"""Paramétrage in real Chromium: the principal adds a room, then a course that imposes it."""

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
from tenants.timetable.models import Course, Room
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
