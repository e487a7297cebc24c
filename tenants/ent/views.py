from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from shared.tenancy.selectors import school_identity
from tenants.ent.selectors import news_list_for, notification_list_for, portal_services_for


@login_not_required
def home(request: HttpRequest) -> HttpResponse:
    """The school's portal home: its identity and the news the visitor may read."""
    person = request.person  # type: ignore[attr-defined]
    context = {
        "school": school_identity(school=request.tenant),  # type: ignore[attr-defined]
        "person": person,
        "news": news_list_for(viewer=person)[:10],
        "notifications": notification_list_for(viewer=person)[:5] if person is not None else [],
        "services": portal_services_for(viewer=person),
    }
    return render(request, "ent/home.html", context)
