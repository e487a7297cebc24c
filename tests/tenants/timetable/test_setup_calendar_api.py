"""Set-up API of school years and week patterns (/api/v1/timetable): endpoints, errors, roles, schools."""

from __future__ import annotations

import json
from typing import Any

import pytest

from mbn.audit.models import AuditEvent
from tenants.directory.models import Role
from tenants.timetable import services
from tenants.timetable.models import PatternKind, SchoolYear, WeekPattern
from tests.tenants.timetable.factories import (
    CourseFactory,
    SchoolClassFactory,
    calendar_markers,
    guardian_of,
    pattern,
    person,
    student_in,
)

BASE = "/api/v1/timetable"
JSON = "application/json"
NEXT_YEAR = {"label": "2027-2028", "starts_on": "2027-09-01", "ends_on": "2028-07-04", "zone": "B"}


def _json(client: Any, method: str, url: str, payload: dict[str, Any]) -> Any:
    return client.generic(method, url, data=json.dumps(payload), content_type=JSON)


# ---- school years --------------------------------------------------------------------------------


def test_direction_creates_changes_lists_and_deletes_a_school_year(school_a: Any, api_as: Any) -> None:
    with school_a.active():
        head = person(Role.DIRECTION)
    client = api_as(head, school_a)
    # when the head creates the next year, moves its end, lists the years and deletes it
    created = _json(client, "POST", f"{BASE}/school-years", NEXT_YEAR)
    year_id = created.json()["id"]
    changed = _json(
        client, "PUT", f"{BASE}/school-years/{year_id}", {**NEXT_YEAR, "ends_on": "2028-07-07", "zone": "C"}
    )
    listed = client.get(f"{BASE}/school-years")
    deleted = client.delete(f"{BASE}/school-years/{year_id}")
    # then each step answers as declared, and the audit holds the three writes
    assert created.status_code == 201
    assert created.json() == {
        "id": year_id,
        "label": "2027-2028",
        "starts_on": "2027-09-01",
        "ends_on": "2028-07-04",
        "zone": "B",
        "periods": [],
        "holidays": [],
    }
    assert (changed.status_code, changed.json()["ends_on"], changed.json()["zone"]) == (
        200,
        "2028-07-07",
        "C",
    )
    assert listed.status_code == 200
    assert [year["label"] for year in listed.json()["items"]] == ["2026-2027", "2027-2028"]
    assert len(listed.json()["items"][0]["periods"]) == 3
    assert deleted.status_code == 204
    with school_a.active():
        assert list(SchoolYear.objects.values_list("label", flat=True)) == ["2026-2027"]
        actions = set(AuditEvent.objects.filter(target_id=str(year_id)).values_list("action", flat=True))
        assert actions == {
            "timetable.school_year_created",
            "timetable.school_year_updated",
            "timetable.school_year_deleted",
        }


def test_school_year_errors_have_stable_codes_and_french_messages(school_a: Any, api_as: Any) -> None:
    with school_a.active():
        head = person(Role.DIRECTION)
        seeded = SchoolYear.objects.get(label="2026-2027")
    client = api_as(head, school_a)
    url = f"{BASE}/school-years"
    # when the only year is deleted, then years are reversed, too long, overlapping or badly zoned
    last = client.delete(f"{url}/{seeded.pk}")
    reversed_dates = _json(client, "POST", url, {**NEXT_YEAR, "ends_on": "2027-08-01"})
    too_long = _json(client, "POST", url, {**NEXT_YEAR, "ends_on": "2028-09-15"})
    overlap = _json(client, "POST", url, {**NEXT_YEAR, "starts_on": "2027-06-01", "ends_on": "2028-05-01"})
    bad_zone = _json(client, "POST", url, {**NEXT_YEAR, "zone": "D"})
    created = _json(client, "POST", url, NEXT_YEAR)
    taken = _json(client, "POST", url, {**NEXT_YEAR, "starts_on": "2028-09-01", "ends_on": "2029-07-04"})
    shrunk = _json(
        client,
        "PUT",
        f"{url}/{seeded.pk}",
        {"label": "2026-2027", "starts_on": "2026-09-01", "ends_on": "2027-06-15", "zone": "B"},
    )
    not_empty = client.delete(f"{url}/{seeded.pk}")
    missing = client.delete(f"{url}/987654")
    # then each refusal has its status, code and French message, and only the next year was added
    assert (last.status_code, last.json()["code"]) == (409, "school_year_last")
    assert last.json()["message"].startswith("L'établissement garde au moins une année scolaire")
    assert (reversed_dates.status_code, reversed_dates.json()["code"]) == (400, "school_year_dates_reversed")
    assert (
        reversed_dates.json()["message"] == "Le dernier jour de l'année scolaire doit être après le premier."
    )
    assert (too_long.status_code, too_long.json()["code"]) == (400, "school_year_too_long")
    assert (overlap.status_code, overlap.json()["code"]) == (409, "school_year_overlap")
    assert overlap.json()["message"] == "Cette année scolaire chevauche une autre année : ajustez les dates."
    assert (bad_zone.status_code, bad_zone.json()["code"]) == (422, "invalid_input")
    assert created.status_code == 201
    assert (taken.status_code, taken.json()["code"]) == (409, "school_year_label_taken")
    assert (shrunk.status_code, shrunk.json()["code"]) == (409, "school_year_content_outside")
    assert "(Trimestre 3)" in shrunk.json()["message"]
    assert (not_empty.status_code, not_empty.json()["code"]) == (409, "school_year_not_empty")
    assert missing.status_code == 404
    with school_a.active():
        assert list(SchoolYear.objects.values_list("label", flat=True)) == ["2026-2027", "2027-2028"]
        assert SchoolYear.objects.get(pk=seeded.pk).ends_on.isoformat() == "2027-07-02"


