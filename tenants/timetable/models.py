"""Timetable of one school: calendar, weekly grid, rooms, courses, constraints, lessons, daily changes, runs.

Lessons are placed on the grid by (day, first slot index); a course's session lasts ``duration`` slots.
The database checks what it can check exactly; clashes across durations and week sets are checked by
``services`` (and by the solver for generated timetables).
"""

from __future__ import annotations

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import F, Q


class Zone(models.TextChoices):
    A = "A", "Zone A"
    B = "B", "Zone B"
    C = "C", "Zone C"


class SchoolYear(models.Model):
    label = models.CharField(max_length=20, unique=True)  # "2026-2027"
    starts_on = models.DateField()  # first school day of pupils
    ends_on = models.DateField()  # last school day of pupils
    # The three académies of Grand Est are all in zone B.
    zone = models.CharField(max_length=1, choices=Zone.choices, default=Zone.B)

    class Meta:
        ordering = ["starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gt=F("starts_on")), name="schoolyear_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return self.label


class Period(models.Model):
    """A term or semester of the school year (trimestre, semestre)."""

    school_year = models.ForeignKey(SchoolYear, on_delete=models.CASCADE, related_name="periods")
    label = models.CharField(max_length=60)
    starts_on = models.DateField()
    ends_on = models.DateField()

    class Meta:
        ordering = ["starts_on"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="period_ends_after_start"),
            models.UniqueConstraint(fields=["school_year", "label"], name="period_unique_label"),
        ]

    def __str__(self) -> str:
        return self.label


class HolidayKind(models.TextChoices):
    VACATION = "vacation", "Vacances scolaires"
    PUBLIC = "public", "Jour férié"
    CLOSURE = "closure", "Fermeture de l'établissement"


class Holiday(models.Model):
    """Days without lessons, both ends included."""

    school_year = models.ForeignKey(SchoolYear, on_delete=models.CASCADE, related_name="holidays")
    label = models.CharField(max_length=120)
    kind = models.CharField(max_length=10, choices=HolidayKind.choices, default=HolidayKind.VACATION)
    starts_on = models.DateField()
    ends_on = models.DateField()

    class Meta:
        ordering = ["starts_on"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="holiday_ends_after_start"),
            models.UniqueConstraint(fields=["school_year", "label", "starts_on"], name="holiday_unique"),
        ]

    def __str__(self) -> str:
        return self.label


class Day(models.IntegerChoices):
    MONDAY = 0, "Lundi"
    TUESDAY = 1, "Mardi"
    WEDNESDAY = 2, "Mercredi"
    THURSDAY = 3, "Jeudi"
    FRIDAY = 4, "Vendredi"
    SATURDAY = 5, "Samedi"


class TimeSlot(models.Model):
    """One cell of the weekly grid; a (day, index) missing from the grid is closed (Wednesday afternoon)."""

    day = models.PositiveSmallIntegerField(choices=Day.choices)
    index = models.PositiveSmallIntegerField()
    starts_at = models.TimeField()
    ends_at = models.TimeField()
    is_lunch = models.BooleanField(default=False)

    class Meta:
        ordering = ["day", "index"]
        constraints = [
            models.UniqueConstraint(fields=["day", "index"], name="timeslot_unique_cell"),
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="timeslot_ends_after_start"),
            models.CheckConstraint(condition=Q(day__lte=5), name="timeslot_day_in_week"),
        ]

    def __str__(self) -> str:
        return f"{self.get_day_display()} {self.starts_at:%H:%M}"


class PatternKind(models.TextChoices):
    EVERY = "every", "Toutes les semaines"
    WEEK_A = "A", "Semaine A"
    WEEK_B = "B", "Semaine B"
    CUSTOM = "custom", "Semaines choisies"


class WeekPattern(models.Model):
    """Which weeks a course takes place: every week, or an explicit set of ISO weeks (A, B, custom).

    A/B weeks are stored as explicit week sets, never as odd/even: schools restart the count after
    holidays or swap weeks.
    """

    code = models.CharField(max_length=20, unique=True)
    label = models.CharField(max_length=60)
    kind = models.CharField(max_length=10, choices=PatternKind.choices)
    iso_weeks = ArrayField(models.PositiveSmallIntegerField(), default=list, blank=True)

    class Meta:
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind=PatternKind.EVERY) | ~Q(iso_weeks=[]), name="weekpattern_weeks_unless_every"
            ),
        ]

    def __str__(self) -> str:
        return self.label

    def overlaps(self, other: WeekPattern) -> bool:
        if self.pk == other.pk or PatternKind.EVERY in (self.kind, other.kind):
            return True
        return bool(set(self.iso_weeks) & set(other.iso_weeks))

    def has_week(self, iso_week: int) -> bool:
        return self.kind == PatternKind.EVERY or iso_week in self.iso_weeks


class RoomKind(models.TextChoices):
    CLASSROOM = "classroom", "Salle banalisée"
    SCIENCE_LAB = "lab", "Laboratoire de sciences"
    COMPUTER = "computer", "Salle informatique"
    GYM = "gym", "Gymnase"
    ART = "art", "Salle d'arts plastiques"
    MUSIC = "music", "Salle de musique"
    TECHNOLOGY = "technology", "Salle de technologie"
    OTHER = "other", "Autre"


