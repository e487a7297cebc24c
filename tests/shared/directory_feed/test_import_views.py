"""The collectivity admin's AAF import page (shared/directory_feed/views.py), through the real task."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

from shared.accounts.models import Account
from shared.directory_feed.models import AafImportRun, ImportStatus
from tenants.directory.imports.aaf_generator import generate
from tenants.directory.models import Person
from tests.conftest import UAI_A, UAI_B, SchoolHandle, client_on
from tests.shared.accounts.factories import AccountFactory, collectivity_admin

URL = "/collectivite/annuaire/"


def _zip(tmp_path: Path, uais: list[str], seed: int = 11) -> Path:
    export = generate(tmp_path / "export", people=40, seed=seed, uais=uais)
    archive = tmp_path / "annuaire.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        for path in export.files:
            zipped.write(path, path.relative_to(export.out_dir))
    return archive


def test_admin_uploads_an_archive_and_follows_the_import_to_its_report(
    tmp_path: Path,
    school_a: SchoolHandle,
    public_host: str,
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    # given the Moselle admin (owns collège A) and an archive for collège A
    settings.MBN_AAF_UPLOAD_DIR = tmp_path / "depots"
    admin = collectivity_admin("D57")
    client = client_on(public_host, admin)
    archive = _zip(tmp_path, [UAI_A])
    page = client.get(URL)
    assert page.status_code == 200
    assert "Annuaire académique" in page.content.decode()

    # when they upload it (the task is queued after commit), then follow the progress fragment
    with archive.open("rb") as upload:
        response = client.post(URL, {"archive": upload})
    run = AafImportRun.objects.get(created_by=admin)
    pending = client.get(f"{URL}{run.pk}/", HTTP_HX_REQUEST="true").content.decode()
    with django_capture_on_commit_callbacks(execute=True), archive.open("rb") as upload:
        client.post(URL, {"archive": upload})
    last = AafImportRun.objects.filter(created_by=admin).order_by("-pk").first()
    assert last is not None
    run = last
    done = client.get(f"{URL}{run.pk}/", HTTP_HX_REQUEST="true").content.decode()

    # then a redirect to the run, a polling fragment while pending, the report once done
    assert response.status_code == 302
    assert 'hx-trigger="every 1s"' in pending
    assert "En attente" in pending
    assert run.status == ImportStatus.DONE
    assert run.counts["created"] == 40
    assert run.progress_done == run.progress_total > 0
    assert "hx-trigger" not in done
    assert "Créés" in done
    assert "<html" not in done
    with school_a.active():
        assert Person.objects.filter(account__aaf_jointure__startswith="NANCY-METZ-").count() > 0
    assert not Path(run.stored_path).exists()  # the archive is deleted once imported


def test_departement_admin_cannot_import_into_a_school_it_does_not_administer(
    tmp_path: Path,
    school_a: SchoolHandle,
    school_b: SchoolHandle,
    public_host: str,
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    # given the Moselle admin and an archive that also holds lycée B (the Région's)
    settings.MBN_AAF_UPLOAD_DIR = tmp_path / "depots"
    admin = collectivity_admin("D57")
    client = client_on(public_host, admin)
    archive = _zip(tmp_path, [UAI_A, UAI_B])
    accounts_before = Account.objects.count()

    # when they upload it
    with django_capture_on_commit_callbacks(execute=True), archive.open("rb") as upload:
        client.post(URL, {"archive": upload})

    # then the run is rejected whole, says why in French, and nothing is written in either school
    run = AafImportRun.objects.get(created_by=admin)
    assert run.status == ImportStatus.REJECTED
    assert run.rejection is not None
    assert run.rejection["code"] == "uai_not_owned"
    detail = client.get(f"{URL}{run.pk}/").content.decode()
    assert "n&#x27;est pas administré par votre collectivité" in detail or "n'est pas administré" in detail
    assert Account.objects.count() == accounts_before
    for school in (school_a, school_b):
        with school.active():
            assert not Person.objects.filter(account__aaf_jointure__isnull=False).exists()


def test_admin_never_sees_another_admins_run(
    tmp_path: Path, school_a: SchoolHandle, public_host: str
) -> None:
    # given a run requested by the Région's admin
    region = collectivity_admin("REGION-GE")
    run = AafImportRun.objects.create(source_name="region-marqueur.zip", created_by=region)

    # when the Moselle admin lists runs and opens it
    moselle = client_on(public_host, collectivity_admin("D57"))
    listing = moselle.get(URL).content.decode()
    detail = moselle.get(f"{URL}{run.pk}/")

    # then it is neither listed nor reachable, while its owner sees it
    assert "region-marqueur.zip" not in listing
    assert detail.status_code == 404
    assert "region-marqueur.zip" in client_on(public_host, region).get(URL).content.decode()


def test_upload_refused_without_collectivite_or_with_a_non_zip(
    tmp_path: Path, school_a: SchoolHandle, public_host: str, settings: Any
) -> None:
    # given an account without any collectivity role, and the Moselle admin
    settings.MBN_AAF_UPLOAD_DIR = tmp_path / "depots"
    stranger_account = AccountFactory()
    admin_account = collectivity_admin("D57")
    stranger = client_on(public_host, stranger_account)
    admin = client_on(public_host, admin_account)
    not_zip = tmp_path / "annuaire.zip"
    not_zip.write_text("pas une archive")

    # when each uploads
    with not_zip.open("rb") as upload:
        refused = stranger.post(URL, {"archive": upload})
    with not_zip.open("rb") as upload:
        bad = admin.post(URL, {"archive": upload})

    # then 403 and 400 with French messages, and no run
    assert refused.status_code == 403
    assert "Vous n&#x27;administrez aucun établissement" in refused.content.decode()
    assert bad.status_code == 400
    assert "Déposez une archive .zip" in bad.content.decode()
    assert not AafImportRun.objects.filter(created_by__in=[stranger_account, admin_account]).exists()


def test_import_page_requires_login(public_host: str, school_a: SchoolHandle) -> None:
    response = client_on(public_host).get(URL)
    assert response.status_code == 302
