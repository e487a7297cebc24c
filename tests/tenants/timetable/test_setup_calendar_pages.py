"""Paramétrage pages of school years and week patterns: weeks typed as "36, 38, 40-44", tools A/B, roles."""

from __future__ import annotations

import html
from typing import Any

import pytest
from django import forms

from mbn.audit.models import AuditEvent
from tenants.directory.models import Role
from tenants.timetable import services
from tenants.timetable.models import PatternKind, SchoolYear, WeekPattern
from tenants.timetable.setup_views import iso_weeks_parse, iso_weeks_text
from tests.tenants.timetable.factories import (
    CourseFactory,
    SchoolClassFactory,
    calendar_markers,
    pattern,
    person,
    student_in,
)

SETUP = "/emploi-du-temps/parametrage"
HTMX = {"HTTP_HX_REQUEST": "true"}


def _text(response: Any) -> str:
    return html.unescape(response.content.decode())


# ---- ISO weeks as typed --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "weeks"),
    [
        ("36, 38, 40", [36, 38, 40]),
        ("36-40", [36, 37, 38, 39, 40]),
        (" 40 – 42 ; 1,2,, 52 ", [1, 2, 40, 41, 42, 52]),
        ("38, 36-38", [36, 37, 38]),
        ("53", [53]),
    ],
)
def test_weeks_are_read_as_lists_and_ranges(typed: str, weeks: list[int]) -> None:
    assert iso_weeks_parse(typed) == weeks


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Indiquez au moins une semaine."),
        (" , ", "Indiquez au moins une semaine."),
        ("54", "La semaine 54 n'existe pas : les semaines vont de 1 à 53."),
        ("0-3", "La semaine 0 n'existe pas : les semaines vont de 1 à 53."),
        ("50-2", "La plage « 50-2 » va à rebours : écrivez-la en deux morceaux, comme « 50-52, 1-2 »."),
        ("36 38", "« 36 38 » n'est ni un numéro de semaine ni une plage"),
        ("semaine 36", "« semaine 36 » n'est ni un numéro de semaine ni une plage"),
    ],
)
def test_weeks_typed_wrong_are_refused_in_french(typed: str, message: str) -> None:
    with pytest.raises(forms.ValidationError) as refused:
        iso_weeks_parse(typed)
    assert refused.value.messages[0].startswith(message)


def test_weeks_show_compactly_in_school_year_order() -> None:
    assert iso_weeks_text([36, 37, 38, 40, 1, 2, 3, 5], first_week=36) == "36-38, 40, 1-3, 5"
    assert iso_weeks_text([2, 1, 52, 53], first_week=36) == "52, 53, 1, 2"
    assert iso_weeks_text([36, 38, 40]) == "36, 38, 40"
    assert iso_weeks_parse(iso_weeks_text([36, 37, 38, 40, 1, 2, 3], first_week=36)) == [
        1,
        2,
        3,
        36,
        37,
        38,
        40,
    ]


# ---- pages ---------------------------------------------------------------------------------------


def test_calendar_and_weeks_sections_show_years_patterns_and_tools(school_a: Any, api_as: Any) -> None:
    with school_a.active():
        head = person(Role.DIRECTION)
        week_a = pattern("A")
    client = api_as(head, school_a)
    calendar = _text(client.get(f"{SETUP}/calendrier/"))
    weeks_page = client.get(f"{SETUP}/semaines/")
    weeks = _text(weeks_page)
    home = client.get(f"{SETUP}/").content.decode()
    assert "Années scolaires (1)" in calendar
    assert '<th scope="row">2026-2027</th>' in calendar
    assert "3 périodes, 8 congés" in calendar
    assert "Ajouter une année scolaire" in calendar
    assert weeks_page.status_code == 200
    assert "Rythmes de semaines (3)" in weeks
    assert iso_weeks_text(week_a.iso_weeks, first_week=36) in weeks
    assert "Ajouter un rythme de semaines" in weeks
    assert "Enregistrer les semaines A et B" in weeks
    assert '<button type="submit">Recalculer les semaines A et B</button>' in weeks
    assert 'value="' + iso_weeks_text(week_a.iso_weeks, first_week=36) + '"' in weeks  # the A/B tool form
    assert f'href="{SETUP}/semaines/"' in home


def test_only_custom_patterns_are_deleted_and_every_week_is_not_edited_from_its_row(
    school_a: Any, api_as: Any
) -> None:
    with school_a.active():
        head = person(Role.DIRECTION)
        every, week_a = pattern("TOUTES"), pattern("A")
        custom = WeekPattern.objects.create(
            code="Q1", label="Quinzaine", kind=PatternKind.CUSTOM, iso_weeks=[40]
        )
    page = api_as(head, school_a).get(f"{SETUP}/semaines/").content.decode()
    assert "Quinzaine" in page
    assert f"{SETUP}/semaines/{every.pk}/" not in page
    assert f"{SETUP}/semaines/{every.pk}/supprimer" not in page
    assert f"{SETUP}/semaines/{week_a.pk}/" in page
    assert f"{SETUP}/semaines/{week_a.pk}/supprimer" not in page
    assert f"{SETUP}/semaines/{custom.pk}/supprimer" in page