class Room(models.Model):
    name = models.CharField(max_length=60, unique=True)
    kind = models.CharField(max_length=12, choices=RoomKind.choices, default=RoomKind.CLASSROOM)
    capacity = models.PositiveSmallIntegerField(default=30)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Course(models.Model):
    """What is taught to whom each week: the solver places its sessions."""

    subject = models.ForeignKey("directory.Subject", on_delete=models.PROTECT, related_name="+")
    teachers = models.ManyToManyField("directory.Person", related_name="timetable_courses", blank=True)
    classes = models.ManyToManyField("directory.SchoolClass", related_name="timetable_courses", blank=True)
    groups = models.ManyToManyField("directory.TeachingGroup", related_name="timetable_courses", blank=True)
    duration = models.PositiveSmallIntegerField(default=1)  # consecutive slots per session
    sessions_per_week = models.PositiveSmallIntegerField(default=1)
    week_pattern = models.ForeignKey(WeekPattern, on_delete=models.PROTECT, related_name="courses")
    room_kind = models.CharField(max_length=12, choices=RoomKind.choices, blank=True)  # blank: no room
    fixed_room = models.ForeignKey(Room, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    wants_double = models.BooleanField(default=False)
    # Courses created by an import (sts, edt, udt) and their key in that source; blank when made here.
    source = models.CharField(max_length=10, blank=True, default="", db_default="")
    source_key = models.CharField(max_length=64, blank=True, default="", db_default="")

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(duration__gte=1, duration__lte=6), name="course_duration_range"
            ),
            models.CheckConstraint(condition=Q(sessions_per_week__lte=20), name="course_sessions_range"),
        ]

    def __str__(self) -> str:
        return f"{self.subject} #{self.pk}"


