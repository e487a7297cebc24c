"""Collectivity admin pages on the public host: establishments, rollout waves, suspension."""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from mbn.audit.services import audit_export
from mbn.errors import DomainError
from shared.accounts.models import Account
from shared.catalogue import selectors as catalogue_selectors
from shared.collectivites import selectors as collectivite_selectors
from shared.tenancy import selectors, services
from shared.tenancy.forms import SchoolFilterForm, SuspendForm, WaveForm
from shared.tenancy.models import RolloutWave, School

PAGE_SIZE = 50


def school_list(request: HttpRequest) -> HttpResponse:
    form = SchoolFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    schools = selectors.school_list_for(viewer=_viewer(request), **filters)
    page = int(request.GET.get("page", "1")) if request.GET.get("page", "1").isdigit() else 1
    shown = list(schools[(page - 1) * PAGE_SIZE : page * PAGE_SIZE + 1])
    context = {
        "form": form,
        "schools": shown[:PAGE_SIZE],
        "page": page,
        "has_next": len(shown) > PAGE_SIZE,
        "collectivites": collectivite_selectors.collectivite_list_for(viewer=_viewer(request)),
    }
    template = "tenancy/_school_rows.html" if request.htmx else "tenancy/school_list.html"  # type: ignore[attr-defined]
    return render(request, template, context)


def _viewer(request: HttpRequest) -> Account:
    # DenyByDefaultMiddleware lets only logged-in accounts reach these pages.
    return cast(Account, request.user)


def _school_action(request: HttpRequest, school_id: int, act: Callable[[School], School]) -> HttpResponse:
    """Apply one status service to one of the viewer's schools and render its table row again."""
    try:
        school = selectors.school_get_for(viewer=_viewer(request), school_id=school_id)
    except School.DoesNotExist:
        return render(request, "errors/not_found.html", status=404)
    error = ""
    try:
        school = act(school)
    except DomainError as exc:
        error = exc.message
    return render(request, "tenancy/_school_row.html", {"school": school, "error": error})


@require_POST
def school_suspend(request: HttpRequest, school_id: int) -> HttpResponse:
    form = SuspendForm(request.POST)

    def suspend(school: School) -> School:
        if not form.is_valid():
            raise DomainError("Indiquez le motif de la suspension.")
        return services.school_suspend(
            actor=_viewer(request), school=school, reason=form.cleaned_data["reason"]
        )

    return _school_action(request, school_id, suspend)


@require_POST
def school_reactivate(request: HttpRequest, school_id: int) -> HttpResponse:
    return _school_action(
        request, school_id, lambda school: services.school_reactivate(actor=_viewer(request), school=school)
    )


def wave_list(request: HttpRequest) -> HttpResponse:
    viewer = _viewer(request)
    collectivites = collectivite_selectors.collectivite_list_for(viewer=viewer)
    establishments = catalogue_selectors.establishment_list_for(viewer=viewer, without_school=True)
    form = WaveForm(request.POST or None, collectivites=collectivites, establishments=establishments)
    error = ""
    if request.method == "POST" and form.is_valid():
        try:
            wave = services.wave_create(actor=viewer, **form.cleaned_data)
        except DomainError as exc:
            error = exc.message
        else:
            return redirect("tenancy:wave_detail", wave_id=wave.pk)
    context = {
        "waves": selectors.wave_list_for(viewer=viewer),
        "form": form,
        "error": error,
    }
    return render(request, "tenancy/wave_list.html", context, status=400 if form.errors or error else 200)


def wave_detail(request: HttpRequest, wave_id: int) -> HttpResponse:
    try:
        wave = selectors.wave_get_for(viewer=_viewer(request), wave_id=wave_id)
    except RolloutWave.DoesNotExist:
        return render(request, "errors/not_found.html", status=404)
    context = _wave_context(wave, following=request.GET.get("suivi") == "1")
    template = "tenancy/_wave_progress.html" if request.htmx else "tenancy/wave_detail.html"  # type: ignore[attr-defined]
    return render(request, template, context)


@require_POST
def wave_provision(request: HttpRequest, wave_id: int) -> HttpResponse:
    try:
        wave = selectors.wave_get_for(viewer=_viewer(request), wave_id=wave_id)
    except RolloutWave.DoesNotExist:
        return render(request, "errors/not_found.html", status=404)
    services.wave_provision_start(actor=_viewer(request), wave=wave)
    wave = selectors.wave_get_for(viewer=_viewer(request), wave_id=wave_id)
    context = _wave_context(wave, following=True)
    return render(request, "tenancy/_wave_progress.html", context)


def _wave_context(wave: RolloutWave, *, following: bool = False) -> dict[str, object]:
    return {
        "wave": wave,
        "progress": selectors.wave_progress(wave=wave),
        "schools": selectors.wave_schools(wave=wave),
        "following": following,
    }


def audit_log(request: HttpRequest) -> HttpResponse:
    """What happened to the viewer's schools and waves; CSV export with ?format=csv (audited)."""
    viewer = _viewer(request)
    action = request.GET.get("action", "")[:100]
    events = selectors.audit_events_for(viewer=viewer, action=action)
    if request.GET.get("format") == "csv":
        response = HttpResponse(
            audit_export(actor=viewer, action_filter=action, events=events),
            content_type="text/csv; charset=utf-8",
        )
        response["Content-Disposition"] = 'attachment; filename="journal-collectivite.csv"'
        return response
    return render(request, "tenancy/audit.html", {"events": events[:PAGE_SIZE], "action": action})
