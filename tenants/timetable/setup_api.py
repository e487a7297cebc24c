"""JSON API for setting up the timetable: rooms, courses, calendar, week patterns, weekly grid, constraints.

The operations hang on the timetable router (``tenants.timetable.api.router``), which imports this module
once it exists: one router per app, so that the permission table and the leak matrix see every operation.
"""

# No `from __future__ import annotations`: ninja reads Query[...] annotations at import time.

from typing import Any

from django.http import HttpRequest
from ninja import Query
from ninja.pagination import LimitOffsetPagination, paginate

from mbn.errors import ErrorOut
from tenants.directory.models import Person, SchoolClass
from tenants.directory.permissions import roles
from tenants.timetable import selectors, setup_services
from tenants.timetable.api import _viewer, builders, router
from tenants.timetable.models import (
    Course,
    DailyLimit,
    Holiday,
    Period,
    Room,
    SchoolYear,
    TimeSlot,
    Unavailability,
    WeekPattern,
)
from tenants.timetable.schemas import (
    CourseFilter,
    CourseIn,
    CourseOut,
    DailyLimitIn,
    DailyLimitOut,
    HolidayIn,
    HolidayOut,
    PeriodIn,
    PeriodOut,
    RoomIn,
    RoomOut,
    SchoolYearIn,
    SchoolYearOut,
    TimeSlotChangeIn,
    TimeSlotIn,
    TimeSlotOut,
    UnavailabilityIn,
    UnavailabilityOut,
    WeekAlternateIn,
    WeekAlternateRecomputeIn,
    WeekPatternIn,
    WeekPatternOut,
)

readers = roles(*selectors.SETUP_READERS)
WRITE = {400: ErrorOut, 404: ErrorOut, 409: ErrorOut}


def _one_member(viewer: Person, person_id: int | None) -> Person | None:
    return None if person_id is None else selectors.members_get_for(viewer=viewer, person_ids=[person_id])[0]


def _one_class(viewer: Person, class_id: int | None) -> SchoolClass | None:
    return None if class_id is None else selectors.class_get_for(viewer=viewer, class_id=class_id)


# ---- rooms ---------------------------------------------------------------------------------------


@router.get("/rooms", response=list[RoomOut], auth=readers)
@paginate(LimitOffsetPagination)
def room_list(request: HttpRequest) -> Any:
    return selectors.room_list_for(viewer=_viewer(request))


@router.post("/rooms", response={201: RoomOut, **WRITE}, auth=builders)
def room_create(request: HttpRequest, payload: RoomIn) -> tuple[int, Room]:
    return 201, setup_services.room_create(
        actor=_viewer(request), name=payload.name, kind=payload.kind, capacity=payload.capacity
    )


@router.put("/rooms/{room_id}", response={200: RoomOut, **WRITE}, auth=builders)
def room_update(request: HttpRequest, room_id: int, payload: RoomIn) -> Room:
    viewer = _viewer(request)
    return setup_services.room_update(
        actor=viewer,
        room=selectors.room_get_for(viewer=viewer, room_id=room_id),
        name=payload.name,
        kind=payload.kind,
        capacity=payload.capacity,
    )


@router.delete("/rooms/{room_id}", response={204: None, 404: ErrorOut, 409: ErrorOut}, auth=builders)
def room_delete(request: HttpRequest, room_id: int) -> tuple[int, None]:
    viewer = _viewer(request)
    setup_services.room_delete(actor=viewer, room=selectors.room_get_for(viewer=viewer, room_id=room_id))
    return 204, None


# ---- courses -------------------------------------------------------------------------------------


@router.get("/courses", response=list[CourseOut], auth=builders)
@paginate(LimitOffsetPagination)
def course_list(request: HttpRequest, filters: Query[CourseFilter]) -> Any:
    return selectors.course_list_for(
        viewer=_viewer(request), class_id=filters.class_id, teacher_id=filters.teacher_id
    )