class Lesson(models.Model):
    """One weekly session of a course, placed on the grid."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="lessons")
    session = models.PositiveSmallIntegerField()
    day = models.PositiveSmallIntegerField(choices=Day.choices)
    slot = models.PositiveSmallIntegerField()  # first slot index
    room = models.ForeignKey(Room, on_delete=models.PROTECT, null=True, blank=True, related_name="lessons")
    week_pattern = models.ForeignKey(WeekPattern, on_delete=models.PROTECT, related_name="lessons")
    # Pinned lessons keep their place when the timetable is generated again (partial regeneration).
    is_pinned = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)
    # Lessons placed by an import (edt, udt) and their key in that source: a new import of the same
    # source replaces them. Blank for generated or hand-placed lessons.
    source = models.CharField(max_length=10, blank=True, default="", db_default="")
    source_key = models.CharField(max_length=64, blank=True, default="", db_default="")

    class Meta:
        ordering = ["day", "slot", "id"]
        constraints = [
            models.UniqueConstraint(fields=["course", "session"], name="lesson_one_per_session"),
            models.CheckConstraint(condition=Q(day__lte=5), name="lesson_day_in_week"),
            # Exact but partial: two lessons starting together in one room and one week set always clash;
            # overlaps of longer sessions and of different week sets are checked by the services.
            # NULL rooms never collide; deferred so that a swap or a regeneration may pass through
            # an intermediate state inside its transaction.
            models.UniqueConstraint(
                fields=["room", "day", "slot", "week_pattern"],
                name="lesson_room_free",
                deferrable=models.Deferrable.DEFERRED,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.course} ({self.get_day_display()}, créneau {self.slot + 1})"


class LessonChange(models.Model):
    """A change to one lesson on one date: cancelled, taught by a substitute, or in another room."""

    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="changes")
    on = models.DateField()
    is_cancelled = models.BooleanField(default=False)
    substitute = models.ForeignKey(
        "directory.Person", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    room = models.ForeignKey(Room, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    note = models.CharField(max_length=200, blank=True)
    is_published = models.BooleanField(default=True)
    recorded_by = models.ForeignKey(
        "directory.Person", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Incremented on each edit: the iCalendar SEQUENCE of the occurrence.
    version = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["on", "lesson_id"]
        constraints = [
            models.UniqueConstraint(fields=["lesson", "on"], name="lessonchange_one_per_date"),
            models.CheckConstraint(
                condition=Q(is_cancelled=True) | Q(substitute__isnull=False) | Q(room__isnull=False),
                name="lessonchange_changes_something",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.lesson} le {self.on:%d/%m/%Y}"


class Unavailability(models.Model):
    """A time a teacher, a class or a room cannot have lessons (hard constraint)."""

    teacher = models.ForeignKey(
        "directory.Person", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    school_class = models.ForeignKey(
        "directory.SchoolClass", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    room = models.ForeignKey(Room, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    day = models.PositiveSmallIntegerField(choices=Day.choices)
    slot = models.PositiveSmallIntegerField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(teacher__isnull=False, school_class__isnull=True, room__isnull=True)
                    | Q(teacher__isnull=True, school_class__isnull=False, room__isnull=True)
                    | Q(teacher__isnull=True, school_class__isnull=True, room__isnull=False)
                ),
                name="unavailability_one_target",
            ),
        ]

    def __str__(self) -> str:
        return f"Indisponibilité {self.get_day_display()} créneau {self.slot + 1}"


class DailyLimit(models.Model):
    """The most slots of lessons a teacher or a class may have in one day (hard constraint)."""

    teacher = models.ForeignKey(
        "directory.Person", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    school_class = models.ForeignKey(
        "directory.SchoolClass", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    max_slots = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(teacher__isnull=False, school_class__isnull=True)
                    | Q(teacher__isnull=True, school_class__isnull=False)
                ),
                name="dailylimit_one_target",
            ),
            models.CheckConstraint(
                condition=Q(max_slots__gte=1, max_slots__lte=12), name="dailylimit_max_slots_range"
            ),
            models.UniqueConstraint(
                fields=["teacher"], condition=Q(teacher__isnull=False), name="dailylimit_one_per_teacher"
            ),
            models.UniqueConstraint(
                fields=["school_class"],
                condition=Q(school_class__isnull=False),
                name="dailylimit_one_per_class",
            ),
        ]

    def __str__(self) -> str:
        return f"Au plus {self.max_slots} créneaux par jour"


class RunStatus(models.TextChoices):
    QUEUED = "queued", "En attente"
    RUNNING = "running", "En cours"
    DONE = "done", "Terminée"
    STOPPED = "stopped", "Arrêtée"
    INFEASIBLE = "infeasible", "Impossible"
    FAILED = "failed", "Échec"


ACTIVE_RUN_STATUSES = (RunStatus.QUEUED, RunStatus.RUNNING)


class GenerationRun(models.Model):
    """One automatic generation of the timetable (CP-SAT), with its progress and outcome."""

    status = models.CharField(max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED)
    time_limit_s = models.PositiveIntegerField(default=60)
    seed = models.PositiveIntegerField(default=0)
    workers = models.PositiveSmallIntegerField(default=8)
    requested_by = models.ForeignKey(
        "directory.Person", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    requested_stop = models.BooleanField(default=False)
    # [[seconds, cost], …]: each improvement of the best timetable found so far.
    progress = models.JSONField(default=list, blank=True)
    best_cost = models.IntegerField(null=True, blank=True)
    # {"is_complete": bool, "conflicts": [{"code", "label", "detail"}]} when infeasible.
    explanation = models.JSONField(null=True, blank=True)
    lessons_placed = models.PositiveIntegerField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # One generation at a time per school: a second one would overwrite the first's lessons.
            models.UniqueConstraint(
                models.Value(True),
                condition=Q(status__in=ACTIVE_RUN_STATUSES),
                name="generationrun_one_active",
            ),
            models.CheckConstraint(
                condition=Q(time_limit_s__gte=1, time_limit_s__lte=3600),
                name="generationrun_time_limit_range",
            ),
        ]

    def __str__(self) -> str:
        return f"Génération du {self.created_at:%d/%m/%Y %H:%M}"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_RUN_STATUSES


class FeedTarget(models.TextChoices):
    STUDENT = "student", "Élève"
    CLASS = "class", "Classe"
    TEACHER = "teacher", "Enseignant"
    ROOM = "room", "Salle"


class FeedToken(models.Model):
    """A secret URL to one iCalendar feed; whoever holds it reads the feed without logging in."""

    owner = models.ForeignKey("directory.Person", on_delete=models.CASCADE, related_name="+")
    target_kind = models.CharField(max_length=10, choices=FeedTarget.choices)
    target_id = models.PositiveIntegerField()  # a Person, SchoolClass or Room id depending on the kind
    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Flux {self.get_target_kind_display()} #{self.target_id}"


class ImportFormat(models.TextChoices):
    STS = "sts", "STS-Web"
    EDT = "edt", "EDT (Index Éducation)"
    UDT = "udt", "UDT (UnDeuxTemps)"


class ImportStatus(models.TextChoices):
    QUEUED = "queued", "En attente"
    RUNNING = "running", "En cours"
    DONE = "done", "Terminé"
    REFUSED = "refused", "Refusé"
    FAILED = "failed", "Échec"


class ImportRun(models.Model):
    """One uploaded STS/EDT/UDT file and what its import did (report) or why it was refused (error)."""

    file_format = models.CharField(max_length=3, choices=ImportFormat.choices)
    file_name = models.CharField(max_length=200)
    # The uploaded bytes, kept until the import has run (the task reads them from here, not from Redis).
    content = models.BinaryField(null=True, blank=True)
    size = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=10, choices=ImportStatus.choices, default=ImportStatus.QUEUED)
    requested_by = models.ForeignKey(
        "directory.Person", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    report = models.JSONField(null=True, blank=True)  # ImportReport.as_dict()
    error = models.JSONField(null=True, blank=True)  # {code, message, file, line, element}
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Import {self.get_file_format_display()} du {self.created_at:%d/%m/%Y %H:%M}"

    @property
    def is_active(self) -> bool:
        return self.status in (ImportStatus.QUEUED, ImportStatus.RUNNING)
