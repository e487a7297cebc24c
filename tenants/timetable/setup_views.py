"""Pages for setting up the timetable (« Paramétrage »), for the direction and the ENT admins.

Every kind of row (room, course, school year, period, holiday, week pattern, slot, unavailability, daily
cap) is a ``Block``: a table with edit and delete buttons, and a form to add or change a row; a block may
add ``Tool`` forms acting on several rows at once (weeks A and B). One set of views and two templates serve
them all; with htmx a form swaps its block only, without JavaScript it posts and comes back to the page.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from mbn.errors import DomainError, NotFound
from tenants.directory.models import Person, SchoolClass, Subject, TeachingGroup
from tenants.timetable import selectors, setup_services
from tenants.timetable.models import (
    Course,
    DailyLimit,
    Day,
    Holiday,
    HolidayKind,
    PatternKind,
    Period,
    Room,
    RoomKind,
    SchoolYear,
    TimeSlot,
    Unavailability,
    WeekPattern,
    Zone,
)
from tenants.timetable.views import _builder, _not_found

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
MANY = forms.CheckboxSelectMultiple


# ---- forms (field types and ranges; the rules are the services') --------------------------------


class SetupForm(forms.Form):
    """A form whose choices come from what the viewer may see; ``editing`` when it changes a row."""

    choices: dict[str, Callable[..., Any]] = {}  # field name → selector giving its queryset
    locked_when_editing: tuple[str, ...] = ()

    def __init__(self, *args: Any, viewer: Person, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, selector in self.choices.items():
            self.fields[name].queryset = selector(viewer=viewer)  # type: ignore[attr-defined]
        if editing:
            for name in self.locked_when_editing:
                self.fields[name].disabled = True
            # Keyboard users land in the form they asked for.
            first = next(f for n, f in self.fields.items() if n not in self.locked_when_editing)
            first.widget.attrs["autofocus"] = True


class RoomForm(SetupForm):
    name = forms.CharField(label="Nom", max_length=60)
    kind = forms.ChoiceField(label="Type de salle", choices=RoomKind.choices, initial=RoomKind.CLASSROOM)
    capacity = forms.IntegerField(label="Nombre de places", min_value=1, max_value=1000, initial=30)


class CourseForm(SetupForm):
    subject = forms.ModelChoiceField(
        label="Matière", queryset=Subject.objects.none(), empty_label="Choisissez une matière"
    )
    teachers = forms.ModelMultipleChoiceField(
        label="Enseignants", queryset=Person.objects.none(), required=False, widget=MANY
    )
    classes = forms.ModelMultipleChoiceField(
        label="Classes", queryset=SchoolClass.objects.none(), required=False, widget=MANY
    )
    groups = forms.ModelMultipleChoiceField(
        label="Groupes", queryset=TeachingGroup.objects.none(), required=False, widget=MANY
    )
    duration = forms.IntegerField(label="Durée d'une séance (créneaux)", min_value=1, max_value=6, initial=1)
    sessions_per_week = forms.IntegerField(label="Séances par semaine", min_value=1, max_value=20, initial=1)
    week_pattern = forms.ModelChoiceField(
        label="Semaines", queryset=WeekPattern.objects.none(), empty_label=None
    )
    room_kind = forms.ChoiceField(
        label="Type de salle", choices=[("", "Pas de salle"), *RoomKind.choices], required=False
    )
    fixed_room = forms.ModelChoiceField(
        label="Salle imposée", queryset=Room.objects.none(), required=False, empty_label="Aucune"
    )
    wants_double = forms.BooleanField(label="Séances de deux créneaux de préférence", required=False)

    choices = {
        "subject": selectors.subject_list_for,
        "teachers": selectors.teacher_list_for,
        "classes": selectors.class_list_for,
        "groups": selectors.group_list_for,
        "week_pattern": selectors.week_pattern_list_for,
        "fixed_room": selectors.room_list_for,
    }


class CourseFilterForm(SetupForm):
    classe = forms.ModelChoiceField(
        label="Classe", queryset=SchoolClass.objects.none(), required=False, empty_label="Toutes"
    )
    enseignant = forms.ModelChoiceField(
        label="Enseignant", queryset=Person.objects.none(), required=False, empty_label="Tous"
    )

    choices = {"classe": selectors.class_list_for, "enseignant": selectors.teacher_list_for}


class SchoolYearForm(SetupForm):
    label = forms.CharField(label="Nom", max_length=20, help_text="Par exemple « 2027-2028 ».")
    starts_on = forms.DateField(label="Premier jour de classe", widget=DATE)
    ends_on = forms.DateField(label="Dernier jour de classe", widget=DATE)
    zone = forms.ChoiceField(label="Zone de vacances", choices=Zone.choices, initial=Zone.B)


# ---- ISO weeks as people type them: "36, 38, 40-44" ----------------------------------------------

_WEEK = re.compile(r"(\d{1,2})")
_WEEK_RANGE = re.compile(r"(\d{1,2})\s*[-–]\s*(\d{1,2})")
WEEKS_HELP = "Numéros de semaine séparés par des virgules, ou des plages : « 36, 38, 40-44 »."


def iso_weeks_parse(text: str) -> list[int]:
    """ "36, 38, 40-44" → [36, 38, 40, 41, 42, 43, 44]; a French ``ValidationError`` for anything else."""
    weeks: set[int] = set()
    for part in (piece.strip() for piece in re.split(r"[,;]", text)):
        if not part:
            continue
        single, span = _WEEK.fullmatch(part), _WEEK_RANGE.fullmatch(part)
        if single:
            first = last = int(single.group(1))
        elif span:
            first, last = int(span.group(1)), int(span.group(2))
        else:
            raise forms.ValidationError(
                f"« {part} » n'est ni un numéro de semaine ni une plage : séparez les semaines par des "
                "virgules, comme « 36, 38, 40-44 »."
            )
        for week in (first, last):
            if not 1 <= week <= setup_services.MAX_ISO_WEEK:
                raise forms.ValidationError(
                    f"La semaine {week} n'existe pas : les semaines vont de 1 à "
                    f"{setup_services.MAX_ISO_WEEK}."
                )
        if last < first:
            raise forms.ValidationError(
                f"La plage « {part} » va à rebours : écrivez-la en deux morceaux, comme "
                f"« {first}-52, 1-{last} »."
            )
        weeks.update(range(first, last + 1))
    if not weeks:
        raise forms.ValidationError("Indiquez au moins une semaine.")
    return sorted(weeks)


def iso_weeks_text(weeks: Iterable[int], *, first_week: int = 1) -> str:
    """[36, 37, 38, 40, 1, 2] → "36-38, 40, 1, 2": in school-year order from ``first_week``, runs of three
    weeks or more as ranges."""
    ordered = sorted(set(weeks), key=lambda week: (week < first_week, week))
    runs: list[list[int]] = []
    for week in ordered:
        if runs and week == runs[-1][-1] + 1:
            runs[-1].append(week)
        else:
            runs.append([week])
    return ", ".join(
        f"{run[0]}-{run[-1]}" if len(run) >= 3 else ", ".join(str(week) for week in run) for run in runs
    )


def _first_week() -> int:
    """The ISO week the school year in progress starts in, so that weeks read in school-year order."""
    year = selectors.school_year_current(on=timezone.localdate())
    return year.starts_on.isocalendar().week if year else 1


class IsoWeeksField(forms.Field):
    widget = forms.TextInput

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("help_text", WEEKS_HELP)
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> list[int]:
        if isinstance(value, list):
            return value
        if value in self.empty_values or not str(value).strip():
            return []
        return iso_weeks_parse(str(value))


class WeekPatternForm(SetupForm):
    code = forms.CharField(label="Code", max_length=20, help_text="Court et unique, par exemple « Q1 ».")
    label = forms.CharField(label="Nom", max_length=60)
    iso_weeks = IsoWeeksField(label="Semaines")

    def __init__(self, *args: Any, viewer: Person, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, viewer=viewer, editing=editing, **kwargs)
        if editing and self.initial.get("kind") in setup_services.ALTERNATE_KINDS:
            # Weeks A and B keep their code: imports and other software name them by it.
            self.fields["code"].disabled = True
            self.fields["code"].widget.attrs.pop("autofocus", None)
            self.fields["label"].widget.attrs["autofocus"] = True


class WeekAlternateForm(SetupForm):
    week_a = IsoWeeksField(label="Semaines A")
    week_b = IsoWeeksField(label="Semaines B")

    def __init__(self, *args: Any, viewer: Person, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, viewer=viewer, editing=editing, **kwargs)
        first_week = _first_week()
        for pattern in selectors.week_pattern_list_for(viewer=viewer):
            if pattern.kind in setup_services.ALTERNATE_KINDS:
                name = "week_a" if pattern.kind == PatternKind.WEEK_A else "week_b"
                self.initial[name] = iso_weeks_text(pattern.iso_weeks, first_week=first_week)


class WeekRecomputeForm(SetupForm):
    school_year = forms.ModelChoiceField(
        label="D'après l'année scolaire", queryset=SchoolYear.objects.none(), empty_label=None
    )

    choices = {"school_year": selectors.school_year_list_for}

    def __init__(self, *args: Any, viewer: Person, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, viewer=viewer, editing=editing, **kwargs)
        current = selectors.school_year_current(on=timezone.localdate())
        if current is not None:
            self.initial["school_year"] = current.pk


class PeriodForm(SetupForm):
    label = forms.CharField(label="Nom", max_length=60)
    starts_on = forms.DateField(label="Premier jour", widget=DATE)
    ends_on = forms.DateField(label="Dernier jour", widget=DATE)


class HolidayForm(SetupForm):
    label = forms.CharField(label="Nom", max_length=120)
    kind = forms.ChoiceField(label="Type", choices=HolidayKind.choices)
    starts_on = forms.DateField(label="Premier jour", widget=DATE)
    ends_on = forms.DateField(label="Dernier jour", widget=DATE)


class TimeSlotForm(SetupForm):
    day = forms.TypedChoiceField(label="Jour", choices=Day.choices, coerce=int)
    position = forms.IntegerField(label="Position dans la journée", min_value=1, max_value=21)
    starts_at = forms.TimeField(label="Début", widget=TIME)
    ends_at = forms.TimeField(label="Fin", widget=TIME)
    is_lunch = forms.BooleanField(label="Pause déjeuner", required=False)

    locked_when_editing = ("day", "position")  # placed lessons refer to a slot by its day and position


def _slot_choices() -> list[tuple[int, str]]:
    _days, slots, _open = selectors.grid_frame()
    return [(slot.index, f"{slot.index + 1} — {slot.label}") for slot in slots]


class UnavailabilityForm(SetupForm):
    teacher = forms.ModelChoiceField(
        label="Enseignant", queryset=Person.objects.none(), required=False, empty_label="—"
    )
    school_class = forms.ModelChoiceField(
        label="Classe", queryset=SchoolClass.objects.none(), required=False, empty_label="—"
    )
    room = forms.ModelChoiceField(
        label="Salle", queryset=Room.objects.none(), required=False, empty_label="—"
    )
    day = forms.TypedChoiceField(label="Jour", choices=Day.choices, coerce=int)
    slot = forms.TypedChoiceField(label="Créneau", choices=(), coerce=int)

    choices = {
        "teacher": selectors.teacher_list_for,
        "school_class": selectors.class_list_for,
        "room": selectors.room_list_for,
    }

    def __init__(self, *args: Any, viewer: Person, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, viewer=viewer, editing=editing, **kwargs)
        self.fields["slot"].choices = _slot_choices()  # type: ignore[attr-defined]


class DailyLimitForm(SetupForm):
    teacher = forms.ModelChoiceField(
        label="Enseignant", queryset=Person.objects.none(), required=False, empty_label="—"
    )
    school_class = forms.ModelChoiceField(
        label="Classe", queryset=SchoolClass.objects.none(), required=False, empty_label="—"
    )
    max_slots = forms.IntegerField(
        label="Créneaux de cours par jour, au plus", min_value=1, max_value=setup_services.MAX_SLOTS_PER_DAY
    )

    choices = {"teacher": selectors.teacher_list_for, "school_class": selectors.class_list_for}


# ---- blocks --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    pk: int
    label: str  # names the row for screen readers: "Modifier <label>"
    cells: tuple[str, ...]
    placed: int = 0  # courses: sessions on the timetable
    can_edit: bool = True
    can_delete: bool = True


@dataclass(frozen=True)
class Tool:
    """A form under a block's table that acts on several of its rows at once."""

    slug: str  # URL segment, after the block's
    title: str
    button: str
    form: type[SetupForm]
    run: Callable[[Person, dict[str, Any]], Any]
    notice: Callable[[dict[str, Any]], str]
    confirm: str = ""
    help: str = ""


