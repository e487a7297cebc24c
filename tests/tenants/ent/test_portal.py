"""The portal home lists each person's services, by role, and every link it gives opens."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest

from tenants.directory.models import Role
from tests.conftest import client_on
from tests.tenants.directory.factories import make_person

BUILDER_ONLY = (
    "Génération de l'emploi du temps",
    "Paramétrage de l'emploi du temps",
    "Journal de l'établissement",
)


def _services(page: str) -> dict[str, str]:
    menu = page.split('id="titre-services"', 1)[1].split("</nav>", 1)[0]
    return {html.unescape(label): url for url, label in re.findall(r'<a href="([^"]+)">([^<]+)</a>', menu)}


@pytest.mark.parametrize(
    ("roles", "sees_builder_services"),
    [([Role.DIRECTION], True), ([Role.SCHOOL_ADMIN], True), ([Role.TEACHER], False), ([Role.STUDENT], False),
     ([Role.GUARDIAN], False), ([Role.VIE_SCOLAIRE], False)],
)  # fmt: skip
def test_each_role_sees_its_services_and_every_link_opens(
    school_a: Any, roles: list[str], sees_builder_services: bool
) -> None:
    with school_a.active():
        person = make_person(roles=roles)
    client = client_on(school_a.host, person.account)
    services = _services(client.get("/").content.decode())
    assert "Mon emploi du temps" in services
    assert all((label in services) is sees_builder_services for label in BUILDER_ONLY)
    for label, url in services.items():
        assert client.get(url).status_code == 200, label


def test_a_visitor_gets_no_services(school_a: Any) -> None:
    page = client_on(school_a.host).get("/").content.decode()
    assert 'id="titre-services"' not in page