def _course_fields(viewer: Person, payload: CourseIn) -> dict[str, Any]:
    """The payload's ids resolved to what the viewer may see (404 otherwise)."""
    return {
        "subject": selectors.subject_get_for(viewer=viewer, subject_id=payload.subject_id),
        "teachers": selectors.members_get_for(viewer=viewer, person_ids=payload.teacher_ids),
        "classes": selectors.classes_get_for(viewer=viewer, class_ids=payload.class_ids),
        "groups": selectors.groups_get_for(viewer=viewer, group_ids=payload.group_ids),
        "duration": payload.duration,
        "sessions_per_week": payload.sessions_per_week,
        "week_pattern": selectors.week_pattern_get_for(viewer=viewer, code=payload.week_pattern),
        "room_kind": payload.room_kind,
        "fixed_room": selectors.room_get_optional(viewer=viewer, room_id=payload.fixed_room_id),
        "wants_double": payload.wants_double,
    }


@router.post("/courses", response={201: CourseOut, **WRITE}, auth=builders)
def course_create(request: HttpRequest, payload: CourseIn) -> tuple[int, Course]:
    viewer = _viewer(request)
    return 201, setup_services.course_create(actor=viewer, **_course_fields(viewer, payload))


@router.put("/courses/{course_id}", response={200: CourseOut, **WRITE}, auth=builders)
def course_update(request: HttpRequest, course_id: int, payload: CourseIn) -> Course:
    viewer = _viewer(request)
    course = selectors.course_get_for(viewer=viewer, course_id=course_id)
    return setup_services.course_update(actor=viewer, course=course, **_course_fields(viewer, payload))


@router.delete("/courses/{course_id}", response={204: None, 404: ErrorOut, 409: ErrorOut}, auth=builders)
def course_delete(request: HttpRequest, course_id: int) -> tuple[int, None]:
    viewer = _viewer(request)
    course = selectors.course_get_for(viewer=viewer, course_id=course_id)
    setup_services.course_delete(actor=viewer, course=course)
    return 204, None


@router.delete("/courses/{course_id}/lessons", response={204: None, 404: ErrorOut}, auth=builders)
def course_lessons_remove(request: HttpRequest, course_id: int) -> tuple[int, None]:
    viewer = _viewer(request)
    course = selectors.course_get_for(viewer=viewer, course_id=course_id)
    setup_services.course_lessons_remove(actor=viewer, course=course)
    return 204, None


# ---- calendar ------------------------------------------------------------------------------------


@router.get("/calendar", response=list[SchoolYearOut], auth=readers)
def calendar(request: HttpRequest) -> list[SchoolYear]:
    return list(selectors.school_year_list_for(viewer=_viewer(request)))


@router.post("/periods", response={201: PeriodOut, **WRITE}, auth=builders)
def period_create(request: HttpRequest, payload: PeriodIn) -> tuple[int, Period]:
    return 201, setup_services.period_create(actor=_viewer(request), **payload.model_dump())


@router.put("/periods/{period_id}", response={200: PeriodOut, **WRITE}, auth=builders)
def period_update(request: HttpRequest, period_id: int, payload: PeriodIn) -> Period:
    viewer = _viewer(request)
    period = selectors.period_get_for(viewer=viewer, period_id=period_id)
    return setup_services.period_update(actor=viewer, period=period, **payload.model_dump())


@router.delete("/periods/{period_id}", response={204: None, 404: ErrorOut}, auth=builders)
def period_delete(request: HttpRequest, period_id: int) -> tuple[int, None]:
    viewer = _viewer(request)
    period = selectors.period_get_for(viewer=viewer, period_id=period_id)
    setup_services.period_delete(actor=viewer, period=period)
    return 204, None


@router.post("/holidays", response={201: HolidayOut, **WRITE}, auth=builders)
def holiday_create(request: HttpRequest, payload: HolidayIn) -> tuple[int, Holiday]:
    return 201, setup_services.holiday_create(actor=_viewer(request), **payload.model_dump())


@router.put("/holidays/{holiday_id}", response={200: HolidayOut, **WRITE}, auth=builders)
def holiday_update(request: HttpRequest, holiday_id: int, payload: HolidayIn) -> Holiday:
    viewer = _viewer(request)
    holiday = selectors.holiday_get_for(viewer=viewer, holiday_id=holiday_id)
    return setup_services.holiday_update(actor=viewer, holiday=holiday, **payload.model_dump())


@router.delete("/holidays/{holiday_id}", response={204: None, 404: ErrorOut}, auth=builders)
def holiday_delete(request: HttpRequest, holiday_id: int) -> tuple[int, None]:
    viewer = _viewer(request)
    holiday = selectors.holiday_get_for(viewer=viewer, holiday_id=holiday_id)
    setup_services.holiday_delete(actor=viewer, holiday=holiday)
    return 204, None