@dataclass(frozen=True)
class Block:
    slug: str  # URL segment and HTML id
    id_name: str  # path parameter of one row
    title: str
    noun: str  # "une salle": "Ajouter une salle"
    headers: tuple[str, ...]
    form: type[SetupForm]
    rows: Callable[[Person, QueryDict], Iterable[Row]]
    get: Callable[[Person, int], Any]
    create: Callable[[Person, dict[str, Any]], Any]
    update: Callable[[Person, Any, dict[str, Any]], Any] | None
    delete: Callable[[Person, Any], Any]
    initial: Callable[[Any], dict[str, Any]] = lambda _obj: {}
    filters: type[SetupForm] | None = None  # a GET form above the table
    help: str = ""
    tools: tuple[Tool, ...] = ()

    @property
    def is_editable(self) -> bool:
        return self.update is not None

    @property
    def section_url(self) -> str:
        return f"timetable:setup_{SECTION_OF[self.slug].slug}"

    @property
    def create_url(self) -> str:
        return f"timetable:setup_{self.slug}_create"

    @property
    def edit_url(self) -> str:
        return f"timetable:setup_{self.slug}_edit"

    @property
    def delete_url(self) -> str:
        return f"timetable:setup_{self.slug}_delete"

    def tool_url(self, tool: Tool) -> str:
        return f"timetable:setup_{self.slug}_{tool.slug}"


