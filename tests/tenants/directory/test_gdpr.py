from __future__ import annotations

import html
from datetime import date
from typing import Any

from mbn.audit.models import AuditEvent
from shared.accounts.models import Account, SchoolAccess
from tenants.directory.gdpr import ERASED_NAME, people_departed_purge
from tenants.directory.models import ClassMembership, GuardianKind, Guardianship, Person, Role, SchoolClass
from tenants.directory.services import person_enrol
from tenants.ent.models import NewsItem
from tests.shared.accounts.factories import make_account
from tests.tenants.directory.factories import make_person


def _pupil_with_parent(prefix: str) -> tuple[Person, Person]:
    pupil = make_person(roles=[Role.STUDENT], display_name=f"{prefix}-eleve")
    ClassMembership.objects.create(
        student=pupil, school_class=SchoolClass.objects.create(code=f"{prefix}5B", label=f"5e B {prefix}")
    )
    parent = make_person(roles=[Role.GUARDIAN], display_name=f"{prefix}-parent")
    Guardianship.objects.create(guardian=parent, student=pupil, kind=GuardianKind.LEGAL_1)
    return pupil, parent


def test_a_person_downloads_their_data_and_the_access_is_audited(
    school_a: Any, school_b: Any, api_as: Any
) -> None:
    # given a pupil with a parent in A, and a namesake family in B
    with school_b.active():
        _pupil_with_parent("B")
    with school_a.active():
        pupil, _parent = _pupil_with_parent("A")
    # when the pupil downloads their data (API, page and JSON file)
    api = api_as(pupil, school_a).get("/api/v1/directory/me/data")
    page = api_as(pupil, school_a).get("/moi/donnees/")
    download = api_as(pupil, school_a).get("/moi/donnees/?format=json")
    # then their class and their parent are there, nothing from B, and each access left an audit row
    body = api.content.decode()
    assert api.status_code == 200
    assert "5e B A" in body
    assert "A-parent" in body
    assert "B-" not in body
    assert "Annuaire de l'établissement" in html.unescape(page.content.decode())
    assert download["Content-Disposition"] == 'attachment; filename="mes-donnees.json"'
    with school_a.active():
        assert AuditEvent.objects.filter(action="gdpr.exported").count() == 3


def test_direction_erases_a_pupil_keeping_an_anonymous_card(school_a: Any, api_as: Any) -> None:
    # given a pupil (account in A only) with a parent and a news item written by the head
    with school_a.active():
        pupil, parent = _pupil_with_parent("A")
        head = make_person(roles=[Role.DIRECTION], display_name="A-direction")
        NewsItem.objects.create(title="Sortie au musée", author=pupil)
    account_id = pupil.account_id
    # when the head erases the pupil with a reason
    response = api_as(head, school_a).post(
        f"/api/v1/directory/people/{pupil.pk}/erase",
        {"reason": "demande de la famille"},
        content_type="application/json",
    )
    # then the card is anonymous, links are gone, the news stays without author, the account is anonymised
    assert response.status_code == 200
    assert response.json()["erased"]["directory"] >= 3
    with school_a.active():
        erased = Person.objects.get(pk=pupil.pk)
        assert (erased.display_name, erased.is_active, erased.roles) == (ERASED_NAME, False, [])
        assert not Guardianship.objects.filter(guardian=parent).exists()
        assert NewsItem.objects.get(title="Sortie au musée").author is None
        event = AuditEvent.objects.get(action="gdpr.erased")
        assert event.data["reason"] == "demande de la famille"
    account = Account.objects.get(pk=account_id)
    assert account.username == f"supprime-{account_id}"
    assert not account.has_usable_password()


def test_erasure_keeps_an_account_still_used_in_another_school(school_a: Any, school_b: Any) -> None:
    # given one account with a membership in A and in B
    account = make_account(username="parent-deux-ecoles")
    with school_a.active():
        in_a = person_enrol(account=account, roles=[Role.GUARDIAN])
    with school_b.active():
        person_enrol(account=account, roles=[Role.GUARDIAN])
    # when A erases its membership
    from tenants.directory.gdpr import person_erase

    with school_a.active():
        person_erase(actor=None, person=in_a, reason="départ")
    # then the account survives for B, and A is gone from its school list
    account.refresh_from_db()
    assert account.username == "parent-deux-ecoles"
    assert SchoolAccess.objects.filter(account=account).count() == 1
    with school_b.active():
        assert Person.objects.get(account=account).is_active


def test_only_the_direction_exports_or_erases_others(school_a: Any, school_b: Any, api_as: Any) -> None:
    with school_a.active():
        pupil, parent = _pupil_with_parent("A")
        teacher = make_person(roles=[Role.TEACHER])
    with school_b.active():
        head_b = make_person(roles=[Role.DIRECTION])
    payload = {"reason": "essai"}
    by_teacher = api_as(teacher, school_a).post(
        f"/api/v1/directory/people/{pupil.pk}/erase", payload, content_type="application/json"
    )
    by_parent = api_as(parent, school_a).get(f"/api/v1/directory/people/{pupil.pk}/data")
    by_head_b = api_as(head_b, school_a).get(f"/api/v1/directory/people/{pupil.pk}/data")
    with school_a.active():
        head_a = make_person(roles=[Role.DIRECTION])
    short_reason = api_as(head_a, school_a).post(
        f"/api/v1/directory/people/{pupil.pk}/erase", {"reason": "x"}, content_type="application/json"
    )
    assert by_teacher.status_code == 403
    assert by_parent.status_code == 403
    assert by_head_b.status_code == 403
    assert short_reason.status_code == 422
    assert short_reason.json()["code"] == "invalid_input"
    with school_a.active():
        assert Person.objects.get(pk=pupil.pk).display_name == "A-eleve"


def test_periodic_purge_erases_leavers_after_the_delay_only(school_a: Any, settings: Any) -> None:
    # given a delay of 30 days, one pupil gone 40 days ago, one 10 days ago
    settings.MBN_GDPR_LEAVER_RETENTION_DAYS = 30
    with school_a.active():
        old, _ = _pupil_with_parent("old")
        recent, _ = _pupil_with_parent("recent")
        Person.objects.filter(pk=old.pk).update(left_on=date(2026, 10, 1))
        Person.objects.filter(pk=recent.pk).update(left_on=date(2026, 11, 1))
        # when the purge runs on 10 November, twice
        first = people_departed_purge(today=date(2026, 11, 10))
        second = people_departed_purge(today=date(2026, 11, 10))
        # then only the old leaver is erased, once, and each run is audited
        assert (first, second) == (1, 0)
        assert Person.objects.get(pk=old.pk).display_name == ERASED_NAME
        assert Person.objects.get(pk=recent.pk).display_name == "recent-eleve"
        assert AuditEvent.objects.filter(action="gdpr.purge_run").count() == 2


def test_nightly_fan_out_runs_the_purge_in_every_open_school(school_a: Any, school_b: Any) -> None:
    # given the beat entry and two open schools
    from mbn.celery import app
    from tenants.directory.tasks import people_departed_purge_fanout_task

    entry = app.conf.beat_schedule["people-departed-purge"]
    # when the fan-out runs (tasks run in-process in tests)
    sent = people_departed_purge_fanout_task.apply().get()
    # then one purge per open school, each audited in its own schema
    assert entry["task"] == people_departed_purge_fanout_task.name
    assert sent >= 2
    for school in (school_a, school_b):
        with school.active():
            assert AuditEvent.objects.filter(action="gdpr.purge_run").count() == 1
