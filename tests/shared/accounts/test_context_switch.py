"""Context switch: my schools (public host and school header), a guardian's child kept in the session."""

from __future__ import annotations

from typing import Any, cast

from tenants.directory.models import Guardianship, Person, Role
from tenants.directory.services import person_enrol
from tests.conftest import client_on
from tests.shared.accounts.factories import account_make
from tests.tenants.directory.factories import PersonFactory, StudentFactory


def test_my_schools_lists_every_school_of_mine_and_no_other(
    school_a: Any, school_b: Any, public_host: str
) -> None:
    # given a teacher in both schools and a pupil in school B only
    teacher = account_make(username="prof-deux-etabs")
    pupil = account_make(username="eleve-b-seul")
    with school_a.active():
        person_enrol(account=teacher, roles=[Role.TEACHER])
    with school_b.active():
        person_enrol(account=teacher, roles=[Role.TEACHER])
        person_enrol(account=pupil, roles=[Role.STUDENT])
    # when each opens "Mes établissements" on the public host
    mine = client_on(public_host, teacher).get("/compte/etablissements/").content.decode()
    theirs = client_on(public_host, pupil).get("/compte/etablissements/").content.decode()
    # then the teacher sees links to both hosts, the pupil only school B
    assert f"//{school_a.host}/" in mine
    assert f"//{school_b.host}/" in mine
    assert f"//{school_b.host}/" in theirs
    assert school_a.host not in theirs
    # and on a school host the header picker lists the same schools, the current one marked
    header = client_on(school_b.host, teacher).get("/").content.decode()
    assert f"//{school_a.host}/" in header
    assert f'href="http://{school_b.host}/" aria-current="page"' in header


def test_anonymous_visitors_are_sent_to_cas_for_my_schools(public_host: str) -> None:
    response = client_on(public_host).get("/compte/etablissements/")
    assert response.status_code == 302
    assert response["Location"].startswith("/connexion/")


def test_a_guardian_picks_a_child_and_the_choice_survives_navigation(school_a: Any, school_b: Any) -> None:
    # given a parent with two children in school A, and a pupil of A who is not theirs
    with school_a.active():
        parent = cast(Person, PersonFactory(roles=[Role.GUARDIAN]))
        first = StudentFactory(display_name="Alice Marchal")
        second = StudentFactory(display_name="Bastien Marchal")
        stranger = StudentFactory(display_name="Zoé Inconnue")
        for child in (first, second):
            Guardianship.objects.create(guardian=parent, student=child, kind="legal_1")
    client = client_on(school_a.host, parent.account)
    # when they pick the second child from the home page, then browse
    picked = client.post("/contexte/enfant", {"child_id": second.pk, "next": "/contexte/"})
    home = client.get("/").content.decode()
    context_page = client.get("/contexte/").content.decode()
    # then the choice holds on every page, the stranger never appears
    assert picked.status_code == 302
    assert picked["Location"] == "/contexte/"
    for page in (home, context_page):
        assert "Enfant suivi : <strong>Bastien Marchal</strong>" in page
        assert "Alice Marchal" in page
        assert "Zoé Inconnue" not in page
    # and picking someone else's child is refused without changing the choice
    refused = client.post("/contexte/enfant", {"child_id": stranger.pk})
    assert refused.status_code == 404
    assert "Enfant suivi : <strong>Bastien Marchal</strong>" in client.get("/").content.decode()


def test_a_child_id_of_another_school_is_refused(school_a: Any, school_b: Any) -> None:
    # given a parent in school A and a pupil of school B (ids repeat across schemas)
    with school_a.active():
        parent = cast(Person, PersonFactory(roles=[Role.GUARDIAN]))
        own = StudentFactory(display_name="Enfant A")
        Guardianship.objects.create(guardian=parent, student=own, kind="legal_1")
    with school_b.active():
        other = StudentFactory(display_name="Enfant B")
    client = client_on(school_a.host, parent.account)
    # when they send B's pupil id on A's host, then on B's host
    on_a = client.post("/contexte/enfant", {"child_id": other.pk + 100000})
    on_b = client_on(school_b.host, parent.account).post("/contexte/enfant", {"child_id": other.pk})
    # then nothing is chosen: 404 on A; on B they are not a member at all
    assert on_a.status_code == 404
    assert on_b.status_code in (403, 404)
    assert "Enfant B" not in client.get("/").content.decode()


def test_pupils_and_teachers_have_no_child_picker(school_a: Any) -> None:
    with school_a.active():
        teacher = PersonFactory(roles=[Role.TEACHER])
    page = client_on(school_a.host, teacher.account).get("/").content.decode()
    assert "choix-enfant" not in page
    assert (
        client_on(school_a.host, teacher.account).post("/contexte/enfant", {"child_id": 1}).status_code == 404
    )