def _room_rows(viewer: Person, query: QueryDict) -> Iterable[Row]:
    for room in selectors.room_list_for(viewer=viewer):
        yield Row(room.pk, room.name, (room.name, room.get_kind_display(), str(room.capacity)))


def _course_filter(viewer: Person, query: QueryDict) -> tuple[int | None, int | None]:
    form = CourseFilterForm(query, viewer=viewer)
    if not form.is_valid():
        return None, None
    school_class, teacher = form.cleaned_data["classe"], form.cleaned_data["enseignant"]
    return (school_class.pk if school_class else None), (teacher.pk if teacher else None)


def _course_rows(viewer: Person, query: QueryDict) -> Iterable[Row]:
    class_id, teacher_id = _course_filter(viewer, query)
    for course in selectors.course_list_for(viewer=viewer, class_id=class_id, teacher_id=teacher_id):
        audience = [c.label for c in course.classes.all()] + [g.label for g in course.groups.all()]
        room = course.fixed_room.name if course.fixed_room else course.get_room_kind_display() or "—"
        placed = course.placed_count  # type: ignore[attr-defined]  # annotated by course_list_for
        yield Row(
            course.pk,
            f"{course.subject.label} ({', '.join(audience)})",
            (
                course.subject.label,
                ", ".join(t.display_name for t in course.teachers.all()) or "—",
                ", ".join(audience),
                f"{course.sessions_per_week} × {course.duration} créneau{'x' if course.duration > 1 else ''}",
                course.week_pattern.label,
                room,
                f"{placed} / {course.sessions_per_week}",
            ),
            placed=placed,
        )


