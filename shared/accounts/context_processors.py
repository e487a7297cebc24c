from __future__ import annotations

from typing import Any

from django.db import connection
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from shared.accounts.selectors import school_links_for


def my_schools(request: HttpRequest) -> dict[str, Any]:
    """The header's school picker: the logged-in account's schools, evaluated only if a page shows it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"my_schools": []}
    schema: str = connection.schema_name  # type: ignore[attr-defined]  # django-tenants' wrapper
    current = schema if getattr(request, "tenant", None) is not None else None
    port = request.get_port()
    default_port = "443" if request.is_secure() else "80"
    return {
        "my_schools": SimpleLazyObject(lambda: school_links_for(viewer=user, current_schema=current)),
        "host_suffix": "" if port == default_port else f":{port}",
    }
