from __future__ import annotations

from typing import Any

from shared.tenancy.models import RolloutWave, School, SchoolStatus
from tests.conftest import client_on
from tests.shared.accounts.factories import AccountFactory, collectivity_admin


def test_school_list_requires_login(school_a: Any, public_host: str) -> None:
    # when an anonymous visitor opens the admin list, then they are sent to the login page
    response = client_on(public_host).get("/collectivite/")
    assert response.status_code == 302
    assert response["Location"].startswith("/connexion/")


def test_departement_admin_sees_its_colleges_only(school_a: Any, school_b: Any, public_host: str) -> None:
    # given the Moselle admin (owns collège A) and the Région admin (owns lycée B)
    moselle = client_on(public_host, collectivity_admin("D57"))
    region = client_on(public_host, collectivity_admin("REGION-GE"))
    # when each lists their establishments
    seen_by_moselle = moselle.get("/collectivite/").content.decode()
    seen_by_region = region.get("/collectivite/").content.decode()
    # then each sees its own school, never the other's
    assert school_a.school.name in seen_by_moselle
    assert school_b.school.name not in seen_by_moselle
    assert school_b.school.name in seen_by_region
    assert school_a.school.name not in seen_by_region


def test_an_account_without_collectivite_sees_nothing(school_a: Any, public_host: str) -> None:
    # given a logged-in account with no collectivity role
    page = client_on(public_host, AccountFactory()).get("/collectivite/").content.decode()
    # then no establishment is listed
    assert school_a.school.name not in page
    assert "Aucun établissement" in page


def test_filters_narrow_the_list(school_a: Any, public_host: str) -> None:
    # given the Moselle admin
    client = client_on(public_host, collectivity_admin("D57"))
    # when filtering on another kind, then on collèges, via htmx
    lycees = client.get("/collectivite/?kind=lycee_gt", HTTP_HX_REQUEST="true").content.decode()
    colleges = client.get(
        "/collectivite/?kind=college&status=active", HTTP_HX_REQUEST="true"
    ).content.decode()
    # then the fragment lists A only when it matches
    assert school_a.school.name not in lycees
    assert school_a.school.name in colleges
    assert "<html" not in colleges


def test_admin_suspends_and_reactivates_own_school(
    school_a: Any, public_host: str, django_capture_on_commit_callbacks: Any
) -> None:
    # given the Moselle admin
    client = client_on(public_host, collectivity_admin("D57"))
    url = f"/collectivite/etablissements/{school_a.school.pk}"
    # when suspending without a reason, then with one, then reactivating
    refused = client.post(f"{url}/suspendre", {"reason": ""}, HTTP_HX_REQUEST="true")
    assert "Indiquez le motif" in refused.content.decode()
    assert School.objects.get(pk=school_a.school.pk).status == SchoolStatus.ACTIVE
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"{url}/suspendre", {"reason": "Changement de prestataire"}, HTTP_HX_REQUEST="true")
    school = School.objects.get(pk=school_a.school.pk)
    assert school.status == SchoolStatus.SUSPENDED
    change = school.status_changes.first()
    assert change is not None
    assert (change.to_status, change.reason) == ("suspended", "Changement de prestataire")
    assert client_on(school_a.host).get("/").status_code == 503
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"{url}/reactiver", HTTP_HX_REQUEST="true")
    assert School.objects.get(pk=school_a.school.pk).status == SchoolStatus.ACTIVE


def test_admin_cannot_act_on_another_collectivites_school(school_b: Any, public_host: str) -> None:
    # given the Moselle admin and the Région's lycée B
    client = client_on(public_host, collectivity_admin("D57"))
    # when they try to suspend B, then 404 and B stays open
    response = client.post(f"/collectivite/etablissements/{school_b.school.pk}/suspendre", {"reason": "x"})
    assert response.status_code == 404
    assert School.objects.get(pk=school_b.school.pk).status == SchoolStatus.ACTIVE


def test_reactivating_an_open_school_is_a_clear_error(school_a: Any, public_host: str) -> None:
    client = client_on(public_host, collectivity_admin("D57"))
    response = client.post(f"/collectivite/etablissements/{school_a.school.pk}/reactiver")
    assert "pas possible" in response.content.decode()