def _course_initial(course: Course) -> dict[str, Any]:
    return {
        "subject": course.subject_id,
        "teachers": [t.pk for t in course.teachers.all()],
        "classes": [c.pk for c in course.classes.all()],
        "groups": [g.pk for g in course.groups.all()],
        "duration": course.duration,
        "sessions_per_week": course.sessions_per_week,
        "week_pattern": course.week_pattern_id,
        "room_kind": course.room_kind,
        "fixed_room": course.fixed_room_id,
        "wants_double": course.wants_double,
    }


def _course_fields(data: dict[str, Any]) -> dict[str, Any]:
    return {
        **data,
        "teachers": list(data["teachers"]),
        "classes": list(data["classes"]),
        "groups": list(data["groups"]),
    }


def _periods(viewer: Person, query: QueryDict) -> Iterable[Row]:
    for year in selectors.school_year_list_for(viewer=viewer):
        for period in year.periods.all():
            yield Row(
                period.pk,
                period.label,
                (year.label, period.label, _day(period.starts_on), _day(period.ends_on)),
            )


def _holidays(viewer: Person, query: QueryDict) -> Iterable[Row]:
    for year in selectors.school_year_list_for(viewer=viewer):
        for holiday in year.holidays.all():
            yield Row(
                holiday.pk,
                holiday.label,
                (holiday.label, holiday.get_kind_display(), _day(holiday.starts_on), _day(holiday.ends_on)),
            )


def _year_rows(viewer: Person, query: QueryDict) -> Iterable[Row]:
    for year in selectors.school_year_list_for(viewer=viewer):
        periods, holidays = len(year.periods.all()), len(year.holidays.all())
        yield Row(
            year.pk,
            year.label,
            (
                year.label,
                _day(year.starts_on),
                _day(year.ends_on),
                year.get_zone_display(),
                f"{_count(periods, 'période')}, {_count(holidays, 'congé')}",
            ),
        )


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'s' if number > 1 else ''}"


def _year_initial(year: SchoolYear) -> dict[str, Any]:
    return {"label": year.label, "starts_on": year.starts_on, "ends_on": year.ends_on, "zone": year.zone}


def _pattern_rows(viewer: Person, query: QueryDict) -> Iterable[Row]:
    first_week = _first_week()
    for pattern in selectors.week_pattern_list_for(viewer=viewer):
        if pattern.kind == PatternKind.EVERY:
            weeks = "Toutes"
        else:
            text = iso_weeks_text(pattern.iso_weeks, first_week=first_week)
            weeks = f"{text} ({_count(len(set(pattern.iso_weeks)), 'semaine')})"
        yield Row(
            pattern.pk,
            pattern.label,
            (pattern.code, pattern.label, pattern.get_kind_display(), weeks),
            can_edit=pattern.kind != PatternKind.EVERY,
            can_delete=pattern.kind == PatternKind.CUSTOM,
        )


