from __future__ import annotations

from datetime import date
from typing import Any

from tenants.directory.models import ClassMembership, GuardianKind, Guardianship, Role, SchoolClass
from tenants.ent.models import Notification
from tenants.ent.services import notifications_publish
from tests.tenants.directory.factories import make_person


def test_notifications_are_per_person_idempotent_and_never_cross_schools(
    school_a: Any, school_b: Any, api_as: Any
) -> None:
    # given a pupil and a parent in A, and a notification published twice, plus one in B
    with school_b.active():
        stranger = make_person(roles=[Role.STUDENT])
        notifications_publish(recipient_ids=[stranger.pk], kind="news", title="FUITE-B", source_key="b:1")
    with school_a.active():
        pupil = make_person(roles=[Role.STUDENT])
        other = make_person(roles=[Role.STUDENT])
        first = notifications_publish(
            recipient_ids=[pupil.pk, pupil.pk], kind="news", title="Sortie annulée", source_key="news:1"
        )
        again = notifications_publish(
            recipient_ids=[pupil.pk], kind="news", title="Sortie annulée", source_key="news:1"
        )
    client = api_as(pupil, school_a)
    # when the pupil lists and reads them
    items = client.get("/api/v1/ent/notifications").json()["items"]
    read = client.post(f"/api/v1/ent/notifications/{items[0]['id']}/read")
    foreign = api_as(other, school_a).post(f"/api/v1/ent/notifications/{items[0]['id']}/read")
    # then one item, read once, invisible to another pupil and to B
    assert (first, again) == (1, 0)
    assert [item["title"] for item in items] == ["Sortie annulée"]
    assert read.status_code == 200
    assert read.json()["read_at"] is not None
    assert foreign.status_code == 404
    assert foreign.json()["code"] == "notification_not_found"


def test_a_published_lesson_change_reaches_the_people_concerned(
    school_a: Any, django_capture_on_commit_callbacks: Any
) -> None:
    # given a Monday lesson of 4A: its teacher, a pupil and parent, a CPE, an unrelated pupil
    from tenants.timetable.services import lesson_change_record
    from tests.tenants.timetable.factories import CourseFactory, LessonFactory

    with school_a.active():
        four_a = SchoolClass.objects.create(code="4A", label="4e A")
        teacher = make_person(roles=[Role.TEACHER])
        pupil = make_person(roles=[Role.STUDENT])
        ClassMembership.objects.create(student=pupil, school_class=four_a)
        parent = make_person(roles=[Role.GUARDIAN])
        Guardianship.objects.create(guardian=parent, student=pupil, kind=GuardianKind.LEGAL_1)
        cpe = make_person(roles=[Role.VIE_SCOLAIRE])
        outsider = make_person(roles=[Role.STUDENT])
        lesson = LessonFactory(course=CourseFactory(teachers=[teacher], classes=[four_a]), day=0, slot=0)
        # when the CPE cancels it on Monday 14 September 2026 (tasks run after commit), twice
        with django_capture_on_commit_callbacks(execute=True):
            lesson_change_record(actor=cpe, lesson=lesson, on=date(2026, 9, 14), is_cancelled=True)
        with django_capture_on_commit_callbacks(execute=True):
            lesson_change_record(
                actor=cpe, lesson=lesson, on=date(2026, 9, 14), is_cancelled=True, note="Sortie"
            )
        # then teacher, pupil, parent and CPE are told of each version, the unrelated pupil never
        told = set(Notification.objects.values_list("recipient_id", flat=True))
        assert told == {teacher.pk, pupil.pk, parent.pk, cpe.pk}
        assert outsider.pk not in told
        titles = list(Notification.objects.filter(recipient=pupil).values_list("title", flat=True))
        assert len(titles) == 2
        assert all("cours annulé le 14/09/2026" in title for title in titles)
