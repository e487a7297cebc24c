"""Setting up the calendar: school years and week patterns, each rule, nothing written on refusal, audit."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from mbn.audit.models import AuditEvent
from tenants.directory.models import Role
from tenants.timetable import errors, services, setup_services
from tenants.timetable.models import (
    Holiday,
    HolidayKind,
    PatternKind,
    Period,
    SchoolYear,
    WeekPattern,
)
from tests.tenants.timetable.factories import (
    CourseFactory,
    LessonFactory,
    SchoolClassFactory,
    pattern,
    person,
)


def _seeded_year() -> SchoolYear:
    return SchoolYear.objects.get(label="2026-2027")


def _next_year(head: Any) -> SchoolYear:
    return setup_services.school_year_create(
        actor=head, label="2027-2028", starts_on=date(2027, 9, 1), ends_on=date(2028, 7, 4), zone="B"
    )


# ---- school years --------------------------------------------------------------------------------


def test_school_year_is_created_with_an_audit_row_and_its_name_stays_unique(school_a: Any) -> None:
    with school_a.active():
        # given the head of school and the seeded 2026-2027 year
        head = person(Role.DIRECTION)
        # when the next year is created, then a second one under the same name
        year = setup_services.school_year_create(
            actor=head, label=" 2027-2028 ", starts_on=date(2027, 9, 1), ends_on=date(2028, 7, 4), zone="B"
        )
        with pytest.raises(errors.SchoolYearLabelTaken) as refused:
            setup_services.school_year_create(
                actor=head, label="2027-2028", starts_on=date(2028, 9, 1), ends_on=date(2029, 7, 4), zone="B"
            )
        # then the first is stored trimmed, empty and audited; the second refused in French
        assert (year.label, year.starts_on, year.zone) == ("2027-2028", date(2027, 9, 1), "B")
        assert not year.periods.exists()
        audit = AuditEvent.objects.get(action="timetable.school_year_created")
        assert audit.target_id == str(year.pk)
        assert audit.data == {
            "label": "2027-2028",
            "starts_on": "2027-09-01",
            "ends_on": "2028-07-04",
            "zone": "B",
        }
        assert refused.value.code == "school_year_label_taken"
        assert refused.value.message == "Une année scolaire porte déjà ce nom."
        assert SchoolYear.objects.count() == 2


@pytest.mark.parametrize(
    ("starts_on", "ends_on", "zone", "error", "code"),
    [
        (
            date(2027, 9, 1),
            date(2027, 9, 1),
            "B",
            errors.SchoolYearDatesReversed,
            "school_year_dates_reversed",
        ),
        (
            date(2027, 9, 1),
            date(2027, 6, 30),
            "B",
            errors.SchoolYearDatesReversed,
            "school_year_dates_reversed",
        ),
        (date(2027, 9, 1), date(2028, 8, 31), "B", errors.SchoolYearTooLong, "school_year_too_long"),
        (date(2027, 7, 1), date(2028, 6, 1), "B", errors.SchoolYearOverlap, "school_year_overlap"),
        (date(2025, 9, 15), date(2026, 9, 1), "B", errors.SchoolYearOverlap, "school_year_overlap"),
        (date(2027, 9, 1), date(2028, 7, 4), "D", errors.InvalidValue, "invalid_value"),
    ],
)
def test_school_year_dates_and_zone_rules_refuse_and_write_nothing(
    school_a: Any, starts_on: date, ends_on: date, zone: str, error: type[Exception], code: str
) -> None:
    with school_a.active():
        head = person(Role.DIRECTION)
        # when a year is reversed, longer than 52 weeks, overlapping 2026-2027, or in an unknown zone
        with pytest.raises(error) as refused:
            setup_services.school_year_create(
                actor=head, label="Nouvelle", starts_on=starts_on, ends_on=ends_on, zone=zone
            )
        # then it is refused with its code and nothing is written
        assert refused.value.code == code  # type: ignore[attr-defined]  # every error here is a DomainError
        assert list(SchoolYear.objects.values_list("label", flat=True)) == ["2026-2027"]
        assert not AuditEvent.objects.filter(action="timetable.school_year_created").exists()


def test_a_year_of_exactly_52_weeks_is_accepted(school_a: Any) -> None:
    with school_a.active():
        head = person(Role.DIRECTION)
        # Monday 30 August 2027 to Sunday 27 August 2028: 52 ISO weeks, no number twice
        year = setup_services.school_year_create(
            actor=head, label="Longue", starts_on=date(2027, 8, 30), ends_on=date(2028, 8, 27), zone="B"
        )
        assert year.pk is not None


def test_school_year_moves_only_while_its_periods_and_holidays_stay_inside(school_a: Any) -> None:
    with school_a.active():
        # given the seeded year (Trimestre 3 ends on 2 July 2027) and the next one
        head = person(Role.DIRECTION)
        year = _seeded_year()
        following = _next_year(head)
        # when the year would end in mid-June or start later than its first term; or the next year moves
        # into it
        with pytest.raises(errors.SchoolYearContentOutside) as shrunk:
            setup_services.school_year_update(
                actor=head,
                school_year=year,
                label="2026-2027",
                starts_on=date(2026, 9, 1),
                ends_on=date(2027, 6, 15),
                zone="B",
            )
        with pytest.raises(errors.SchoolYearContentOutside) as late:
            setup_services.school_year_update(
                actor=head,
                school_year=year,
                label="2026-2027",
                starts_on=date(2026, 9, 2),
                ends_on=date(2027, 7, 2),
                zone="B",
            )
        with pytest.raises(errors.SchoolYearOverlap):
            setup_services.school_year_update(
                actor=head,
                school_year=following,
                label="2027-2028",
                starts_on=date(2027, 7, 1),
                ends_on=date(2028, 6, 1),
                zone="B",
            )
        # then each refusal names what would fall outside, and neither year has moved
        assert shrunk.value.code == "school_year_content_outside"
        assert shrunk.value.message == (
            "Des périodes ou des congés de cette année sortiraient de ses nouvelles dates (Trimestre 3) : "
            "modifiez-les d'abord."
        )
        assert "Trimestre 1" in late.value.message
        assert SchoolYear.objects.values_list("starts_on", "ends_on").get(pk=year.pk) == (
            date(2026, 9, 1),
            date(2027, 7, 2),
        )
        assert SchoolYear.objects.get(pk=following.pk).starts_on == date(2027, 9, 1)
        # and a change keeping everything inside (later end, zone, same dates as itself) goes through
        setup_services.school_year_update(
            actor=head,
            school_year=year,
            label="2026-27",
            starts_on=date(2026, 9, 1),
            ends_on=date(2027, 7, 6),
            zone="C",
        )
        assert SchoolYear.objects.values_list("label", "ends_on", "zone").get(pk=year.pk) == (
            "2026-27",
            date(2027, 7, 6),
            "C",
        )
        audit = AuditEvent.objects.get(action="timetable.school_year_updated")
        assert audit.data["before"]["ends_on"] == "2027-07-02"
        assert audit.data["after"] == {
            "label": "2026-27",
            "starts_on": "2026-09-01",
            "ends_on": "2027-07-06",
            "zone": "C",
        }


def test_the_last_year_and_a_year_with_periods_or_holidays_are_not_deleted(school_a: Any) -> None:
    with school_a.active():
        # given the seeded year alone, with its terms and holidays
        head = person(Role.DIRECTION)
        seeded = _seeded_year()
        # when the head deletes it as the only year
        with pytest.raises(errors.SchoolYearLast) as last:
            setup_services.school_year_delete(actor=head, school_year=seeded)
        # and, once the next year exists, while it still holds periods and holidays
        following = _next_year(head)
        with pytest.raises(errors.SchoolYearNotEmpty) as not_empty:
            setup_services.school_year_delete(actor=head, school_year=seeded)
        # then both are refused and its periods and holidays are all there
        assert last.value.code == "school_year_last"
        assert last.value.status == 409
        assert not_empty.value.code == "school_year_not_empty"
        assert not_empty.value.message.startswith("Cette année scolaire a encore des périodes")
        assert Period.objects.filter(school_year=seeded).count() == 3
        assert Holiday.objects.filter(school_year=seeded).count() == 8
        assert not AuditEvent.objects.filter(action="timetable.school_year_deleted").exists()
        # and the empty next year is deleted, with an audit row
        setup_services.school_year_delete(actor=head, school_year=following)
        assert list(SchoolYear.objects.values_list("label", flat=True)) == ["2026-2027"]
        audit = AuditEvent.objects.get(action="timetable.school_year_deleted")
        assert audit.data["label"] == "2027-2028"


def test_an_emptied_year_is_deleted_once_another_exists(school_a: Any) -> None:
    with school_a.active():
        head = person(Role.DIRECTION)
        seeded = _seeded_year()
        _next_year(head)
        Period.objects.filter(school_year=seeded).delete()
        Holiday.objects.filter(school_year=seeded).delete()
        setup_services.school_year_delete(actor=head, school_year=seeded)
        assert list(SchoolYear.objects.values_list("label", flat=True)) == ["2027-2028"]


# ---- week patterns -------------------------------------------------------------------------------


def test_custom_pattern_is_created_with_sorted_weeks_and_a_code_unique_whatever_its_case(
    school_a: Any,
) -> None:
    with school_a.active():
        head = person(Role.DIRECTION)
        # when the head creates a custom pattern, then others with the same code in another case
        quinzaine = setup_services.week_pattern_create(
            actor=head, code=" Q1 ", label=" Quinzaine ", iso_weeks=[40, 36, 38, 38]
        )
        with pytest.raises(errors.WeekPatternCodeTaken) as same_code:
            setup_services.week_pattern_create(actor=head, code="q1", label="Autre", iso_weeks=[41])
        with pytest.raises(errors.WeekPatternCodeTaken):
            setup_services.week_pattern_create(actor=head, code="toutes", label="Autre", iso_weeks=[41])
        # then the pattern is custom, trimmed, its weeks sorted once each; the others are refused
        stored = WeekPattern.objects.get(pk=quinzaine.pk)
        assert (stored.code, stored.label, stored.kind) == ("Q1", "Quinzaine", PatternKind.CUSTOM)
        assert stored.iso_weeks == [36, 38, 40]
        assert same_code.value.code == "week_pattern_code_taken"
        assert same_code.value.message == "Un rythme de semaines porte déjà ce code : choisissez-en un autre."
        audit = AuditEvent.objects.get(action="timetable.week_pattern_created")
        assert audit.data == {"code": "Q1", "label": "Quinzaine", "kind": "custom", "iso_weeks": [36, 38, 40]}
        assert WeekPattern.objects.count() == 4


@pytest.mark.parametrize("weeks", [[], [0], [54], [36, 60]])
def test_custom_pattern_needs_weeks_from_1_to_53(school_a: Any, weeks: list[int]) -> None:
    with school_a.active():
        head = person(Role.DIRECTION)
        with pytest.raises(errors.IsoWeeksInvalid) as refused:
            setup_services.week_pattern_create(actor=head, code="X", label="X", iso_weeks=weeks)
        assert refused.value.code == "iso_weeks_invalid"
        assert refused.value.message == "Indiquez au moins une semaine, par son numéro de 1 à 53."
        assert not WeekPattern.objects.filter(code="X").exists()


def test_custom_pattern_changes_its_weeks_under_placed_lessons_and_the_audit_counts_them(
    school_a: Any,
) -> None:
    with school_a.active():
        # given a custom pattern followed by a course with one placed lesson
        head = person(Role.DIRECTION)
        custom = setup_services.week_pattern_create(actor=head, code="Q1", label="Quinzaine", iso_weeks=[36])
        course = CourseFactory(week_pattern=custom)
        lesson = LessonFactory(course=course)
        # when its code, name and weeks change
        setup_services.week_pattern_update(
            actor=head, week_pattern=custom, code="Q2", label="Quinzaine 2", iso_weeks=[37, 39]
        )
        # then the lesson takes the new weeks, and the audit row says how many courses and lessons follow
        lesson.refresh_from_db()
        assert lesson.week_pattern.has_week(39)
        assert not lesson.week_pattern.has_week(36)
        audit = AuditEvent.objects.get(action="timetable.week_pattern_updated")
        assert audit.target_id == str(custom.pk)
        assert audit.data["before"]["iso_weeks"] == [36]
        assert audit.data["after"] == {
            "code": "Q2",
            "label": "Quinzaine 2",
            "kind": "custom",
            "iso_weeks": [37, 39],
        }
        assert (audit.data["courses"], audit.data["lessons"]) == (1, 1)


def test_new_weeks_that_would_make_placed_lessons_meet_are_refused(school_a: Any) -> None:
    with school_a.active():
        # given class 4B with a week-A lesson and a lesson in one week B only, both on Monday's first slot
        head = person(Role.DIRECTION)
        week_a, week_b = pattern("A"), pattern("B")
        old_a, old_b = sorted(week_a.iso_weeks), sorted(week_b.iso_weeks)
        custom = setup_services.week_pattern_create(
            actor=head, code="Q1", label="Quinzaine", iso_weeks=old_b[:1]
        )
        four_b = SchoolClassFactory(label="4B")
        for rhythm in (week_a, custom):
            course = CourseFactory(week_pattern=rhythm)
            course.classes.add(four_b)
            LessonFactory(course=course, day=0, slot=0)

        # when the custom pattern would take a week A, or weeks A and B would swap
        with pytest.raises(errors.WeekPatternClash) as moved:
            setup_services.week_pattern_update(
                actor=head, week_pattern=custom, code="Q1", label="Quinzaine", iso_weeks=old_a[:1]
            )
        with pytest.raises(errors.WeekPatternClash):
            setup_services.week_patterns_alternate_set(actor=head, week_a=old_b, week_b=old_a)

        # then both are refused naming the class, nothing is written, and a week B of its own is fine
        assert moved.value.code == "pattern_clash"
        assert "la classe 4B" in moved.value.message
        assert WeekPattern.objects.get(pk=custom.pk).iso_weeks == old_b[:1]
        assert WeekPattern.objects.get(pk=week_a.pk).iso_weeks == week_a.iso_weeks
        assert not AuditEvent.objects.filter(action="timetable.week_pattern_updated").exists()
        setup_services.week_pattern_update(
            actor=head, week_pattern=custom, code="Q1", label="Quinzaine", iso_weeks=old_b[1:3]
        )
        assert WeekPattern.objects.get(pk=custom.pk).iso_weeks == old_b[1:3]


def test_every_week_is_never_changed_nor_deleted(school_a: Any) -> None:
    with school_a.active():
        head = person(Role.DIRECTION)
        every = pattern("TOUTES")
        with pytest.raises(errors.WeekPatternEveryWeek) as changed:
            setup_services.week_pattern_update(
                actor=head, week_pattern=every, code="TOUTES", label="Chaque semaine", iso_weeks=[36]
            )
        with pytest.raises(errors.WeekPatternEveryWeek):
            setup_services.week_pattern_delete(actor=head, week_pattern=every)
        assert changed.value.code == "week_pattern_every_week"
        assert changed.value.message == (
            "Le rythme « Toutes les semaines » ne se modifie pas et ne se supprime pas."
        )
        stored = WeekPattern.objects.get(pk=every.pk)
        assert (stored.label, stored.iso_weeks) == ("Toutes les semaines", [])
        assert not AuditEvent.objects.filter(action__startswith="timetable.week_pattern").exists()


def test_weeks_a_and_b_keep_their_code_are_never_deleted_and_never_share_a_week(school_a: Any) -> None:
    with school_a.active():
        # given the seeded weeks A and B
        head = person(Role.DIRECTION)
        week_a, week_b = pattern("A"), pattern("B")
        original_a = list(week_a.iso_weeks)
        # when A gets another code, two of B's weeks, or is deleted
        with pytest.raises(errors.WeekPatternCodeLocked) as recoded:
            setup_services.week_pattern_update(
                actor=head, week_pattern=week_a, code="AA", label="Semaine A", iso_weeks=original_a
            )
        with pytest.raises(errors.AlternateWeeksOverlap) as shared:
            setup_services.week_pattern_update(
                actor=head,
                week_pattern=week_a,
                code="A",
                label="Semaine A",
                iso_weeks=[*original_a, *week_b.iso_weeks[:2]],
            )
        with pytest.raises(errors.WeekPatternAlternateKept) as deleted:
            setup_services.week_pattern_delete(actor=head, week_pattern=week_a)
        # then each is refused with its code, the message names the shared weeks, and A is as it was
        assert recoded.value.code == "week_pattern_code_locked"
        assert shared.value.code == "alternate_weeks_overlap"
        first_b, second_b = sorted(week_b.iso_weeks[:2])
        assert f"(semaines {first_b}, {second_b})" in shared.value.message
        assert deleted.value.code == "week_pattern_alternate_kept"
        assert WeekPattern.objects.get(pk=week_a.pk).iso_weeks == original_a
        # and A may drop a week and change its name, under its own code
        setup_services.week_pattern_update(
            actor=head, week_pattern=week_a, code="A", label="Semaine rouge", iso_weeks=original_a[1:]
        )
        stored = WeekPattern.objects.get(pk=week_a.pk)
        assert (stored.label, stored.iso_weeks) == ("Semaine rouge", sorted(original_a[1:]))
        assert AuditEvent.objects.filter(action="timetable.week_pattern_updated").count() == 1


@pytest.mark.parametrize("use", ["course", "lesson"])
def test_a_pattern_followed_by_a_course_or_a_lesson_is_not_deleted(school_a: Any, use: str) -> None:
    with school_a.active():
        # given a custom pattern followed by a course, or by one placed lesson only
        head = person(Role.DIRECTION)
        custom = setup_services.week_pattern_create(actor=head, code="Q1", label="Quinzaine", iso_weeks=[36])
        if use == "course":
            CourseFactory(week_pattern=custom)
        else:
            LessonFactory(week_pattern=custom)
        # when the head deletes it
        with pytest.raises(errors.WeekPatternInUse) as refused:
            setup_services.week_pattern_delete(actor=head, week_pattern=custom)
        # then it is refused with the code "pattern_in_use" and stays
        assert refused.value.code == "pattern_in_use"
        assert refused.value.status == 409
        assert WeekPattern.objects.filter(pk=custom.pk).exists()
        assert not AuditEvent.objects.filter(action="timetable.week_pattern_deleted").exists()


def test_an_unused_custom_pattern_is_deleted_with_an_audit_row(school_a: Any) -> None:
    with school_a.active():
        head = person(Role.DIRECTION)
        custom = setup_services.week_pattern_create(actor=head, code="Q1", label="Quinzaine", iso_weeks=[36])
        setup_services.week_pattern_delete(actor=head, week_pattern=custom)
        assert not WeekPattern.objects.filter(code="Q1").exists()
        audit = AuditEvent.objects.get(action="timetable.week_pattern_deleted")
        assert audit.data["code"] == "Q1"


def test_weeks_a_and_b_are_swapped_in_one_go_and_each_change_is_audited(school_a: Any) -> None:
    with school_a.active():
        # given the seeded weeks A and B and a lesson in week A
        head = person(Role.DIRECTION)
        week_a, week_b = pattern("A"), pattern("B")
        old_a, old_b = sorted(week_a.iso_weeks), sorted(week_b.iso_weeks)
        LessonFactory(course=CourseFactory(week_pattern=week_a))
        # when a week would be both A and B, then when A and B swap all their weeks at once
        with pytest.raises(errors.AlternateWeeksOverlap):
            setup_services.week_patterns_alternate_set(actor=head, week_a=old_a, week_b=[*old_b, old_a[0]])
        assert WeekPattern.objects.get(pk=week_b.pk).iso_weeks == week_b.iso_weeks
        setup_services.week_patterns_alternate_set(actor=head, week_a=old_b, week_b=old_a)
        # then A has B's weeks and B has A's, with one audit row each counting what follows them
        assert WeekPattern.objects.get(pk=week_a.pk).iso_weeks == old_b
        assert WeekPattern.objects.get(pk=week_b.pk).iso_weeks == old_a
        audits = {
            a.target_id: a.data for a in AuditEvent.objects.filter(action="timetable.week_pattern_updated")
        }
        assert audits[str(week_a.pk)]["after"] == old_b
        assert audits[str(week_a.pk)]["lessons"] == 1
        assert audits[str(week_b.pk)]["before"] == week_b.iso_weeks


def test_weeks_a_and_b_are_recomputed_from_the_calendar_skipping_a_new_closure(school_a: Any) -> None:
    with school_a.active():
        # given A and B set by hand, and the school closed the third week of the year (ISO week 38)
        head = person(Role.DIRECTION)
        year = _seeded_year()
        setup_services.week_patterns_alternate_set(actor=head, week_a=[1], week_b=[2])
        setup_services.holiday_create(
            actor=head,
            label="Travaux",
            kind=HolidayKind.CLOSURE,
            starts_on=date(2026, 9, 14),
            ends_on=date(2026, 9, 18),
        )
        # when the head recomputes A and B from the year
        week_a, week_b = setup_services.week_patterns_alternate(actor=head, school_year=year)
        # then they are the calendar's school weeks alternated by services.school_weeks_alternate
        expected_a, expected_b = services.school_weeks_alternate(year=year)
        assert (week_a.code, week_b.code) == ("A", "B")
        assert WeekPattern.objects.get(code="A").iso_weeks == sorted(expected_a)
        assert WeekPattern.objects.get(code="B").iso_weeks == sorted(expected_b)
        assert 38 not in expected_a + expected_b
        assert expected_a[:2] == [36, 39]
        assert expected_b[:2] == [37, 40]
        audits = AuditEvent.objects.filter(action="timetable.week_pattern_recomputed")
        assert audits.count() == 2
        assert {a.data["school_year"] for a in audits} == {"2026-2027"}
        assert sorted(a.data["before"] for a in audits) == [[1], [2]]


def test_recompute_uses_the_current_year_by_default_and_recreates_a_missing_week_b(school_a: Any) -> None:
    with school_a.active():
        head = person(Role.DIRECTION)
        WeekPattern.objects.filter(code="B").delete()
        setup_services.week_patterns_alternate(actor=head)
        expected_a, expected_b = services.school_weeks_alternate(year=_seeded_year())
        week_b = WeekPattern.objects.get(kind=PatternKind.WEEK_B)
        assert (week_b.code, week_b.label, week_b.iso_weeks) == ("B", "Semaine B", sorted(expected_b))
        assert WeekPattern.objects.get(code="A").iso_weeks == sorted(expected_a)


def test_recompute_refuses_a_year_too_short_to_alternate_and_a_school_without_year(school_a: Any) -> None:
    with school_a.active():
        # given a one-week year
        head = person(Role.DIRECTION)
        before = WeekPattern.objects.get(code="A").iso_weeks
        short = setup_services.school_year_create(
            actor=head, label="Stage", starts_on=date(2027, 9, 1), ends_on=date(2027, 9, 3), zone="B"
        )
        # when A and B are recomputed from it, then from no year at all
        with pytest.raises(errors.AlternateWeeksEmpty) as too_short:
            setup_services.week_patterns_alternate(actor=head, school_year=short)
        SchoolYear.objects.all().delete()
        with pytest.raises(errors.NoSchoolYear) as no_year:
            setup_services.week_patterns_alternate(actor=head)
        # then both are refused and A has not changed
        assert too_short.value.code == "alternate_weeks_empty"
        assert no_year.value.code == "no_school_year"
        assert WeekPattern.objects.get(code="A").iso_weeks == before
        assert not AuditEvent.objects.filter(action="timetable.week_pattern_recomputed").exists()