def _pattern_initial(pattern: WeekPattern) -> dict[str, Any]:
    return {
        "code": pattern.code,
        "label": pattern.label,
        "iso_weeks": iso_weeks_text(pattern.iso_weeks, first_week=_first_week()),
        "kind": pattern.kind,
    }


def _day(on: Any) -> str:
    return f"{on:%d/%m/%Y}"


def _dates_initial(item: Period | Holiday) -> dict[str, Any]:
    return {
        "label": item.label,
        "starts_on": item.starts_on,
        "ends_on": item.ends_on,
        "kind": getattr(item, "kind", ""),
    }


def _slot_rows(viewer: Person, query: QueryDict) -> Iterable[Row]:
    for slot in selectors.time_slot_list_for(viewer=viewer):
        label = f"{slot.get_day_display()} créneau {slot.index + 1}"
        yield Row(
            slot.pk,
            label,
            (
                slot.get_day_display(),
                str(slot.index + 1),
                f"{slot.starts_at:%H:%M}–{slot.ends_at:%H:%M}",
                "Oui" if slot.is_lunch else "",
            ),
        )


def _slot_initial(slot: TimeSlot) -> dict[str, Any]:
    return {
        "day": slot.day,
        "position": slot.index + 1,
        "starts_at": slot.starts_at,
        "ends_at": slot.ends_at,
        "is_lunch": slot.is_lunch,
    }


def _target(item: Unavailability | DailyLimit) -> str:
    if item.teacher is not None:
        return item.teacher.display_name
    if item.school_class is not None:
        return f"Classe {item.school_class.label}"
    return f"Salle {item.room.name}" if isinstance(item, Unavailability) and item.room else ""


def _unavailability_rows(viewer: Person, query: QueryDict) -> Iterable[Row]:
    times = dict(_slot_choices())
    for item in selectors.unavailability_list_for(viewer=viewer):
        when = f"{item.get_day_display()}, créneau {times.get(item.slot, item.slot + 1)}"
        yield Row(item.pk, f"{_target(item)} {when}", (_target(item), when))


def _limit_rows(viewer: Person, query: QueryDict) -> Iterable[Row]:
    for limit in selectors.daily_limit_list_for(viewer=viewer):
        yield Row(limit.pk, _target(limit), (_target(limit), str(limit.max_slots)))


