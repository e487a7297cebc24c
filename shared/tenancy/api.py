"""The school's identity, served on its own host."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router

from shared.tenancy import selectors
from shared.tenancy.schemas import SchoolOut

router = Router(tags=["Établissement"])


# Public: a school's identity is public registry data (the home page shows it to anyone).
@router.get("", response=SchoolOut, auth=None)
def school_identity(request: HttpRequest) -> SchoolOut:
    return selectors.school_identity(school=request.tenant)  # type: ignore[attr-defined]