# ---- week patterns -------------------------------------------------------------------------------


def test_direction_creates_changes_and_deletes_a_custom_week_pattern(school_a: Any, api_as: Any) -> None:
    with school_a.active():
        head = person(Role.DIRECTION)
    client = api_as(head, school_a)
    # when the head creates a custom pattern, lists the patterns, changes its weeks and deletes it
    created = _json(
        client,
        "POST",
        f"{BASE}/week-patterns",
        {"code": "Q1", "label": "Quinzaine", "iso_weeks": [40, 36, 38]},
    )
    pattern_id = created.json()["id"]
    listed = client.get(f"{BASE}/week-patterns")
    changed = _json(
        client,
        "PUT",
        f"{BASE}/week-patterns/{pattern_id}",
        {"code": "Q1", "label": "Quinzaine", "iso_weeks": [37, 39]},
    )
    deleted = client.delete(f"{BASE}/week-patterns/{pattern_id}")
    # then the pattern is custom with sorted weeks, "every week" lists first, and the audit has it all
    assert created.status_code == 201
    assert created.json() == {
        "id": pattern_id,
        "code": "Q1",
        "label": "Quinzaine",
        "kind": "custom",
        "kind_label": "Semaines choisies",
        "iso_weeks": [36, 38, 40],
    }
    assert [item["code"] for item in listed.json()["items"]] == ["TOUTES", "A", "B", "Q1"]
    assert (changed.status_code, changed.json()["iso_weeks"]) == (200, [37, 39])
    assert deleted.status_code == 204
    with school_a.active():
        assert not WeekPattern.objects.filter(code="Q1").exists()
        actions = set(AuditEvent.objects.filter(target_id=str(pattern_id)).values_list("action", flat=True))
        assert actions == {
            "timetable.week_pattern_created",
            "timetable.week_pattern_updated",
            "timetable.week_pattern_deleted",
        }


def test_week_pattern_errors_have_stable_codes_and_french_messages(school_a: Any, api_as: Any) -> None:
    with school_a.active():
        head = person(Role.DIRECTION)
        every, week_a, week_b = pattern("TOUTES"), pattern("A"), pattern("B")
        used = WeekPattern.objects.create(code="Q9", label="Utilisé", kind=PatternKind.CUSTOM, iso_weeks=[40])
        CourseFactory(week_pattern=used)
    client = api_as(head, school_a)
    url = f"{BASE}/week-patterns"
    a_body = {"code": "A", "label": "Semaine A", "iso_weeks": week_a.iso_weeks}
    # when each rule is broken once
    taken = _json(client, "POST", url, {"code": "q9", "label": "Autre", "iso_weeks": [41]})
    no_week = _json(client, "POST", url, {"code": "Q2", "label": "Vide", "iso_weeks": []})
    week_54 = _json(client, "POST", url, {"code": "Q2", "label": "Trop", "iso_weeks": [54]})
    every_changed = _json(
        client, "PUT", f"{url}/{every.pk}", {"code": "TOUTES", "label": "X", "iso_weeks": [1]}
    )
    every_deleted = client.delete(f"{url}/{every.pk}")
    recoded = _json(client, "PUT", f"{url}/{week_a.pk}", {**a_body, "code": "AA"})
    shared = _json(
        client, "PUT", f"{url}/{week_a.pk}", {**a_body, "iso_weeks": [*week_a.iso_weeks, week_b.iso_weeks[0]]}
    )
    a_deleted = client.delete(f"{url}/{week_a.pk}")
    in_use = client.delete(f"{url}/{used.pk}")
    missing = client.put(f"{url}/987654", data=json.dumps(a_body), content_type=JSON)
    # then each refusal has its status, code and French message, and nothing changed
    assert (taken.status_code, taken.json()["code"]) == (409, "week_pattern_code_taken")
    assert (no_week.status_code, no_week.json()["code"]) == (422, "invalid_input")
    assert (week_54.status_code, week_54.json()["code"]) == (422, "invalid_input")
    assert (every_changed.status_code, every_changed.json()["code"]) == (409, "week_pattern_every_week")
    assert (every_deleted.status_code, every_deleted.json()["code"]) == (409, "week_pattern_every_week")
    assert (recoded.status_code, recoded.json()["code"]) == (409, "week_pattern_code_locked")
    assert (shared.status_code, shared.json()["code"]) == (409, "alternate_weeks_overlap")
    assert f"(semaine {week_b.iso_weeks[0]})" in shared.json()["message"]
    assert (a_deleted.status_code, a_deleted.json()["code"]) == (409, "week_pattern_alternate_kept")
    assert (in_use.status_code, in_use.json()["code"]) == (409, "pattern_in_use")
    assert in_use.json()["message"].startswith("Des cours ou des séances placées suivent ce rythme")
    assert missing.status_code == 404
    with school_a.active():
        assert sorted(WeekPattern.objects.values_list("code", flat=True)) == ["A", "B", "Q9", "TOUTES"]
        assert WeekPattern.objects.get(code="A").iso_weeks == week_a.iso_weeks
        assert not AuditEvent.objects.filter(action__startswith="timetable.week_pattern").exists()