def test_direction_adds_a_custom_pattern_typing_weeks_as_lists_and_ranges(school_a: Any, api_as: Any) -> None:
    with school_a.active():
        head = person(Role.DIRECTION)
    client = api_as(head, school_a)
    # when the head adds a pattern with "36, 38, 40-44", then one with a week that does not exist
    added = client.post(
        f"{SETUP}/semaines/ajouter",
        {"code": "Q1", "label": "Quinzaine", "iso_weeks": "36, 38, 40-44"},
        **HTMX,
    )
    wrong = client.post(
        f"{SETUP}/semaines/ajouter", {"code": "Q2", "label": "Faux", "iso_weeks": "36, 54"}, **HTMX
    )
    taken = client.post(
        f"{SETUP}/semaines/ajouter", {"code": "q1", "label": "Autre", "iso_weeks": "1"}, **HTMX
    )
    # then the first is stored and shown compactly; the others come back in the form, in French
    assert added.status_code == 200
    assert "36, 38, 40-44 (7 semaines)" in _text(added)
    assert 'role="status"' in added.content.decode()
    assert wrong.status_code == 400
    assert "La semaine 54 n'existe pas : les semaines vont de 1 à 53." in _text(wrong)
    assert 'aria-invalid="true"' in wrong.content.decode()
    assert 'value="36, 54"' in wrong.content.decode()
    assert taken.status_code == 409
    assert "Un rythme de semaines porte déjà ce code" in _text(taken)
    with school_a.active():
        assert WeekPattern.objects.get(code="Q1").iso_weeks == [36, 38, 40, 41, 42, 43, 44]
        assert not WeekPattern.objects.filter(code__in=["Q2", "q1"]).exists()
        assert AuditEvent.objects.filter(action="timetable.week_pattern_created").count() == 1


def test_week_a_is_edited_under_its_locked_code_and_never_takes_a_week_b(school_a: Any, api_as: Any) -> None:
    with school_a.active():
        head = person(Role.DIRECTION)
        week_a, week_b = pattern("A"), pattern("B")
    client = api_as(head, school_a)
    first_b = sorted(week_b.iso_weeks)[0]
    kept_a = sorted(week_a.iso_weeks)[1:]
    # when the head opens week A's form, then saves it with one of B's weeks, then without its first week
    form = client.get(f"{SETUP}/semaines/{week_a.pk}/", **HTMX).content.decode()
    shared = client.post(
        f"{SETUP}/semaines/{week_a.pk}/",
        {"code": "ZZ", "label": "Semaine A", "iso_weeks": f"{first_b}, " + ", ".join(map(str, kept_a))},
        **HTMX,
    )
    saved = client.post(
        f"{SETUP}/semaines/{week_a.pk}/",
        {"code": "ZZ", "label": "Semaine verte", "iso_weeks": ", ".join(map(str, kept_a))},
        **HTMX,
    )
    # then its code cannot be typed, the shared week is refused, and the change keeps the code "A"
    assert "Modifier : Semaine A" in form
    assert 'name="code"' in form
    assert "disabled" in form.split('name="code"')[1].split(">")[0]
    assert shared.status_code == 409
    assert f"Une semaine ne peut pas être à la fois A et B (semaine {first_b})" in _text(shared)
    assert saved.status_code == 200
    with school_a.active():
        stored = WeekPattern.objects.get(pk=week_a.pk)
        assert (stored.code, stored.label, stored.iso_weeks) == ("A", "Semaine verte", kept_a)


def test_a_pattern_followed_by_a_course_is_not_deleted_from_the_page(school_a: Any, api_as: Any) -> None:
    with school_a.active():
        head = person(Role.DIRECTION)
        used = WeekPattern.objects.create(
            code="Q1", label="Quinzaine", kind=PatternKind.CUSTOM, iso_weeks=[40]
        )
        CourseFactory(week_pattern=used, classes=[SchoolClassFactory()])
        every = pattern("TOUTES")
    client = api_as(head, school_a)
    in_use = client.post(f"{SETUP}/semaines/{used.pk}/supprimer", **HTMX)
    every_deleted = client.post(f"{SETUP}/semaines/{every.pk}/supprimer", **HTMX)
    assert in_use.status_code == 409
    assert "Des cours ou des séances placées suivent ce rythme" in _text(in_use)
    assert every_deleted.status_code == 409
    assert "ne se modifie pas et ne se supprime pas" in _text(every_deleted)
    with school_a.active():
        assert WeekPattern.objects.filter(code__in=["Q1", "TOUTES"]).count() == 2