BLOCKS = (
    Block(
        slug="salles",
        id_name="room_id",
        title="Salles",
        noun="une salle",
        headers=("Nom", "Type", "Places"),
        form=RoomForm,
        rows=_room_rows,
        get=lambda viewer, pk: selectors.room_get_for(viewer=viewer, room_id=pk),
        create=lambda viewer, data: setup_services.room_create(actor=viewer, **data),
        update=lambda viewer, room, data: setup_services.room_update(actor=viewer, room=room, **data),
        delete=lambda viewer, room: setup_services.room_delete(actor=viewer, room=room),
        initial=lambda room: {"name": room.name, "kind": room.kind, "capacity": room.capacity},
        help="Une salle utilisée par un cours placé, imposée par un cours ou prévue pour un changement "
        "ne peut pas être supprimée.",
    ),
    Block(
        slug="cours",
        id_name="course_id",
        title="Cours",
        noun="un cours",
        headers=("Matière", "Enseignants", "Classes et groupes", "Séances", "Semaines", "Salle", "Placées"),
        form=CourseForm,
        rows=_course_rows,
        get=lambda viewer, pk: selectors.course_get_for(viewer=viewer, course_id=pk),
        create=lambda viewer, data: setup_services.course_create(actor=viewer, **_course_fields(data)),
        update=lambda viewer, course, data: setup_services.course_update(
            actor=viewer, course=course, **_course_fields(data)
        ),
        delete=lambda viewer, course: setup_services.course_delete(actor=viewer, course=course),
        initial=_course_initial,
        filters=CourseFilterForm,
        help="Un cours dont des séances sont placées garde ses enseignants, ses élèves, sa durée, ses "
        "semaines et sa salle : retirez d'abord ses séances. Moins de séances par semaine retire les "
        "séances en trop.",
    ),
    Block(
        slug="annees",
        id_name="school_year_id",
        title="Années scolaires",
        noun="une année scolaire",
        headers=("Année", "Du", "Au", "Zone", "Contenu"),
        form=SchoolYearForm,
        rows=_year_rows,
        get=lambda viewer, pk: selectors.school_year_get_for(viewer=viewer, school_year_id=pk),
        create=lambda viewer, data: setup_services.school_year_create(actor=viewer, **data),
        update=lambda viewer, year, data: setup_services.school_year_update(
            actor=viewer, school_year=year, **data
        ),
        delete=lambda viewer, year: setup_services.school_year_delete(actor=viewer, school_year=year),
        initial=_year_initial,
        help="Les années ne se chevauchent pas et durent au plus 52 semaines. Une année garde ses périodes "
        "et ses congés entre ses dates ; elle ne se supprime que vide, et jamais si c'est la seule.",
    ),
    Block(
        slug="periodes",
        id_name="period_id",
        title="Périodes (trimestres, semestres)",
        noun="une période",
        headers=("Année", "Nom", "Du", "Au"),
        form=PeriodForm,
        rows=_periods,
        get=lambda viewer, pk: selectors.period_get_for(viewer=viewer, period_id=pk),
        create=lambda viewer, data: setup_services.period_create(actor=viewer, **data),
        update=lambda viewer, period, data: setup_services.period_update(actor=viewer, period=period, **data),
        delete=lambda viewer, period: setup_services.period_delete(actor=viewer, period=period),
        initial=_dates_initial,
        help="Les périodes d'une année scolaire ne se chevauchent pas.",
    ),
    Block(
        slug="vacances",
        id_name="holiday_id",
        title="Vacances et jours fériés",
        noun="des congés",
        headers=("Nom", "Type", "Du", "Au"),
        form=HolidayForm,
        rows=_holidays,
        get=lambda viewer, pk: selectors.holiday_get_for(viewer=viewer, holiday_id=pk),
        create=lambda viewer, data: setup_services.holiday_create(actor=viewer, **data),
        update=lambda viewer, holiday, data: setup_services.holiday_update(
            actor=viewer, holiday=holiday, **data
        ),
        delete=lambda viewer, holiday: setup_services.holiday_delete(actor=viewer, holiday=holiday),
        initial=_dates_initial,
    ),
    Block(
        slug="semaines",
        id_name="week_pattern_id",
        title="Rythmes de semaines",
        noun="un rythme de semaines",
        headers=("Code", "Nom", "Type", "Semaines"),
        form=WeekPatternForm,
        rows=_pattern_rows,
        get=lambda viewer, pk: selectors.week_pattern_get_by_id_for(viewer=viewer, week_pattern_id=pk),
        create=lambda viewer, data: setup_services.week_pattern_create(actor=viewer, **data),
        update=lambda viewer, pattern, data: setup_services.week_pattern_update(
            actor=viewer, week_pattern=pattern, **data
        ),
        delete=lambda viewer, pattern: setup_services.week_pattern_delete(actor=viewer, week_pattern=pattern),
        initial=_pattern_initial,
        help="« Toutes les semaines » ne change pas ; les semaines A et B gardent leur code et ne se "
        "suppriment pas. Les cours placés suivent les nouvelles semaines de leur rythme. Un rythme suivi "
        "par des cours ne se supprime pas.",
        tools=(
            Tool(
                slug="semaines-a-b",
                title="Semaines A et B",
                button="Enregistrer les semaines A et B",
                form=WeekAlternateForm,
                run=lambda viewer, data: setup_services.week_patterns_alternate_set(actor=viewer, **data),
                notice=lambda data: "Semaines A et B enregistrées.",
                help="Pour échanger des semaines ou reprendre l'alternance après des vacances : une semaine "
                "n'est jamais à la fois A et B.",
            ),
            Tool(
                slug="recalculer-a-b",
                title="Recalculer les semaines A et B",
                button="Recalculer les semaines A et B",
                form=WeekRecomputeForm,
                run=lambda viewer, data: setup_services.week_patterns_alternate(
                    actor=viewer, school_year=data["school_year"]
                ),
                notice=lambda data: f"Semaines A et B recalculées d'après l'année {data['school_year']}.",
                confirm="Remplacer les semaines A et B par celles calculées d'après le calendrier ?",
                help="Les semaines de cours de l'année, en alternance A puis B depuis la première, les "
                "semaines de vacances sautées. Les listes actuelles sont remplacées.",
            ),
        ),
    ),
    Block(
        slug="creneaux",
        id_name="time_slot_id",
        title="Créneaux de la semaine",
        noun="un créneau",
        headers=("Jour", "Position", "Horaire", "Déjeuner"),
        form=TimeSlotForm,
        rows=_slot_rows,
        get=lambda viewer, pk: selectors.time_slot_get_for(viewer=viewer, time_slot_id=pk),
        create=lambda viewer, data: setup_services.time_slot_create(
            actor=viewer,
            day=data["day"],
            index=data["position"] - 1,
            starts_at=data["starts_at"],
            ends_at=data["ends_at"],
            is_lunch=data["is_lunch"],
        ),
        update=lambda viewer, slot, data: setup_services.time_slot_update(
            actor=viewer,
            time_slot=slot,
            starts_at=data["starts_at"],
            ends_at=data["ends_at"],
            is_lunch=data["is_lunch"],
        ),
        delete=lambda viewer, slot: setup_services.time_slot_delete(actor=viewer, time_slot=slot),
        initial=_slot_initial,
        help="Un jour sans créneau est fermé. Un créneau où des cours sont placés ne peut pas être supprimé.",
    ),
    Block(
        slug="indisponibilites",
        id_name="unavailability_id",
        title="Indisponibilités",
        noun="une indisponibilité",
        headers=("Qui ou quoi", "Quand"),
        form=UnavailabilityForm,
        rows=_unavailability_rows,
        get=lambda viewer, pk: selectors.unavailability_get_for(viewer=viewer, unavailability_id=pk),
        create=lambda viewer, data: setup_services.unavailability_create(actor=viewer, **data),
        update=None,
        delete=lambda viewer, item: setup_services.unavailability_delete(actor=viewer, unavailability=item),
        help="Choisissez un enseignant, une classe ou une salle : la génération n'y placera aucun cours.",
    ),
    Block(
        slug="maximums",
        id_name="daily_limit_id",
        title="Maximum de créneaux de cours par jour",
        noun="un maximum",
        headers=("Enseignant ou classe", "Créneaux par jour, au plus"),
        form=DailyLimitForm,
        rows=_limit_rows,
        get=lambda viewer, pk: selectors.daily_limit_get_for(viewer=viewer, daily_limit_id=pk),
        create=lambda viewer, data: setup_services.daily_limit_set(actor=viewer, **data),
        update=None,
        delete=lambda viewer, limit: setup_services.daily_limit_delete(actor=viewer, daily_limit=limit),
        help="Choisissez un enseignant ou une classe ; un nouveau maximum remplace le précédent.",
    ),
)
BLOCK_BY_SLUG = {block.slug: block for block in BLOCKS}