def test_weeks_a_and_b_are_swapped_and_recomputed_through_the_api(school_a: Any, api_as: Any) -> None:
    with school_a.active():
        head = person(Role.DIRECTION)
        year = SchoolYear.objects.get(label="2026-2027")
        old_a, old_b = sorted(pattern("A").iso_weeks), sorted(pattern("B").iso_weeks)
        expected_a, expected_b = services.school_weeks_alternate(year=year)
    client = api_as(head, school_a)
    # when A and B swap their weeks, then share one, then are recomputed (by default and from the year)
    swapped = _json(client, "PUT", f"{BASE}/week-patterns/alternate", {"week_a": old_b, "week_b": old_a})
    shared = _json(client, "PUT", f"{BASE}/week-patterns/alternate", {"week_a": [36], "week_b": [36, 37]})
    recomputed = _json(client, "POST", f"{BASE}/week-patterns/alternate/recompute", {})
    from_year = _json(
        client, "POST", f"{BASE}/week-patterns/alternate/recompute", {"school_year_id": year.pk}
    )
    unknown_year = _json(
        client, "POST", f"{BASE}/week-patterns/alternate/recompute", {"school_year_id": 987654}
    )
    # then each answers with both patterns, or refuses with its code
    assert swapped.status_code == 200
    assert [(p["code"], p["iso_weeks"]) for p in swapped.json()] == [("A", old_b), ("B", old_a)]
    assert (shared.status_code, shared.json()["code"]) == (409, "alternate_weeks_overlap")
    assert recomputed.status_code == 200
    assert [p["iso_weeks"] for p in recomputed.json()] == [sorted(expected_a), sorted(expected_b)]
    assert from_year.status_code == 200
    assert unknown_year.status_code == 404
    with school_a.active():
        assert WeekPattern.objects.get(code="A").iso_weeks == sorted(expected_a)
        assert AuditEvent.objects.filter(action="timetable.week_pattern_updated").count() == 2
        assert AuditEvent.objects.filter(action="timetable.week_pattern_recomputed").count() == 4


# ---- roles and schools ---------------------------------------------------------------------------


def test_staff_read_years_and_patterns_pupils_and_parents_do_not_and_only_builders_write(
    school_a: Any, api_as: Any
) -> None:
    with school_a.active():
        teacher, cpe, staff = person(Role.TEACHER), person(Role.VIE_SCOLAIRE), person(Role.STAFF)
        pupil = student_in(SchoolClassFactory())
        parent = guardian_of(pupil)
        admin = person(Role.SCHOOL_ADMIN)
        week_a = pattern("A")
        year = SchoolYear.objects.get(label="2026-2027")
    a_body = {"code": "A", "label": "Semaine A", "iso_weeks": week_a.iso_weeks[1:]}
    for reader in (teacher, cpe, staff):
        client = api_as(reader, school_a)
        assert client.get(f"{BASE}/school-years").json()["items"][0]["label"] == "2026-2027"
        assert [p["code"] for p in client.get(f"{BASE}/week-patterns").json()["items"]] == [
            "TOUTES",
            "A",
            "B",
        ]
    for outsider in (pupil, parent):
        for path in ("school-years", "week-patterns"):
            refused = api_as(outsider, school_a).get(f"{BASE}/{path}")
            assert refused.status_code == 403
            assert refused.json()["code"] == "forbidden"
    for writer in (teacher, cpe, staff, pupil, parent):
        client = api_as(writer, school_a)
        assert _json(client, "POST", f"{BASE}/school-years", NEXT_YEAR).status_code == 403
        assert client.delete(f"{BASE}/school-years/{year.pk}").status_code == 403
        body = {"code": "Q1", "label": "Intrus", "iso_weeks": [40]}
        assert _json(client, "POST", f"{BASE}/week-patterns", body).status_code == 403
        assert _json(client, "PUT", f"{BASE}/week-patterns/{week_a.pk}", a_body).status_code == 403
        assert _json(client, "POST", f"{BASE}/week-patterns/alternate/recompute", {}).status_code == 403
        assert (
            _json(
                client, "PUT", f"{BASE}/week-patterns/alternate", {"week_a": [1], "week_b": [2]}
            ).status_code
            == 403
        )
    ent_admin = api_as(admin, school_a)
    assert (
        _json(
            ent_admin, "POST", f"{BASE}/week-patterns", {"code": "Q1", "label": "CDI", "iso_weeks": [40]}
        ).status_code
        == 201
    )
    assert _json(ent_admin, "POST", f"{BASE}/school-years", NEXT_YEAR).status_code == 201
    with school_a.active():
        assert sorted(WeekPattern.objects.values_list("code", flat=True)) == ["A", "B", "Q1", "TOUTES"]
        assert WeekPattern.objects.get(code="A").iso_weeks == week_a.iso_weeks
        assert SchoolYear.objects.count() == 2


