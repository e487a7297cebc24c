"""JSON API of the timetable: grids, lesson edits, generation, changes, feeds, imports (set-up: setup_api)."""

from datetime import date
from typing import Any, Literal

from django.http import HttpRequest
from ninja import File, Query, Router
from ninja.files import UploadedFile
from ninja.pagination import LimitOffsetPagination, paginate

from mbn.errors import ErrorOut
from tenants.directory.models import Person
from tenants.directory.permissions import roles
from tenants.timetable import import_services, selectors, services
from tenants.timetable.errors import ImportRefused
from tenants.timetable.models import FeedToken, GenerationRun, Lesson, LessonChange, Room
from tenants.timetable.schemas import (
    ChangeIn,
    ChangeOut,
    FeedIn,
    FeedOut,
    GenerationIn,
    GenerationOut,
    GridOut,
    ImportErrorOut,
    ImportReportOut,
    ImportRunOut,
    LessonIn,
    LessonMoveIn,
    LessonOut,
    LessonSwapIn,
    WeekFilter,
)

router = Router(tags=["Emploi du temps"])
builders = roles(*selectors.BUILDERS)
change_recorders = roles(*selectors.SCHOOL_WIDE)


def _viewer(request: HttpRequest) -> Person:
    return request.auth  # type: ignore[attr-defined, no-any-return]


# ---- grids ---------------------------------------------------------------------------------------


@router.get("/grids/me", response=list[GridOut])
def grid_mine(request: HttpRequest, filters: Query[WeekFilter]) -> list[selectors.TimetableGrid]:
    return selectors.my_grids(viewer=_viewer(request), week=filters.week)


@router.get("/grids/classes/{class_id}", response={200: GridOut, 404: ErrorOut})
def grid_class(request: HttpRequest, class_id: int, filters: Query[WeekFilter]) -> selectors.TimetableGrid:
    school_class = selectors.class_get_for(viewer=_viewer(request), class_id=class_id)
    return selectors.class_grid(school_class=school_class, week=filters.week)


@router.get("/grids/teachers/{teacher_id}", response={200: GridOut, 404: ErrorOut})
def grid_teacher(
    request: HttpRequest, teacher_id: int, filters: Query[WeekFilter]
) -> selectors.TimetableGrid:
    teacher = selectors.teacher_get_for(viewer=_viewer(request), teacher_id=teacher_id)
    return selectors.teacher_grid(teacher=teacher, week=filters.week)


@router.get("/grids/rooms/{room_id}", response={200: GridOut, 404: ErrorOut})
def grid_room(request: HttpRequest, room_id: int, filters: Query[WeekFilter]) -> selectors.TimetableGrid:
    room = selectors.room_get_for(viewer=_viewer(request), room_id=room_id)
    return selectors.room_grid(room=room, week=filters.week)


@router.get("/grids/students/{student_id}", response={200: GridOut, 404: ErrorOut})
def grid_student(
    request: HttpRequest, student_id: int, filters: Query[WeekFilter]
) -> selectors.TimetableGrid:
    student = selectors.student_get_for(viewer=_viewer(request), student_id=student_id)
    return selectors.student_grid(student=student, week=filters.week)


# ---- lessons (direction and ENT admin build the timetable) ---------------------------------------


@router.get("/lessons", response=list[LessonOut], auth=builders)
@paginate(LimitOffsetPagination)
def lesson_list(request: HttpRequest) -> Any:
    return selectors.lesson_list_for(viewer=_viewer(request))


@router.post(
    "/lessons", response={201: LessonOut, 400: ErrorOut, 404: ErrorOut, 409: ErrorOut}, auth=builders
)
def lesson_place(request: HttpRequest, payload: LessonIn) -> tuple[int, Lesson]:
    viewer = _viewer(request)
    course = selectors.course_get_for(viewer=viewer, course_id=payload.course_id)
    room = selectors.room_get_optional(viewer=viewer, room_id=payload.room_id)
    return 201, services.lesson_place(
        actor=viewer,
        course=course,
        session=payload.session,
        day=payload.day,
        slot=payload.slot,
        room=room,
        is_pinned=payload.is_pinned,
    )