@dataclass(frozen=True)
class Section:
    slug: str
    title: str
    blocks: tuple[str, ...]

    @property
    def url(self) -> str:
        return f"timetable:setup_{self.slug}"


SECTIONS = (
    Section("salles", "Salles", ("salles",)),
    Section("cours", "Cours", ("cours",)),
    Section("calendrier", "Calendrier", ("annees", "periodes", "vacances")),
    Section("semaines", "Semaines A et B", ("semaines",)),
    Section("grille", "Grille horaire", ("creneaux",)),
    Section("contraintes", "Indisponibilités et maximum d'heures", ("indisponibilites", "maximums")),
)
SECTION_OF = {slug: section for section in SECTIONS for slug in section.blocks}


# ---- views ---------------------------------------------------------------------------------------


def _form(block: Block, viewer: Person, *, obj: Any = None, data: QueryDict | None = None) -> forms.Form:
    initial = block.initial(obj) if obj is not None else None
    # Ids prefixed by the block: two blocks of one page may have fields of the same name.
    auto_id = f"{block.slug}-%s"
    return block.form(data, initial=initial, viewer=viewer, editing=obj is not None, auto_id=auto_id)


def _tool_form(block: Block, tool: Tool, viewer: Person, data: QueryDict | None = None) -> forms.Form:
    return tool.form(data, viewer=viewer, auto_id=f"{block.slug}-{tool.slug}-%s")


def _block(
    request: HttpRequest,
    viewer: Person,
    block: Block,
    *,
    obj: Any = None,
    form: forms.Form | None = None,
    error: str = "",
    notice: str = "",
    tool_forms: dict[str, forms.Form] | None = None,
) -> dict[str, Any]:
    bound = tool_forms or {}
    return {
        "block": block,
        "rows": list(block.rows(viewer, request.GET)),
        "form": form or _form(block, viewer, obj=obj),
        "editing": obj,
        "error": error,
        "notice": notice,
        "tools": [
            {
                "tool": tool,
                "url": reverse(block.tool_url(tool)),
                "form": bound.get(tool.slug) or _tool_form(block, tool, viewer),
            }
            for tool in block.tools
        ],
        "filters": block.filters(request.GET or None, viewer=viewer, auto_id="filtre-%s")
        if block.filters
        else None,
    }


def _page(
    request: HttpRequest, section: Section, blocks: list[dict[str, Any]], status: int = 200
) -> HttpResponse:
    context = {"section": section, "sections": SECTIONS, "blocks": blocks}
    return render(request, "timetable/setup/page.html", context, status=status)


