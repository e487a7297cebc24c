"""The leak matrix: every page and API operation, called by every role of school A against school B's objects.

Endpoints are found by walking the URLconfs and the ninja API, so what is added later is covered with no
extra work. Path parameters are filled with ids of objects created in school B (and, where a module
registers one, objects of school A that the role may not see). Modules register how to make those objects:

    register_objects("lesson_id", make_lesson)   # make_lesson(role_context) -> SecretObject

The checks, for each (endpoint, method, role): no 500; none of B's markers in the answer; a write refused
to a role the endpoint does not list; a stranger (member of B only) refused on A's host.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver


@dataclass(frozen=True)
class SecretObject:
    """An object a viewer must not reach: its id and a distinctive text that must never be shown."""

    pk: int
    marker: str


Provider = Callable[[Any], SecretObject]
_PROVIDERS: dict[str, Provider] = {}


def register_objects(parameter: str, provider: Provider) -> None:
    """Say how to make an object for a path parameter (`lesson_id`…), in the schema that is active."""
    _PROVIDERS[parameter] = provider


def providers() -> dict[str, Provider]:
    return dict(_PROVIDERS)


@dataclass(frozen=True)
class Endpoint:
    kind: str  # "page" or "api"
    path: str  # with {parameter} placeholders
    methods: tuple[str, ...]
    allowed_roles: frozenset[str] | None = None  # None: any member (or public); API only
    is_public: bool = False
    parameters: tuple[str, ...] = field(default=())

    def url(self, values: dict[str, int]) -> str:
        return "/" + re.sub(r"\{(\w+)\}", lambda m: str(values.get(m.group(1), 987654)), self.path).lstrip(
            "/"
        )


_CONVERTER = re.compile(r"<(?:\w+:)?(\w+)>")


def _page_endpoints(urlconf: str) -> Iterator[Endpoint]:
    def walk(resolver: URLResolver, prefix: str) -> Iterator[tuple[str, Any]]:
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                yield from walk(entry, prefix + str(entry.pattern))
            elif isinstance(entry, URLPattern):
                yield prefix + str(entry.pattern), entry.callback

    for route, callback in walk(get_resolver(urlconf), ""):
        if route.startswith("api/") or route.startswith("^"):
            continue
        path = _CONVERTER.sub(lambda m: "{" + m.group(1) + "}", route)
        yield Endpoint(
            kind="page",
            path=path,
            methods=("GET", "POST"),
            is_public=getattr(callback, "login_required", True) is False,
            parameters=tuple(_CONVERTER.findall(route)),
        )


def _api_endpoints() -> Iterator[Endpoint]:
    from ninja.constants import NOT_SET

    from mbn.api.school import school_api

    for prefix, router in school_api._routers:
        for route, path_view in router.path_operations.items():
            for operation in path_view.operations:
                auth = school_api.auth if operation.auth_param is NOT_SET else operation.auth_param
                checks = auth if isinstance(auth, list | tuple) else [auth]
                allowed: list[frozenset[str] | None] = [
                    getattr(check, "allowed_roles", None) for check in checks if check
                ]
                path = f"api/v1/{prefix.strip('/')}/{route.strip('/')}".rstrip("/")
                path = re.sub(r"/+", "/", path)
                yield Endpoint(
                    kind="api",
                    path=path,
                    methods=tuple(operation.methods),
                    allowed_roles=frozenset().union(*[a for a in allowed if a])
                    if allowed and all(allowed)
                    else None,
                    is_public=not auth,
                    parameters=tuple(re.findall(r"\{(\w+)\}", route)),
                )


def school_endpoints() -> list[Endpoint]:
    return [*_page_endpoints("mbn.urls_school"), *_api_endpoints()]


def public_endpoints() -> list[Endpoint]:
    return list(_page_endpoints("mbn.urls_public"))