def test_weeks_a_and_b_are_swapped_then_recomputed_with_the_tools(school_a: Any, api_as: Any) -> None:
    with school_a.active():
        head = person(Role.DIRECTION)
        year = SchoolYear.objects.get(label="2026-2027")
        old_a, old_b = sorted(pattern("A").iso_weeks), sorted(pattern("B").iso_weeks)
        expected_a, expected_b = services.school_weeks_alternate(year=year)
    client = api_as(head, school_a)
    as_text = ", ".join
    # when the head swaps A and B with the tool, then types a week in both, then recomputes from the year
    swapped = client.post(
        f"{SETUP}/semaines/semaines-a-b",
        {"week_a": as_text(map(str, old_b)), "week_b": as_text(map(str, old_a))},
        **HTMX,
    )
    with school_a.active():
        after_swap = WeekPattern.objects.get(code="A").iso_weeks
    shared = client.post(f"{SETUP}/semaines/semaines-a-b", {"week_a": "36-38", "week_b": "38-40"}, **HTMX)
    unreadable = client.post(
        f"{SETUP}/semaines/semaines-a-b", {"week_a": "trente-six", "week_b": "37"}, **HTMX
    )
    recomputed = client.post(f"{SETUP}/semaines/recalculer-a-b", {"school_year": year.pk}, **HTMX)
    plain = client.post(f"{SETUP}/semaines/recalculer-a-b", {"school_year": year.pk})
    # then each answers in the block, the refusals in French, and A and B end as the calendar says
    assert swapped.status_code == 200
    assert "Semaines A et B enregistrées." in _text(swapped)
    assert after_swap == old_b
    assert shared.status_code == 409
    assert "(semaine 38)" in _text(shared)
    assert unreadable.status_code == 400
    assert "« trente-six » n'est ni un numéro de semaine ni une plage" in _text(unreadable)
    assert 'value="trente-six"' in unreadable.content.decode()
    assert recomputed.status_code == 200
    assert "Semaines A et B recalculées d'après l'année 2026-2027." in _text(recomputed)
    assert 'hx-confirm="Remplacer les semaines A et B' in recomputed.content.decode()
    assert plain.status_code == 302
    assert plain["Location"] == f"{SETUP}/semaines/"
    with school_a.active():
        assert WeekPattern.objects.get(code="A").iso_weeks == sorted(expected_a)
        assert WeekPattern.objects.get(code="B").iso_weeks == sorted(expected_b)
        assert AuditEvent.objects.filter(action="timetable.week_pattern_recomputed").count() == 4


def test_direction_adds_changes_and_deletes_a_school_year_by_its_rules(school_a: Any, api_as: Any) -> None:
    with school_a.active():
        head = person(Role.DIRECTION)
        seeded = SchoolYear.objects.get(label="2026-2027")
    client = api_as(head, school_a)
    next_year = {"label": "2027-2028", "starts_on": "2027-09-01", "ends_on": "2028-07-04", "zone": "B"}
    added = client.post(f"{SETUP}/annees/ajouter", next_year, **HTMX)
    overlap = client.post(
        f"{SETUP}/annees/ajouter",
        {**next_year, "label": "X", "starts_on": "2027-06-01", "ends_on": "2028-05-01"},
        **HTMX,
    )
    shrunk = client.post(
        f"{SETUP}/annees/{seeded.pk}/",
        {"label": "2026-2027", "starts_on": "2026-09-01", "ends_on": "2027-06-15", "zone": "B"},
        **HTMX,
    )
    not_empty = client.post(f"{SETUP}/annees/{seeded.pk}/supprimer", **HTMX)
    with school_a.active():
        added_id = SchoolYear.objects.get(label="2027-2028").pk
    edit_form = client.get(f"{SETUP}/annees/{added_id}/", **HTMX).content.decode()
    deleted = client.post(f"{SETUP}/annees/{added_id}/supprimer", **HTMX)
    last = client.post(f"{SETUP}/annees/{seeded.pk}/supprimer", **HTMX)
    assert added.status_code == 200
    assert '<th scope="row">2027-2028</th>' in added.content.decode()
    assert overlap.status_code == 409
    assert "Cette année scolaire chevauche une autre année" in _text(overlap)
    assert shrunk.status_code == 409
    assert "(Trimestre 3)" in _text(shrunk)
    assert not_empty.status_code == 409
    assert "Cette année scolaire a encore des périodes ou des congés" in _text(not_empty)
    assert 'value="2028-07-04"' in edit_form
    assert deleted.status_code == 200
    assert last.status_code == 409
    assert "L'établissement garde au moins une année scolaire" in _text(last)
    with school_a.active():
        assert list(SchoolYear.objects.values_list("label", "ends_on")) == [("2026-2027", seeded.ends_on)]


