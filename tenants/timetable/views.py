"""Timetable pages (grids with a week A/B switch, generation with live progress) and the iCalendar feed."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from mbn.errors import DomainError, NotFound
from tenants.directory.models import Person
from tenants.timetable import ical, import_services, selectors, services
from tenants.timetable.errors import ImportRefused
from tenants.timetable.models import PatternKind

WEEKS = (("", "Toutes les semaines"), (PatternKind.WEEK_A, "Semaine A"), (PatternKind.WEEK_B, "Semaine B"))


def _viewer(request: HttpRequest) -> Person:
    person = getattr(request, "person", None)
    if person is None:
        raise NotFound()
    return person  # type: ignore[no-any-return]


def _week(request: HttpRequest) -> str | None:
    week = request.GET.get("semaine", "")
    return week if week in (PatternKind.WEEK_A, PatternKind.WEEK_B) else None


def _not_found(request: HttpRequest) -> HttpResponse:
    return render(request, "errors/not_found.html", status=404)


def _grid_page(
    request: HttpRequest, build: Callable[[Person, str | None], list[selectors.TimetableGrid]], heading: str
) -> HttpResponse:
    try:
        viewer = _viewer(request)
        week = _week(request)
        grids = build(viewer, week)
    except NotFound:
        return _not_found(request)
    context = {
        "grids": grids,
        "heading": heading,
        "week": week or "",
        "weeks": WEEKS,
        "path": request.path,
        "can_edit": viewer.has_role(*selectors.BUILDERS),
    }
    template = "timetable/_grids.html" if request.htmx else "timetable/grid_page.html"  # type: ignore[attr-defined]
    return render(request, template, context)


@require_GET
def my_timetable(request: HttpRequest) -> HttpResponse:
    return _grid_page(
        request, lambda viewer, week: selectors.my_grids(viewer=viewer, week=week), "Mon emploi du temps"
    )


@require_GET
def class_timetable(request: HttpRequest, class_id: int) -> HttpResponse:
    def build(viewer: Person, week: str | None) -> list[selectors.TimetableGrid]:
        school_class = selectors.class_get_for(viewer=viewer, class_id=class_id)
        return [selectors.class_grid(school_class=school_class, week=week)]

    return _grid_page(request, build, "Emploi du temps de la classe")


@require_GET
def teacher_timetable(request: HttpRequest, teacher_id: int) -> HttpResponse:
    def build(viewer: Person, week: str | None) -> list[selectors.TimetableGrid]:
        teacher = selectors.teacher_get_for(viewer=viewer, teacher_id=teacher_id)
        return [selectors.teacher_grid(teacher=teacher, week=week)]

    return _grid_page(request, build, "Emploi du temps de l'enseignant")


@require_GET
def room_timetable(request: HttpRequest, room_id: int) -> HttpResponse:
    def build(viewer: Person, week: str | None) -> list[selectors.TimetableGrid]:
        room = selectors.room_get_for(viewer=viewer, room_id=room_id)
        return [selectors.room_grid(room=room, week=week)]

    return _grid_page(request, build, "Occupation de la salle")


# ---- moving a lesson by choosing its new time and room (direction, ENT admin) -------------------


def lesson_move(request: HttpRequest, lesson_id: int) -> HttpResponse:
    """GET: the move form (htmx fragment); POST: move, with the clashes listed if it is refused."""
    try:
        viewer = _builder(request)
        lesson = selectors.lesson_get_for(viewer=viewer, lesson_id=lesson_id)
    except NotFound:
        return _not_found(request)
    days, slots, _open = selectors.grid_frame()
    rooms = selectors.room_list_for(viewer=viewer)
    error = ""
    if request.method == "POST":
        try:
            room_id = request.POST.get("room", "")
            services.lesson_move(
                actor=viewer,
                lesson=lesson,
                day=int(request.POST.get("day", "")),
                slot=int(request.POST.get("slot", "")),
                room=selectors.room_get_for(viewer=viewer, room_id=int(room_id)) if room_id else None,
                is_pinned=request.POST.get("is_pinned") == "on",
            )
        except ValueError:
            error = "Choisissez un jour et un créneau."
        except DomainError as exc:
            error = exc.message
        else:
            response = HttpResponse(status=204)
            response["HX-Refresh"] = "true"  # the grid is drawn again with the lesson at its new place
            return response
    context = {"lesson": lesson, "days": days, "slots": slots, "rooms": rooms, "error": error}
    return render(request, "timetable/_lesson_move.html", context, status=409 if error else 200)


# ---- generation (direction, ENT admin) -----------------------------------------------------------


def _builder(request: HttpRequest) -> Person:
    viewer = _viewer(request)
    if not viewer.has_role(*selectors.BUILDERS):
        raise NotFound()
    return viewer


def generation_page(request: HttpRequest) -> HttpResponse:
    try:
        viewer = _builder(request)
    except NotFound:
        return _not_found(request)
    error = ""
    if request.method == "POST":
        try:
            limit = int(request.POST.get("time_limit_s", "60"))
        except ValueError:
            limit = 0
        if not 1 <= limit <= 3600:
            error = "Indiquez une durée entre 1 et 3 600 secondes."
        else:
            try:
                run = services.generation_start(requested_by=viewer, time_limit_s=limit)
            except DomainError as exc:
                error = exc.message
            else:
                return redirect("timetable:generation_detail", run_id=run.pk)
    runs = selectors.run_list_for(viewer=viewer)[:10]
    return render(
        request, "timetable/generation.html", {"runs": runs, "error": error}, status=400 if error else 200
    )


def generation_detail(request: HttpRequest, run_id: int) -> HttpResponse:
    try:
        run = selectors.run_get_for(viewer=_builder(request), run_id=run_id)
    except NotFound:
        return _not_found(request)
    if services.generation_run_is_overdue(
        run
    ):  # a run whose worker died is shown as interrupted, and the page stops polling
        services.generation_runs_close_interrupted()
        run.refresh_from_db()
    template = "timetable/_run_progress.html" if request.htmx else "timetable/generation_detail.html"  # type: ignore[attr-defined]
    return render(request, template, _run_context(run))


@require_POST
def generation_stop(request: HttpRequest, run_id: int) -> HttpResponse:
    try:
        viewer = _builder(request)
        run = selectors.run_get_for(viewer=viewer, run_id=run_id)
    except NotFound:
        return _not_found(request)
    error = ""
    try:
        run = services.generation_stop(requested_by=viewer, run=run)
    except DomainError as exc:
        error = exc.message
    return render(request, "timetable/_run_progress.html", {**_run_context(run), "error": error})


def _run_context(run: Any) -> dict[str, Any]:
    elapsed = run.progress[-1][0] if run.progress else 0
    return {
        "run": run,
        "percent": min(100, round(100 * elapsed / run.time_limit_s)) if run.time_limit_s else 0,
    }


# ---- imports (direction, ENT admin) -------------------------------------------------------------

IMPORT_FORMATS = (
    ("sts", "STS-Web (structures et services des enseignants, fichier sts_emp_….xml ou .zip)"),
    ("edt", "EDT d'Index Éducation (emploi du temps : fichier chiffré exporté pour l'ENT, ou XML déchiffré)"),
    ("udt", "UDT (UnDeuxTemps : archive .zip des fichiers UDCal, ou export CSV de l'emploi du temps)"),
)


def import_page(request: HttpRequest) -> HttpResponse:
    try:
        viewer = _builder(request)
    except NotFound:
        return _not_found(request)
    context: dict[str, Any] = {"formats": IMPORT_FORMATS, "chosen": "sts"}
    status = 200
    if request.method == "POST":
        file_format = request.POST.get("format", "")
        upload = request.FILES.get("fichier")
        context["chosen"] = file_format
        if file_format not in dict(IMPORT_FORMATS):
            context["error"] = {"message": "Choisissez le type de fichier."}
        elif upload is None:
            context["error"] = {"message": "Choisissez un fichier à importer."}
        else:
            try:
                result = import_services.import_submit(
                    actor=viewer,
                    file_format=file_format,
                    data=upload.read(),
                    file_name=upload.name or "fichier",
                )
            except ImportRefused as exc:
                context["error"] = exc.as_dict()
            else:
                if isinstance(result, import_services.ImportReport):
                    context["report"] = result.as_dict()
                else:
                    return redirect("timetable:import_detail", run_id=result.pk)
        status = 400 if "error" in context else 200
    context["runs"] = selectors.import_run_list_for(viewer=viewer)[:10]
    return render(request, "timetable/import.html", context, status=status)


def import_detail(request: HttpRequest, run_id: int) -> HttpResponse:
    try:
        run = selectors.import_run_get_for(viewer=_builder(request), run_id=run_id)
    except NotFound:
        return _not_found(request)
    template = "timetable/_import_progress.html" if request.htmx else "timetable/import_detail.html"  # type: ignore[attr-defined]
    return render(request, template, {"run": import_services.import_run_out(run)})


# ---- iCalendar feed ------------------------------------------------------------------------------


@login_not_required
@require_GET
def ical_feed(request: HttpRequest, token: str) -> HttpResponse:
    """A timetable feed for calendar apps, which cannot log in: the secret token is the credential."""
    feed = selectors.feed_token_active(token=token)
    body = ical.feed_render(feed=feed) if feed is not None else None
    if body is None:
        return HttpResponse("Flux introuvable.", status=404, content_type="text/plain; charset=utf-8")
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    headers = {"ETag": etag, "Cache-Control": "private, max-age=900"}
    if etag in request.headers.get("If-None-Match", ""):
        return HttpResponse(status=304, headers=headers)
    return HttpResponse(body, content_type="text/calendar; charset=utf-8", headers=headers)
