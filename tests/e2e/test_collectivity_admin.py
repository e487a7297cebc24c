"""The collectivity admin in real Chromium: login, filters, suspension with live effect on the school host."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from shared.accounts.models import Account, CollectivityRole
from shared.tenancy import services
from shared.tenancy.models import School, SchoolStatus
from tests.shared.accounts.factories import collectivity_admin

pytestmark = pytest.mark.e2e
PASSWORD = "mot-de-passe-de-test"


@pytest.fixture
def moselle_admin(django_db_blocker: Any, provisioned_schools: Any) -> Iterator[Account]:
    """Committed (the live server has its own connection), removed afterwards."""
    with django_db_blocker.unblock():
        account = collectivity_admin("D57", username="admin-moselle-e2e")
        yield account
        CollectivityRole.objects.filter(account=account).delete()
        account.delete()


@pytest.fixture
def school_a_reopened(django_db_blocker: Any, provisioned_schools: Any) -> Iterator[School]:
    with django_db_blocker.unblock():
        school = School.objects.get(establishment__uai="0570613G")
        yield school
        school.refresh_from_db()
        if school.status == SchoolStatus.SUSPENDED:
            services.school_reactivate(actor=None, school=school)


def test_admin_logs_in_filters_and_suspends_a_school(
    page: Any, live_port: int, moselle_admin: Account, school_a_reopened: School
) -> None:
    base = f"http://mbn.localhost:{live_port}"
    school_host = f"http://{school_a_reopened.slug}.mbn.localhost:{live_port}/"
    # given the admin logs in with the French form
    page.goto(f"{base}/collectivite/")
    expect(page.get_by_role("heading", name="Connexion")).to_be_visible()
    page.get_by_label("Identifiant").fill("admin-moselle-e2e")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("heading", name="Mes établissements")).to_be_visible()
    # when they filter on collèges (htmx swaps the rows)
    page.get_by_label("Type").select_option("college")
    expect(page).to_have_url(re.compile(r"kind=college"))
    row = page.locator(f"#etablissement-{school_a_reopened.pk}")
    expect(row).to_contain_text(school_a_reopened.name)
    expect(page.get_by_role("cell", name=re.compile("Lycée"))).to_have_count(0)
    # and suspend school A with a reason
    row.get_by_label("Motif").fill("Audit de sécurité")
    row.get_by_role("button", name="Suspendre").click()
    expect(row.locator(".etat")).to_have_text("Suspendu")
    # then the school host shows the French "suspendu" page at once
    school_page = page.context.new_page()
    school_page.goto(school_host)
    expect(school_page.get_by_text("suspendu")).to_be_visible()
    # and reactivation reopens it
    row.get_by_role("button", name="Réactiver").click()
    expect(row.locator(".etat")).to_have_text("Ouvert")
    school_page.goto(school_host)
    expect(school_page.get_by_role("heading", level=1)).to_have_text(school_a_reopened.name)


def test_school_home_is_keyboard_reachable_and_in_french(
    page: Any, live_port: int, provisioned_schools: Any
) -> None:
    # given a school's home page
    school = provisioned_schools["0573458Z"]
    page.goto(f"http://{school.slug}.mbn.localhost:{live_port}/")
    # then it is French, has one h1 with the school's name and a skip link reached first by Tab
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_role("heading", level=1)).to_have_text(school.name)
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Aller au contenu")).to_be_focused()
    expect(page.get_by_role("heading", name="Actualités")).to_be_visible()