@router.get("/school-years", response=list[SchoolYearOut], auth=readers)
@paginate(LimitOffsetPagination)
def school_year_list(request: HttpRequest) -> Any:
    return selectors.school_year_list_for(viewer=_viewer(request))


@router.post("/school-years", response={201: SchoolYearOut, **WRITE}, auth=builders)
def school_year_create(request: HttpRequest, payload: SchoolYearIn) -> tuple[int, SchoolYear]:
    return 201, setup_services.school_year_create(actor=_viewer(request), **payload.model_dump())


@router.put("/school-years/{school_year_id}", response={200: SchoolYearOut, **WRITE}, auth=builders)
def school_year_update(request: HttpRequest, school_year_id: int, payload: SchoolYearIn) -> SchoolYear:
    viewer = _viewer(request)
    year = selectors.school_year_get_for(viewer=viewer, school_year_id=school_year_id)
    return setup_services.school_year_update(actor=viewer, school_year=year, **payload.model_dump())


@router.delete(
    "/school-years/{school_year_id}", response={204: None, 404: ErrorOut, 409: ErrorOut}, auth=builders
)
def school_year_delete(request: HttpRequest, school_year_id: int) -> tuple[int, None]:
    viewer = _viewer(request)
    year = selectors.school_year_get_for(viewer=viewer, school_year_id=school_year_id)
    setup_services.school_year_delete(actor=viewer, school_year=year)
    return 204, None


# ---- week patterns -------------------------------------------------------------------------------


@router.get("/week-patterns", response=list[WeekPatternOut], auth=readers)
@paginate(LimitOffsetPagination)
def week_pattern_list(request: HttpRequest) -> Any:
    return selectors.week_pattern_list_for(viewer=_viewer(request))


@router.post("/week-patterns", response={201: WeekPatternOut, **WRITE}, auth=builders)
def week_pattern_create(request: HttpRequest, payload: WeekPatternIn) -> tuple[int, WeekPattern]:
    """A custom pattern: the weeks of a course that is neither every week nor in weeks A or B."""
    return 201, setup_services.week_pattern_create(actor=_viewer(request), **payload.model_dump())


@router.put("/week-patterns/alternate", response={200: list[WeekPatternOut], **WRITE}, auth=builders)
def week_patterns_alternate_set(request: HttpRequest, payload: WeekAlternateIn) -> list[WeekPattern]:
    """Weeks A and B together (to swap weeks or restart the count after holidays)."""
    return setup_services.week_patterns_alternate_set(
        actor=_viewer(request), week_a=payload.week_a, week_b=payload.week_b
    )


@router.post(
    "/week-patterns/alternate/recompute", response={200: list[WeekPatternOut], **WRITE}, auth=builders
)
def week_patterns_alternate(request: HttpRequest, payload: WeekAlternateRecomputeIn) -> list[WeekPattern]:
    """Weeks A and B alternated again from a school year's calendar (by default the current one)."""
    viewer = _viewer(request)
    year = (
        None
        if payload.school_year_id is None
        else selectors.school_year_get_for(viewer=viewer, school_year_id=payload.school_year_id)
    )
    return setup_services.week_patterns_alternate(actor=viewer, school_year=year)


@router.put("/week-patterns/{week_pattern_id}", response={200: WeekPatternOut, **WRITE}, auth=builders)
def week_pattern_update(request: HttpRequest, week_pattern_id: int, payload: WeekPatternIn) -> WeekPattern:
    viewer = _viewer(request)
    pattern = selectors.week_pattern_get_by_id_for(viewer=viewer, week_pattern_id=week_pattern_id)
    return setup_services.week_pattern_update(actor=viewer, week_pattern=pattern, **payload.model_dump())


@router.delete(
    "/week-patterns/{week_pattern_id}", response={204: None, 404: ErrorOut, 409: ErrorOut}, auth=builders
)
def week_pattern_delete(request: HttpRequest, week_pattern_id: int) -> tuple[int, None]:
    viewer = _viewer(request)
    pattern = selectors.week_pattern_get_by_id_for(viewer=viewer, week_pattern_id=week_pattern_id)
    setup_services.week_pattern_delete(actor=viewer, week_pattern=pattern)
    return 204, None


