"""iCalendar feeds: content parsed back with icalendar, secret tokens, revocation, ETag, per school."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from icalendar import Calendar

from mbn.audit.models import AuditEvent
from tenants.directory.models import Role
from tenants.timetable import services
from tenants.timetable.models import FeedToken
from tests.tenants.timetable.factories import (
    CourseFactory,
    LessonFactory,
    RoomFactory,
    SchoolClassFactory,
    SubjectFactory,
    pattern,
    person,
    student_in,
)

BASE = "/api/v1/timetable"


def _pupil_with_lessons(marker: str = "A") -> Any:
    school_class = SchoolClassFactory(label=f"4{marker}")
    teacher = person(Role.TEACHER, display_name=f"M. Prof {marker}")
    every = LessonFactory(
        course=CourseFactory(
            subject=SubjectFactory(label=f"Maths {marker}"), teachers=[teacher], classes=[school_class]
        ),
        day=0,
        slot=0,
        room=RoomFactory(name=f"S{marker}"),
    )
    week_a = LessonFactory(
        course=CourseFactory(
            subject=SubjectFactory(label=f"Techno {marker}"),
            classes=[school_class],
            week_pattern=pattern("A"),
        ),
        day=1,
        slot=2,
    )
    pupil = student_in(school_class, display_name=f"Léa {marker}")
    classmate = student_in(school_class, display_name=f"Camarade {marker}")
    return pupil, classmate, every, week_a


def _events(body: bytes) -> dict[str, list]:
    calendar = Calendar.from_ical(body)
    events: dict[str, list] = {}
    for event in calendar.walk("VEVENT"):
        events.setdefault(str(event["summary"]), []).append(event)
    return events


def _exdates(event: Any) -> list[date]:
    values = event.get("exdate")
    values = values if isinstance(values, list) else [values]
    return [item.dt.date() for exdate in values for item in exdate.dts]


def test_pupil_feed_is_weekly_over_the_year_with_holidays_and_other_weeks_excluded(
    school_a: Any, api_as: Any
) -> None:
    with school_a.active():
        pupil, classmate, every, _ = _pupil_with_lessons()
        cpe = person(Role.VIE_SCOLAIRE)
        services.lesson_change_record(actor=cpe, lesson=every, on=date(2026, 9, 14), is_cancelled=True)
        services.lesson_change_record(
            actor=cpe, lesson=every, on=date(2026, 9, 21), room=RoomFactory(name="CDI")
        )
    client = api_as(pupil, school_a)
    # when the pupil creates their feed and a calendar app reads it without any session
    created = client.post(
        f"{BASE}/feeds", {"target_kind": "student", "target_id": pupil.pk}, content_type="application/json"
    )
    url = created.json()["url"]
    anonymous = api_as(None, school_a)
    feed = anonymous.get(url.split(school_a.host, 1)[1])
    # then it is a calendar with the Paris timezone and weekly series until the end of the year
    assert created.status_code == 201
    assert feed.status_code == 200
    assert feed["Content-Type"] == "text/calendar; charset=utf-8"
    body = feed.content
    calendar = Calendar.from_ical(body)
    assert [tz["tzid"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Paris"]
    events = _events(body)
    (maths,) = events["Maths A"]
    assert maths["dtstart"].dt == datetime(2026, 9, 7, 8, 0, tzinfo=maths["dtstart"].dt.tzinfo)
    assert str(maths["dtstart"].dt.tzinfo) == "Europe/Paris"
    assert b"DTSTART;TZID=Europe/Paris:20260907T080000" in body
    rule = maths["rrule"]
    assert rule["FREQ"] == ["WEEKLY"]
    assert rule["BYDAY"] == ["MO"]
    assert rule["UNTIL"][0].isoformat().startswith("2027-07-02T21:59:59")
    excluded = _exdates(maths)
    assert date(2026, 10, 19) in excluded
    assert date(2026, 10, 26) in excluded
    assert date(2027, 5, 17) in excluded  # Lundi de Pentecôte
    assert date(2026, 9, 14) in excluded  # the cancellation
    assert str(maths["location"]) == "SA"
    # and the room change is an override of the same series
    (moved,) = events["Maths A - modifié"]
    assert moved["uid"] == maths["uid"]
    assert moved["recurrence-id"].dt.date() == date(2026, 9, 21)
    assert str(moved["location"]) == "CDI"
    # and the week-A course skips every week-B date
    (techno,) = events["Techno A (semaine a)"]
    assert techno["dtstart"].dt.date() == date(2026, 9, 1)
    assert date(2026, 9, 8) in _exdates(techno)
    assert date(2026, 9, 15) not in _exdates(techno)
    # and no other pupil is named
    assert b"Camarade" not in body
    assert classmate.pk


def test_feed_etag_answers_304_and_revocation_answers_404(school_a: Any, api_as: Any) -> None:
    with school_a.active():
        pupil, _, _, _ = _pupil_with_lessons()
    client = api_as(pupil, school_a)
    created = client.post(
        f"{BASE}/feeds",
        {"target_kind": "class", "target_id": pupil.class_membership.school_class_id},
        content_type="application/json",
    ).json()
    path = f"/ical/{created['url'].rsplit('/', 1)[1]}"
    anonymous = api_as(None, school_a)
    first = anonymous.get(path)
    again = anonymous.get(path, HTTP_IF_NONE_MATCH=first["ETag"])
    revoked = client.delete(f"{BASE}/feeds/{created['id']}")
    after = anonymous.get(path)
    assert first.status_code == 200
    assert first["ETag"]
    assert again.status_code == 304
    assert revoked.status_code == 204
    assert after.status_code == 404
    with school_a.active():
        assert AuditEvent.objects.filter(action="timetable.feed_revoked").count() == 1
    assert client.get(f"{BASE}/feeds").json()["count"] == 0


def test_feed_token_of_school_a_is_unknown_on_school_b_and_guessing_fails(
    school_a: Any, school_b: Any, api_as: Any
) -> None:
    with school_a.active():
        pupil, _, _, _ = _pupil_with_lessons()
        feed = services.feed_token_create(owner=pupil, target_kind="student", target_id=pupil.pk)
    assert api_as(None, school_a).get(f"/ical/{feed.token}.ics").status_code == 200
    assert api_as(None, school_b).get(f"/ical/{feed.token}.ics").status_code == 404
    assert api_as(None, school_a).get("/ical/devine.ics").status_code == 404
    assert len(feed.token) >= 43


def test_feeds_only_for_timetables_the_owner_may_read(school_a: Any, api_as: Any) -> None:
    with school_a.active():
        pupil, classmate, _, _ = _pupil_with_lessons()
        other_class = SchoolClassFactory()
    client = api_as(pupil, school_a)
    for kind, target in (
        ("student", classmate.pk),
        ("class", other_class.pk),
        ("room", 1),
        ("teacher", pupil.pk),
    ):
        refused = client.post(
            f"{BASE}/feeds", {"target_kind": kind, "target_id": target}, content_type="application/json"
        )
        assert refused.status_code == 404, kind
        assert refused.json()["code"] == "not_found"
    with school_a.active():
        assert not FeedToken.objects.exists()


def test_feed_stops_when_the_owner_loses_the_right(school_a: Any, api_as: Any) -> None:
    with school_a.active():
        pupil, _, _, _ = _pupil_with_lessons()
        feed = services.feed_token_create(owner=pupil, target_kind="student", target_id=pupil.pk)
        pupil.is_active = False
        pupil.save()
    assert api_as(None, school_a).get(f"/ical/{feed.token}.ics").status_code == 404
