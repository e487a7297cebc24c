"""ARCHITECTURE §3 rules 2–5 and §11's deny-by-default, checked on the code itself."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

ROOT = Path(__file__).resolve().parents[1]
KERNEL_FLOOR = ("mbn.tenancy", "mbn.errors", "mbn.audit")
KERNEL_ROOF = (
    "mbn.settings",
    "mbn.urls_public",
    "mbn.urls_school",
    "mbn.api",
    "mbn.celery",
    "mbn.cli",
    "mbn.wsgi",
)


def _modules(folder: str) -> Iterator[tuple[Path, list[str]]]:
    for path in (ROOT / folder).rglob("*.py"):
        if "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text())
        names: list[str] = []
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names += [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.append(node.module)
        yield path, names


def _violations(folder: str, forbidden: tuple[str, ...], allowed: tuple[str, ...] = ()) -> list[str]:
    return [
        f"{path.relative_to(ROOT)} imports {name}"
        for path, names in _modules(folder)
        for name in names
        if name.startswith(forbidden) and not name.startswith(allowed)
    ]


def test_shared_apps_never_import_school_apps() -> None:
    assert _violations("shared", ("tenants",)) == []


def test_school_apps_reach_shared_apps_through_selectors_and_school_services_only() -> None:
    allowed = (
        "shared.accounts.services",
        "shared.accounts.erasure",
        "shared.tenancy.selectors",
        "shared.catalogue.selectors",
        "shared.catalogue.registry",
        "shared.accounts.models",
        "shared.collectivites.selectors",
        "shared.directory_feed",  # the AAF import keeps its run reports and record states there
    )
    assert _violations("tenants", ("shared",), allowed) == []


def test_kernel_floor_imports_no_app_and_nothing_imports_the_roof() -> None:
    floor = [
        p
        for p in (ROOT / "src" / "mbn").rglob("*.py")
        if str(p.relative_to(ROOT / "src")).replace("/", ".").startswith(KERNEL_FLOOR)
    ]
    floor_violations = [
        f"{path} imports {name}"
        for path, names in _modules("src/mbn")
        if path in floor
        for name in names
        if name.startswith(("shared", "tenants"))
    ]
    roof_violations = _violations("shared", KERNEL_ROOF) + _violations("tenants", KERNEL_ROOF)
    assert floor_violations == []
    assert roof_violations == []


def test_solver_is_pure_python() -> None:
    solver = ROOT / "tenants" / "timetable" / "solver"
    if not solver.exists():
        pytest.skip("no solver package")
    assert _violations("tenants/timetable/solver", ("django", "shared", "mbn")) == []


# Views reachable without login, each with its reason.
PUBLIC_VIEWS = {
    "django.views.generic.base.RedirectView": "public host root → admin (which requires login)",
    "tenants.ent.views.home": "a school's public portal page (public news only for visitors)",
    "shared.accounts.cas.views.CasLoginView": "CAS /cas/login: the login form of every host",
    "shared.accounts.cas.views.CasLogoutView": "CAS /cas/logout: logging out (single logout)",
    "shared.accounts.cas.views.second_factor": "CAS TOTP step, between password and ticket",
    "cas_server.views.ValidateService": "CAS ticket validation: services call it server-side",
    "cas_server.views.Proxy": "CAS /cas/proxy: proxy tickets, authenticated by a PGT",
    "shared.accounts.cas.client.login_redirect": "/connexion/: sends visitors to CAS login",
    "shared.accounts.cas.client.login_return": "/connexion/retour: ticket check and CAS single logout",
    "shared.accounts.cas.client.logout": "/deconnexion/: logging out",
    "shared.accounts.views.PasswordResetView": "forgotten password form",
    "shared.accounts.views.PasswordResetDoneView": "forgotten password: mail sent",
    "shared.accounts.views.PasswordResetConfirmView": "activation and reset links from mails",
    "shared.accounts.views.PasswordResetCompleteView": "password set: go log in",
    "tenants.timetable.views.ical_feed": "calendar apps cannot log in: a secret revocable token is the key",
}
PUBLIC_OPERATIONS = {"school_identity": "a school's identity is public registry data"}


def _patterns(resolver: URLResolver, prefix: str = "") -> Iterator[tuple[str, Any]]:
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield from _patterns(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry.callback


def _view_name(callback: Any) -> str:
    view_class = getattr(callback, "view_class", None)
    target = view_class or callback
    return f"{target.__module__}.{target.__qualname__}"


def _is_guarded(callback: Any) -> bool:
    # DenyByDefaultMiddleware (Django's LoginRequiredMiddleware) guards every view not marked otherwise
    return getattr(callback, "login_required", True) is not False


@pytest.mark.parametrize("urlconf", ["mbn.urls_public", "mbn.urls_school"])
def test_every_page_requires_login_unless_listed(urlconf: str) -> None:
    unguarded = []
    for route, callback in _patterns(get_resolver(urlconf)):
        if route.startswith("api/"):
            continue  # the API's own auth, checked below
        name = _view_name(callback)
        if name not in PUBLIC_VIEWS and not _is_guarded(callback):
            unguarded.append(f"{route} → {name}")
    assert unguarded == []


def test_every_api_operation_has_auth_unless_listed() -> None:
    from ninja.constants import NOT_SET

    from mbn.api.school import school_api

    assert school_api.auth
    unguarded = []
    for _prefix, router in school_api._routers:
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                auth = school_api.auth if operation.auth_param is NOT_SET else operation.auth_param
                if not auth and operation.view_func.__name__ not in PUBLIC_OPERATIONS:
                    unguarded.append(operation.view_func.__name__)
    assert unguarded == []