@router.patch(
    "/lessons/{lesson_id}",
    response={200: LessonOut, 400: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    auth=builders,
)
def lesson_move(request: HttpRequest, lesson_id: int, payload: LessonMoveIn) -> Lesson:
    viewer = _viewer(request)
    lesson = selectors.lesson_get_for(viewer=viewer, lesson_id=lesson_id)
    room: Room | None = lesson.room if payload.keep_room else None
    if payload.room_id is not None:
        room = selectors.room_get_for(viewer=viewer, room_id=payload.room_id)
    return services.lesson_move(
        actor=viewer,
        lesson=lesson,
        day=lesson.day if payload.day is None else payload.day,
        slot=lesson.slot if payload.slot is None else payload.slot,
        room=room,
        is_pinned=payload.is_pinned,
    )


@router.post(
    "/lessons/{lesson_id}/swap", response={200: list[LessonOut], 404: ErrorOut, 409: ErrorOut}, auth=builders
)
def lesson_swap(request: HttpRequest, lesson_id: int, payload: LessonSwapIn) -> list[Lesson]:
    viewer = _viewer(request)
    lesson = selectors.lesson_get_for(viewer=viewer, lesson_id=lesson_id)
    other = selectors.lesson_get_for(viewer=viewer, lesson_id=payload.other_id)
    return list(services.lesson_swap(actor=viewer, lesson=lesson, other=other))


@router.delete("/lessons/{lesson_id}", response={204: None, 404: ErrorOut}, auth=builders)
def lesson_remove(request: HttpRequest, lesson_id: int) -> tuple[int, None]:
    viewer = _viewer(request)
    services.lesson_remove(actor=viewer, lesson=selectors.lesson_get_for(viewer=viewer, lesson_id=lesson_id))
    return 204, None


# ---- generation ----------------------------------------------------------------------------------


@router.post("/generations", response={202: GenerationOut, 400: ErrorOut, 409: ErrorOut}, auth=builders)
def generation_start(request: HttpRequest, payload: GenerationIn) -> tuple[int, GenerationRun]:
    run = services.generation_start(
        requested_by=_viewer(request), time_limit_s=payload.time_limit_s, seed=payload.seed
    )
    # Eager in tests and dev: the run may already be over; show its state as of now.
    run.refresh_from_db()
    return 202, run


@router.get("/generations", response=list[GenerationOut], auth=builders)
@paginate(LimitOffsetPagination)
def generation_list(request: HttpRequest) -> Any:
    return selectors.run_list_for(viewer=_viewer(request))


@router.get("/generations/{run_id}", response={200: GenerationOut, 404: ErrorOut}, auth=builders)
def generation_status(request: HttpRequest, run_id: int) -> GenerationRun:
    run = selectors.run_get_for(viewer=_viewer(request), run_id=run_id)
    if services.generation_run_is_overdue(run):
        services.generation_runs_close_interrupted()
        run.refresh_from_db()
    return run


@router.post(
    "/generations/{run_id}/stop", response={200: GenerationOut, 404: ErrorOut, 409: ErrorOut}, auth=builders
)
def generation_stop(request: HttpRequest, run_id: int) -> GenerationRun:
    viewer = _viewer(request)
    return services.generation_stop(
        requested_by=viewer, run=selectors.run_get_for(viewer=viewer, run_id=run_id)
    )


# ---- daily changes -------------------------------------------------------------------------------


@router.get("/changes", response=list[ChangeOut])
@paginate(LimitOffsetPagination)
def change_list(request: HttpRequest, start_on: date, end_on: date) -> Any:
    return selectors.lesson_change_list_for(viewer=_viewer(request), start_on=start_on, end_on=end_on)


@router.post(
    "/changes", response={201: ChangeOut, 400: ErrorOut, 404: ErrorOut, 409: ErrorOut}, auth=change_recorders
)
def change_record(request: HttpRequest, payload: ChangeIn) -> tuple[int, LessonChange]:
    viewer = _viewer(request)
    lesson = selectors.lesson_get_for_changes(viewer=viewer, lesson_id=payload.lesson_id)
    substitute = (
        None
        if payload.substitute_id is None
        else selectors.teacher_get_for(viewer=viewer, teacher_id=payload.substitute_id)
    )
    room = selectors.room_get_optional(viewer=viewer, room_id=payload.room_id)
    return 201, services.lesson_change_record(
        actor=viewer,
        lesson=lesson,
        on=payload.on,
        is_cancelled=payload.is_cancelled,
        substitute=substitute,
        room=room,
        note=payload.note,
        is_published=payload.is_published,
    )


# ---- iCalendar feeds -----------------------------------------------------------------------------


def _feed_out(request: HttpRequest, feed: FeedToken) -> dict[str, Any]:
    return {
        "id": feed.pk,
        "target_kind": feed.target_kind,
        "target_id": feed.target_id,
        "url": request.build_absolute_uri(f"/ical/{feed.token}.ics"),
        "created_at": feed.created_at,
        "revoked_at": feed.revoked_at,
    }


@router.get("/feeds", response=list[FeedOut])
@paginate(LimitOffsetPagination)
def feed_list(request: HttpRequest) -> list[dict[str, Any]]:
    return [_feed_out(request, feed) for feed in selectors.feed_token_list_for(viewer=_viewer(request))]


@router.post("/feeds", response={201: FeedOut, 404: ErrorOut})
def feed_create(request: HttpRequest, payload: FeedIn) -> tuple[int, dict[str, Any]]:
    feed = services.feed_token_create(
        owner=_viewer(request), target_kind=payload.target_kind, target_id=payload.target_id
    )
    return 201, _feed_out(request, feed)


@router.delete("/feeds/{feed_id}", response={204: None, 404: ErrorOut})
def feed_revoke(request: HttpRequest, feed_id: int) -> tuple[int, None]:
    viewer = _viewer(request)
    services.feed_token_revoke(
        owner=viewer, feed=selectors.feed_token_get_for(viewer=viewer, token_id=feed_id)
    )
    return 204, None


# ---- imports (STS-Web, EDT, UDT) -----------------------------------------------------------------


@router.post(
    "/imports/{file_format}",
    response={200: ImportReportOut, 202: ImportRunOut, 400: ImportErrorOut},
    auth=builders,
)
def import_file(
    request: HttpRequest, file_format: Literal["sts", "edt", "udt"], file: File[UploadedFile]
) -> tuple[int, dict[str, Any]]:
    """Import one file: the report (200), the queued run of a large file (202), or the refusal (400)."""
    data = file.read()
    try:
        result = import_services.import_submit(
            actor=_viewer(request), file_format=file_format, data=data, file_name=file.name or "fichier"
        )
    except ImportRefused as exc:
        return 400, exc.as_dict()
    if isinstance(result, import_services.ImportReport):
        return 200, result.as_dict()
    result.refresh_from_db()  # eager in tests and dev: the run may be over already
    return 202, import_services.import_run_out(result)


@router.get("/imports/runs/{run_id}", response={200: ImportRunOut, 404: ErrorOut}, auth=builders)
def import_run_status(request: HttpRequest, run_id: int) -> dict[str, Any]:
    run = selectors.import_run_get_for(viewer=_viewer(request), run_id=run_id)
    return import_services.import_run_out(run)


# ---- setting up the timetable: rooms, courses, calendar, grid, constraints -----------------------
# Kept in their own module, on this same router (a nested router would escape `school_api._routers`,
# which the permission table and the leak matrix read).
from tenants.timetable import setup_api  # noqa: E402, F401