def test_years_and_patterns_of_school_b_never_reach_school_a(
    school_a: Any, school_b: Any, api_as: Any
) -> None:
    # given a custom pattern and a next year in each school (B's ids unknown in A), and the head of A
    markers = calendar_markers(school_a, school_b)
    head, b_pattern, b_year, b_weeks_a = markers.head, markers.b_pattern, markers.b_year, markers.b_weeks_a
    client = api_as(head, school_a)
    # when A's head lists on A's host, reaches for B's ids on A's host, and calls B's host
    patterns = client.get(f"{BASE}/week-patterns").content.decode()
    years = client.get(f"{BASE}/school-years").content.decode()
    body = {"code": "MB", "label": "pris", "iso_weeks": [1]}
    b_pattern_on_a = _json(client, "PUT", f"{BASE}/week-patterns/{b_pattern.pk}", body)
    b_pattern_deleted_on_a = client.delete(f"{BASE}/week-patterns/{b_pattern.pk}")
    b_year_on_a = _json(client, "PUT", f"{BASE}/school-years/{b_year.pk}", {**NEXT_YEAR, "label": "pris"})
    b_year_deleted_on_a = client.delete(f"{BASE}/school-years/{b_year.pk}")
    b_year_recompute_on_a = _json(
        client, "POST", f"{BASE}/week-patterns/alternate/recompute", {"school_year_id": b_year.pk}
    )
    on_b = api_as(head, school_b).get(f"{BASE}/week-patterns")
    recompute_on_b = _json(api_as(head, school_b), "POST", f"{BASE}/week-patterns/alternate/recompute", {})
    # then only A's own rows show, B's ids are unknown on A, and B's host refuses A's head
    assert "marqueur-A-rythme" in patterns
    assert "marqueur-B-rythme" not in patterns
    assert "marqueur-A" in years
    assert "marqueur-B" not in years
    for response in (
        b_pattern_on_a,
        b_pattern_deleted_on_a,
        b_year_on_a,
        b_year_deleted_on_a,
        b_year_recompute_on_a,
    ):
        assert response.status_code == 404
    assert on_b.status_code == 403
    assert recompute_on_b.status_code == 403
    with school_b.active():
        assert WeekPattern.objects.get(pk=b_pattern.pk).label == "marqueur-B-rythme"
        assert SchoolYear.objects.get(pk=b_year.pk).label == "marqueur-B"
        assert pattern("A").iso_weeks == b_weeks_a


@pytest.mark.parametrize("path", ["week-patterns", "school-years"])
def test_calendar_lists_queries_do_not_grow_with_rows(
    school_a: Any, api_as: Any, django_assert_max_num_queries: Any, path: str
) -> None:
    with school_a.active():
        head = person(Role.DIRECTION)
    client = api_as(head, school_a)
    with django_assert_max_num_queries(9):
        client.get(f"{BASE}/{path}")
    with school_a.active():
        for index in range(40):
            WeekPattern.objects.create(
                code=f"Q{index}", label="Q", kind=PatternKind.CUSTOM, iso_weeks=[index + 1]
            )
            SchoolYear.objects.create(
                label=f"Y{index}", starts_on=f"{2100 + index}-09-01", ends_on=f"{2101 + index}-07-01"
            )
    with django_assert_max_num_queries(9):
        listed = client.get(f"{BASE}/{path}?limit=100").json()
    assert listed["count"] == {"week-patterns": 43, "school-years": 41}[path]