def test_admin_plans_a_wave_and_provisions_it_with_progress(
    provisioned_schools: Any, db: Any, public_host: str, django_capture_on_commit_callbacks: Any
) -> None:
    # given the Meurthe-et-Moselle admin and two of its collèges without school
    from shared.catalogue.models import Establishment

    client = client_on(public_host, collectivity_admin("D54"))
    chosen = list(Establishment.objects.filter(owner__code="D54", school__isnull=True).order_by("uai")[:2])
    # when they plan a wave
    response = client.post(
        "/collectivite/vagues/",
        {
            "collectivite": chosen[0].owner_id,
            "code": "meurthe-2027",
            "name": "Rentrée 2027",
            "target_on": "2027-09-01",
            "establishments": [e.pk for e in chosen],
        },
    )
    wave = RolloutWave.objects.get(code="meurthe-2027")
    assert response.status_code == 302
    detail = client.get(f"/collectivite/vagues/{wave.pk}/").content.decode()
    assert "0 sur 2" in detail
    # and start the provisioning (tasks run eagerly after commit)
    with django_capture_on_commit_callbacks(execute=True):
        started = client.post(f"/collectivite/vagues/{wave.pk}/creer", HTTP_HX_REQUEST="true")
    assert started.status_code == 200
    progress = client.get(f"/collectivite/vagues/{wave.pk}/?suivi=1", HTTP_HX_REQUEST="true").content.decode()
    # then both schools are open and the progress says so
    assert "2 sur 2" in progress
    assert "Création terminée" in progress
    assert set(wave.schools.values_list("status", flat=True)) == {"active"}


def test_wave_with_another_collectivites_establishment_is_refused(
    provisioned_schools: Any, db: Any, public_host: str
) -> None:
    # given the Moselle admin trying to put a Meurthe-et-Moselle collège in a wave
    from shared.catalogue.models import Establishment

    client = client_on(public_host, collectivity_admin("D57"))
    foreign = Establishment.objects.filter(owner__code="D54", school__isnull=True).first()
    assert foreign is not None
    before = RolloutWave.objects.count()
    response = client.post(
        "/collectivite/vagues/",
        {
            "collectivite": "",
            "code": "x",
            "name": "x",
            "target_on": "2027-09-01",
            "establishments": [foreign.pk],
        },
    )
    # then the form refuses it and nothing is written
    assert response.status_code == 400
    assert RolloutWave.objects.count() == before


def test_another_admin_cannot_see_a_wave(provisioned_schools: Any, db: Any, public_host: str) -> None:
    # given a wave of the Région
    from datetime import date

    from shared.collectivites.models import Collectivite

    wave = RolloutWave.objects.create(
        collectivite=Collectivite.objects.get(code="REGION-GE"),
        code="lycees-27",
        name="Lycées 2027",
        target_on=date(2027, 9, 1),
    )
    # when the Moselle admin opens it or lists waves
    client = client_on(public_host, collectivity_admin("D57"))
    # then 404 and absent from the list
    assert client.get(f"/collectivite/vagues/{wave.pk}/").status_code == 404
    assert client.post(f"/collectivite/vagues/{wave.pk}/creer").status_code == 404
    assert "Lycées 2027" not in client.get("/collectivite/vagues/").content.decode()


def test_collectivity_journal_shows_own_schools_only_and_exports_with_audit(
    school_a: Any, school_b: Any, public_host: str, django_capture_on_commit_callbacks: Any
) -> None:
    # given an event on A (Moselle) and one on B (Région)
    from mbn.audit.models import AuditEvent
    from shared.tenancy import services

    region = collectivity_admin("REGION-GE")
    with django_capture_on_commit_callbacks(execute=True):
        services.school_suspend(actor=region, school=school_b.school, reason="FUITE-motif-region")
        services.school_reactivate(actor=region, school=school_b.school)
    moselle = collectivity_admin("D57")
    with django_capture_on_commit_callbacks(execute=True):
        services.school_suspend(actor=moselle, school=school_a.school, reason="motif-moselle")
    client = client_on(public_host, moselle)
    # when the Moselle admin reads and exports the journal
    page = client.get("/collectivite/journal/").content.decode()
    export = client.get("/collectivite/journal/?format=csv")
    # then A's suspension shows, B's never, and the export is itself audited
    assert "school.suspended" in page
    assert school_a.school.name in page
    assert school_b.school.name not in page
    assert export["Content-Disposition"] == 'attachment; filename="journal-collectivite.csv"'
    assert school_b.school.name not in export.content.decode()
    assert AuditEvent.objects.filter(action="audit.exported", actor_id=moselle.pk).count() == 1