def _answer(
    request: HttpRequest, viewer: Person, block: Block, status: int = 200, **state: Any
) -> HttpResponse:
    """The block alone for htmx; otherwise its whole section page."""
    current = _block(request, viewer, block, **state)
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "timetable/setup/_block.html", {"b": current}, status=status)
    section = SECTION_OF[block.slug]
    blocks = [
        current if slug == block.slug else _block(request, viewer, BLOCK_BY_SLUG[slug])
        for slug in section.blocks
    ]
    return _page(request, section, blocks, status)


def _done(request: HttpRequest, viewer: Person, block: Block, notice: str) -> HttpResponse:
    if request.htmx:  # type: ignore[attr-defined]
        return _answer(request, viewer, block, notice=notice)
    return redirect(SECTION_OF[block.slug].url)


def _write(
    request: HttpRequest, viewer: Person, block: Block, action: Callable[[], Any], notice: str, **state: Any
) -> HttpResponse:
    try:
        action()
    except DomainError as exc:
        return _answer(request, viewer, block, exc.status, error=exc.message, **state)
    return _done(request, viewer, block, notice)


def home(request: HttpRequest) -> HttpResponse:
    try:
        _builder(request)
    except NotFound:
        return _not_found(request)
    return render(request, "timetable/setup/page.html", {"section": None, "sections": SECTIONS, "blocks": []})


def section_page(request: HttpRequest, section: str) -> HttpResponse:
    try:
        viewer = _builder(request)
    except NotFound:
        return _not_found(request)
    chosen = next(s for s in SECTIONS if s.slug == section)
    return _page(request, chosen, [_block(request, viewer, BLOCK_BY_SLUG[slug]) for slug in chosen.blocks])


@require_POST
def block_create(request: HttpRequest, block: str) -> HttpResponse:
    try:
        viewer = _builder(request)
    except NotFound:
        return _not_found(request)
    chosen = BLOCK_BY_SLUG[block]
    form = _form(chosen, viewer, data=request.POST)
    if not form.is_valid():
        return _answer(request, viewer, chosen, 400, form=form, error="Vérifiez les champs signalés.")
    return _write(
        request, viewer, chosen, lambda: chosen.create(viewer, form.cleaned_data), "Enregistré.", form=form
    )


def block_edit(request: HttpRequest, block: str, **ids: int) -> HttpResponse:
    """GET: the block with the row's form filled in; POST: the change."""
    chosen = BLOCK_BY_SLUG[block]
    try:
        viewer = _builder(request)
        obj = chosen.get(viewer, ids[chosen.id_name])
    except NotFound:
        return _not_found(request)
    update = chosen.update
    if update is None:
        return _not_found(request)
    if request.method != "POST":
        return _answer(request, viewer, chosen, obj=obj)
    form = _form(chosen, viewer, obj=obj, data=request.POST)
    if not form.is_valid():
        return _answer(
            request, viewer, chosen, 400, obj=obj, form=form, error="Vérifiez les champs signalés."
        )
    return _write(
        request,
        viewer,
        chosen,
        lambda: update(viewer, obj, form.cleaned_data),
        "Enregistré.",
        obj=obj,
        form=form,
    )


@require_POST
def block_delete(request: HttpRequest, block: str, **ids: int) -> HttpResponse:
    chosen = BLOCK_BY_SLUG[block]
    try:
        viewer = _builder(request)
        obj = chosen.get(viewer, ids[chosen.id_name])
    except NotFound:
        return _not_found(request)
    return _write(request, viewer, chosen, lambda: chosen.delete(viewer, obj), "Supprimé.")


@require_POST
def block_tool(request: HttpRequest, block: str, tool: str) -> HttpResponse:
    """POST: a tool form of a block (weeks A and B set together or recomputed)."""
    try:
        viewer = _builder(request)
    except NotFound:
        return _not_found(request)
    chosen = BLOCK_BY_SLUG[block]
    action = next(t for t in chosen.tools if t.slug == tool)
    form = _tool_form(chosen, action, viewer, data=request.POST)
    bound = {action.slug: form}
    if not form.is_valid():
        return _answer(request, viewer, chosen, 400, tool_forms=bound, error="Vérifiez les champs signalés.")
    data = form.cleaned_data
    return _write(
        request, viewer, chosen, lambda: action.run(viewer, data), action.notice(data), tool_forms=bound
    )


@require_POST
def course_lessons_remove(request: HttpRequest, course_id: int) -> HttpResponse:
    try:
        viewer = _builder(request)
        course = selectors.course_get_for(viewer=viewer, course_id=course_id)
    except NotFound:
        return _not_found(request)
    block = BLOCK_BY_SLUG["cours"]
    return _write(
        request,
        viewer,
        block,
        lambda: setup_services.course_lessons_remove(actor=viewer, course=course),
        "Séances retirées de l'emploi du temps.",
    )