# ---- weekly grid ---------------------------------------------------------------------------------


@router.get("/time-slots", response=list[TimeSlotOut], auth=readers)
@paginate(LimitOffsetPagination)
def time_slot_list(request: HttpRequest) -> Any:
    return selectors.time_slot_list_for(viewer=_viewer(request))


@router.post("/time-slots", response={201: TimeSlotOut, **WRITE}, auth=builders)
def time_slot_create(request: HttpRequest, payload: TimeSlotIn) -> tuple[int, TimeSlot]:
    return 201, setup_services.time_slot_create(actor=_viewer(request), **payload.model_dump())


@router.put("/time-slots/{time_slot_id}", response={200: TimeSlotOut, **WRITE}, auth=builders)
def time_slot_update(request: HttpRequest, time_slot_id: int, payload: TimeSlotChangeIn) -> TimeSlot:
    viewer = _viewer(request)
    slot = selectors.time_slot_get_for(viewer=viewer, time_slot_id=time_slot_id)
    return setup_services.time_slot_update(actor=viewer, time_slot=slot, **payload.model_dump())


@router.delete(
    "/time-slots/{time_slot_id}", response={204: None, 404: ErrorOut, 409: ErrorOut}, auth=builders
)
def time_slot_delete(request: HttpRequest, time_slot_id: int) -> tuple[int, None]:
    viewer = _viewer(request)
    slot = selectors.time_slot_get_for(viewer=viewer, time_slot_id=time_slot_id)
    setup_services.time_slot_delete(actor=viewer, time_slot=slot)
    return 204, None


# ---- constraints ---------------------------------------------------------------------------------


@router.get("/unavailabilities", response=list[UnavailabilityOut], auth=builders)
@paginate(LimitOffsetPagination)
def unavailability_list(request: HttpRequest) -> Any:
    return selectors.unavailability_list_for(viewer=_viewer(request))


@router.post("/unavailabilities", response={201: UnavailabilityOut, **WRITE}, auth=builders)
def unavailability_create(request: HttpRequest, payload: UnavailabilityIn) -> tuple[int, Unavailability]:
    viewer = _viewer(request)
    return 201, setup_services.unavailability_create(
        actor=viewer,
        day=payload.day,
        slot=payload.slot,
        teacher=_one_member(viewer, payload.teacher_id),
        school_class=_one_class(viewer, payload.class_id),
        room=selectors.room_get_optional(viewer=viewer, room_id=payload.room_id),
    )


@router.delete("/unavailabilities/{unavailability_id}", response={204: None, 404: ErrorOut}, auth=builders)
def unavailability_delete(request: HttpRequest, unavailability_id: int) -> tuple[int, None]:
    viewer = _viewer(request)
    item = selectors.unavailability_get_for(viewer=viewer, unavailability_id=unavailability_id)
    setup_services.unavailability_delete(actor=viewer, unavailability=item)
    return 204, None


@router.get("/daily-limits", response=list[DailyLimitOut], auth=builders)
@paginate(LimitOffsetPagination)
def daily_limit_list(request: HttpRequest) -> Any:
    return selectors.daily_limit_list_for(viewer=_viewer(request))


@router.post("/daily-limits", response={200: DailyLimitOut, **WRITE}, auth=builders)
def daily_limit_set(request: HttpRequest, payload: DailyLimitIn) -> DailyLimit:
    """Set the cap of a teacher or a class (replacing the one it had)."""
    viewer = _viewer(request)
    return setup_services.daily_limit_set(
        actor=viewer,
        max_slots=payload.max_slots,
        teacher=_one_member(viewer, payload.teacher_id),
        school_class=_one_class(viewer, payload.class_id),
    )


@router.delete("/daily-limits/{daily_limit_id}", response={204: None, 404: ErrorOut}, auth=builders)
def daily_limit_delete(request: HttpRequest, daily_limit_id: int) -> tuple[int, None]:
    viewer = _viewer(request)
    limit = selectors.daily_limit_get_for(viewer=viewer, daily_limit_id=daily_limit_id)
    setup_services.daily_limit_delete(actor=viewer, daily_limit=limit)
    return 204, None