# ---- roles and schools ---------------------------------------------------------------------------


def test_other_roles_get_no_calendar_or_weeks_page_and_write_nothing(school_a: Any, api_as: Any) -> None:
    with school_a.active():
        week_a = pattern("A")
        before_a = week_a.iso_weeks
        year = SchoolYear.objects.get(label="2026-2027")
        custom = WeekPattern.objects.create(
            code="Q1", label="Quinzaine", kind=PatternKind.CUSTOM, iso_weeks=[40]
        )
        actors = [
            person(Role.TEACHER),
            person(Role.VIE_SCOLAIRE),
            person(Role.STAFF),
            student_in(SchoolClassFactory()),
        ]
    for actor in actors:
        client = api_as(actor, school_a)
        assert client.get(f"{SETUP}/semaines/").status_code == 404
        assert client.get(f"{SETUP}/calendrier/").status_code == 404
        attempts = [
            client.post(f"{SETUP}/semaines/ajouter", {"code": "X", "label": "X", "iso_weeks": "1"}),
            client.post(f"{SETUP}/semaines/{week_a.pk}/", {"label": "X", "iso_weeks": "1"}),
            client.post(f"{SETUP}/semaines/{custom.pk}/supprimer"),
            client.post(f"{SETUP}/semaines/semaines-a-b", {"week_a": "1", "week_b": "2"}),
            client.post(f"{SETUP}/semaines/recalculer-a-b", {"school_year": year.pk}),
            client.post(
                f"{SETUP}/annees/ajouter",
                {"label": "X", "starts_on": "2027-09-01", "ends_on": "2028-07-04", "zone": "B"},
            ),
            client.post(f"{SETUP}/annees/{year.pk}/supprimer"),
        ]
        assert [response.status_code for response in attempts] == [404] * len(attempts)
    with school_a.active():
        assert sorted(WeekPattern.objects.values_list("code", flat=True)) == ["A", "B", "Q1", "TOUTES"]
        assert WeekPattern.objects.get(code="A").iso_weeks == before_a
        assert SchoolYear.objects.count() == 1


def test_a_head_of_school_a_never_sees_nor_edits_school_b_weeks_or_years(
    school_a: Any, school_b: Any, api_as: Any
) -> None:
    # given a custom pattern and a next year in each school (B's ids unknown in A), and the head of A
    markers = calendar_markers(school_a, school_b)
    head, b_pattern, b_year, b_weeks_a = markers.head, markers.b_pattern, markers.b_year, markers.b_weeks_a
    client = api_as(head, school_a)
    # when the head reads A's pages, reaches for B's ids on A, and calls B's host
    weeks = client.get(f"{SETUP}/semaines/").content.decode()
    calendar = client.get(f"{SETUP}/calendrier/").content.decode()
    attempts = [
        client.get(f"{SETUP}/semaines/{b_pattern.pk}/"),
        client.post(f"{SETUP}/semaines/{b_pattern.pk}/", {"code": "MB", "label": "pris", "iso_weeks": "1"}),
        client.post(f"{SETUP}/semaines/{b_pattern.pk}/supprimer"),
        client.post(f"{SETUP}/annees/{b_year.pk}/supprimer"),
        client.post(f"{SETUP}/semaines/recalculer-a-b", {"school_year": b_year.pk}),
    ]
    on_b = api_as(head, school_b).get(f"{SETUP}/semaines/")
    recompute_on_b = api_as(head, school_b).post(
        f"{SETUP}/semaines/recalculer-a-b", {"school_year": b_year.pk}
    )
    # then A's rows show, B's never do, B's ids are unknown on A, and B's host refuses A's head
    assert "marqueur-A-rythme" in weeks
    assert "marqueur-B-rythme" not in weeks
    assert "marqueur-A" in calendar
    assert "marqueur-B" not in calendar
    assert [response.status_code for response in attempts[:4]] == [404, 404, 404, 404]
    # B's year is no choice on A's host: the tool form refuses it
    assert attempts[4].status_code == 400
    assert "marqueur-B" not in attempts[4].content.decode()
    assert on_b.status_code in (403, 404)
    assert recompute_on_b.status_code in (403, 404)
    with school_b.active():
        assert WeekPattern.objects.get(pk=b_pattern.pk).label == "marqueur-B-rythme"
        assert SchoolYear.objects.get(pk=b_year.pk).label == "marqueur-B"
        assert pattern("A").iso_weeks == b_weeks_a
        assert not AuditEvent.objects.filter(action__startswith="timetable.week_pattern").exists()
