"""iCalendar (RFC 5545) feeds of a timetable: one weekly series per lesson over the school year.

Rules (handbook interop-timetable §6): VTIMEZONE Europe/Paris with local DTSTART;TZID, UNTIL in UTC,
a stable UID per lesson, holidays, the other week of an A/B pattern and cancellations as EXDATE
(same TZID and time as DTSTART), a substitute or a room change as an override VEVENT with the same UID
and a RECURRENCE-ID. Pupil feeds name teachers, classes and groups, never another pupil.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone
from icalendar import Calendar, Event, Timezone, TimezoneDaylight, TimezoneStandard

from mbn.tenancy import current_schema
from tenants.timetable import selectors
from tenants.timetable.models import (
    FeedToken,
    Holiday,
    Lesson,
    LessonChange,
    PatternKind,
    SchoolYear,
    TimeSlot,
)

PARIS = ZoneInfo("Europe/Paris")
PRODID = "-//Mon Bureau Numerique//Emploi du temps 1.0//FR"
_EPOCH = datetime(2026, 1, 1, tzinfo=UTC)


def feed_render(*, feed: FeedToken) -> bytes | None:
    """The feed's calendar, or None when its owner may no longer read that timetable."""
    from mbn.errors import NotFound

    try:
        title, lessons = selectors.feed_lessons(token=feed)
    except NotFound:
        return None
    year = selectors.school_year_current(on=timezone.localdate())
    if year is None:
        return None
    return calendar_build(
        title=title,
        lessons=list(lessons),
        year=year,
        holidays=selectors.holidays_of(year),
        slots={(s.day, s.index): s for s in TimeSlot.objects.all()},
        uid_domain=f"{current_schema()}.mbn",
    ).to_ical()


def calendar_build(
    *,
    title: str,
    lessons: Sequence[Lesson],
    year: SchoolYear,
    holidays: Sequence[Holiday],
    slots: dict[tuple[int, int], TimeSlot],
    uid_domain: str,
) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", f"Emploi du temps - {title}")
    calendar.add("x-wr-timezone", "Europe/Paris")
    calendar.add_component(_paris())
    # DTSTAMP from the data, not the clock: the same timetable gives the same bytes (and ETag).
    stamp = max(
        [_EPOCH, *(lesson.updated_at for lesson in lessons)]
        + [change.updated_at for lesson in lessons for change in lesson.changes.all()]
    )
    for lesson in lessons:
        for event in _lesson_events(lesson, year, holidays, slots, uid_domain, stamp):
            calendar.add_component(event)
    return calendar


def _paris() -> Timezone:
    zone = Timezone()
    zone.add("tzid", "Europe/Paris")
    summer = TimezoneDaylight()
    summer.add("tzname", "CEST")
    summer.add("tzoffsetfrom", timedelta(hours=1))
    summer.add("tzoffsetto", timedelta(hours=2))
    summer.add("dtstart", datetime(1970, 3, 29, 2, 0))
    summer.add("rrule", {"freq": "yearly", "bymonth": 3, "byday": "-1SU"})
    winter = TimezoneStandard()
    winter.add("tzname", "CET")
    winter.add("tzoffsetfrom", timedelta(hours=2))
    winter.add("tzoffsetto", timedelta(hours=1))
    winter.add("dtstart", datetime(1970, 10, 25, 3, 0))
    winter.add("rrule", {"freq": "yearly", "bymonth": 10, "byday": "-1SU"})
    zone.add_component(summer)
    zone.add_component(winter)
    return zone


def _times(lesson: Lesson, slots: dict[tuple[int, int], TimeSlot]) -> tuple[time, time] | None:
    first = slots.get((lesson.day, lesson.slot))
    last = slots.get((lesson.day, lesson.slot + lesson.course.duration - 1))
    if first is None or last is None:
        return None
    return first.starts_at, last.ends_at


def _lesson_events(
    lesson: Lesson,
    year: SchoolYear,
    holidays: Sequence[Holiday],
    slots: dict[tuple[int, int], TimeSlot],
    uid_domain: str,
    stamp: datetime,
) -> list[Event]:
    times = _times(lesson, slots)
    if times is None:
        return []
    starts_at, ends_at = times
    changes = {change.on: change for change in lesson.changes.all()}
    first_day = year.starts_on + timedelta(days=(lesson.day - year.starts_on.weekday()) % 7)
    occurrences: list[date] = []
    excluded: list[date] = []
    day = first_day
    while day <= year.ends_on:
        change = changes.get(day)
        held = (
            lesson.week_pattern.has_week(day.isocalendar().week)
            and not any(h.starts_on <= day <= h.ends_on for h in holidays)
            and not (change is not None and change.is_cancelled)
        )
        (occurrences if held else excluded).append(day)
        day += timedelta(days=7)
    if not occurrences:
        return []
    start = occurrences[0]
    uid = f"lesson-{lesson.pk}@{uid_domain}"
    course = lesson.course
    summary = course.subject.label
    if lesson.week_pattern.kind != PatternKind.EVERY:
        summary += f" ({lesson.week_pattern.label.lower()})"
    teachers = ", ".join(t.display_name for t in course.teachers.all())
    audience = ", ".join([c.label for c in course.classes.all()] + [g.label for g in course.groups.all()])

    series = Event()
    series.add("uid", uid)
    series.add("dtstamp", stamp)
    series.add("sequence", 0)
    series.add("dtstart", datetime.combine(start, starts_at, PARIS))
    series.add("dtend", datetime.combine(start, ends_at, PARIS))
    until = datetime.combine(year.ends_on, time(23, 59, 59), PARIS).astimezone(UTC)
    series.add("rrule", {"freq": "weekly", "byday": _BYDAY[lesson.day], "until": until})
    later_excluded = [datetime.combine(d, starts_at, PARIS) for d in excluded if d > start]
    if later_excluded:
        series.add("exdate", later_excluded)
    series.add("summary", summary)
    if lesson.room is not None:
        series.add("location", lesson.room.name)
    series.add("description", " - ".join(part for part in (audience, teachers) if part))
    series.add("categories", ["COURS"])
    series.add("status", "CONFIRMED")
    events = [series]
    for on in occurrences:
        change = changes.get(on)
        if change is not None:
            events.append(
                _override(change, uid, summary, audience, teachers, lesson, starts_at, ends_at, stamp)
            )
    return events


def _override(
    change: LessonChange,
    uid: str,
    summary: str,
    audience: str,
    teachers: str,
    lesson: Lesson,
    starts_at: time,
    ends_at: time,
    stamp: datetime,
) -> Event:
    event = Event()
    event.add("uid", uid)
    event.add("recurrence-id", datetime.combine(change.on, starts_at, PARIS))
    event.add("dtstamp", stamp)
    event.add("sequence", change.version + 1)
    event.add("dtstart", datetime.combine(change.on, starts_at, PARIS))
    event.add("dtend", datetime.combine(change.on, ends_at, PARIS))
    room = change.room or lesson.room
    notes = []
    if change.substitute is not None:
        teachers = change.substitute.display_name
        notes.append(f"Remplacement : {change.substitute.display_name}")
    if change.room is not None:
        notes.append(f"Changement de salle : {change.room.name}")
    event.add("summary", f"{summary} - modifié")
    if room is not None:
        event.add("location", room.name)
    event.add("description", " - ".join(part for part in (audience, teachers, *notes, change.note) if part))
    event.add("status", "CONFIRMED")
    return event


_BYDAY = {0: "MO", 1: "TU", 2: "WE", 3: "TH", 4: "FR", 5: "SA"}
