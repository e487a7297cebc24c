"""Timetable domain errors: stable codes for clients, French messages for people."""

from __future__ import annotations

from mbn.errors import DomainError


class LessonConflict(DomainError):
    code = "lesson_conflict"
    status = 409
    message = "Ce placement crée un conflit."

    def __init__(self, conflicts: list[str]) -> None:
        self.conflicts = conflicts
        super().__init__("Ce placement crée un conflit : " + " ; ".join(conflicts) + ".")


class SlotOutsideGrid(DomainError):
    code = "slot_outside_grid"
    status = 400
    message = "Ce créneau n'existe pas dans la grille horaire de l'établissement."


class RoomUnsuitable(DomainError):
    code = "room_unsuitable"
    status = 400
    message = "Cette salle ne convient pas à ce cours (type de salle ou nombre de places)."


class SessionOutOfRange(DomainError):
    code = "session_out_of_range"
    status = 400
    message = "Ce cours n'a pas autant de séances par semaine."


class LessonAlreadyPlaced(DomainError):
    code = "lesson_already_placed"
    status = 409
    message = "Cette séance est déjà placée dans l'emploi du temps."


class GenerationAlreadyRunning(DomainError):
    code = "generation_already_running"
    status = 409
    message = "Une génération est déjà en cours : attendez sa fin ou arrêtez-la."


class GenerationNotRunning(DomainError):
    code = "generation_not_running"
    status = 409
    message = "Cette génération est déjà terminée."


class NothingToGenerate(DomainError):
    code = "nothing_to_generate"
    status = 400
    message = "Créez d'abord la grille horaire et les cours à placer."


class ChangeDateInvalid(DomainError):
    code = "change_date_invalid"
    status = 400
    message = "Ce cours n'a pas lieu à cette date."


class ChangeEmpty(DomainError):
    code = "change_empty"
    status = 400
    message = "Indiquez une annulation, un remplaçant ou une autre salle."


class SubstituteNotTeacher(DomainError):
    code = "substitute_not_teacher"
    status = 400
    message = "Le remplaçant doit être un enseignant de l'établissement."


class NoSchoolYear(DomainError):
    code = "no_school_year"
    status = 409
    message = "Aucune année scolaire n'est définie pour l'établissement."


class FeedTargetNotAllowed(DomainError):
    code = "feed_target_not_allowed"
    status = 404
    message = "Cet emploi du temps est introuvable."


class ImportRefused(DomainError):
    """A timetable file (STS-Web, EDT, UDT) was refused as a whole: nothing was written."""

    code = "import_refused"
    status = 400
    message = "Ce fichier n'a pas pu être importé."

    def __init__(
        self,
        *,
        code: str,
        message: str,
        file: str,
        line: int | None = None,
        element: str | None = None,
    ) -> None:
        self.code = code
        self.file = file
        self.line = line
        self.element = element
        super().__init__(message)

    def as_dict(self) -> dict[str, object]:
        return {
            "code": self.code,
            "message": self.message,
            "file": self.file,
            "line": self.line,
            "element": self.element,
        }


# ---- setting up the timetable (rooms, courses, calendar, grid, constraints) ---------------------


class InvalidValue(DomainError):
    """A field rule of the model (length, range, choice) refused a value the edge let through."""

    code = "invalid_value"
    status = 400
    message = "Certaines informations sont invalides."


class RoomNameTaken(DomainError):
    code = "room_name_taken"
    status = 409
    message = "Une salle porte déjà ce nom : choisissez-en un autre."


class RoomInUse(DomainError):
    code = "room_in_use"
    status = 409
    message = (
        "Cette salle est utilisée par des cours placés, des cours qui l'imposent ou des changements "
        "de salle : libérez-la avant de la supprimer."
    )


class RoomKindInUse(DomainError):
    code = "room_kind_in_use"
    status = 409
    message = (
        "Des cours imposent ou occupent cette salle pour son type actuel : modifiez-les avant de changer "
        "le type de la salle."
    )


class CourseAudienceMissing(DomainError):
    code = "course_audience_missing"
    status = 400
    message = "Choisissez au moins une classe ou un groupe pour ce cours."


class NotATeacher(DomainError):
    code = "not_a_teacher"
    status = 400
    message = "Choisissez des enseignants de l'établissement."


class CourseTooLong(DomainError):
    code = "course_too_long"
    status = 400
    message = "Une séance ne peut pas durer plus de créneaux qu'une journée n'en compte."


class CoursePlaced(DomainError):
    code = "course_placed"
    status = 409
    message = (
        "Ce cours a des séances placées dans l'emploi du temps : retirez-les avant de changer ses "
        "enseignants, ses élèves, sa durée, ses semaines ou sa salle, ou avant de le supprimer."
    )


class DatesReversed(DomainError):
    code = "dates_reversed"
    status = 400
    message = "La date de fin doit être le même jour ou après la date de début."


class DateOutsideYear(DomainError):
    code = "date_outside_year"
    status = 400
    message = "Les dates doivent être comprises dans une même année scolaire."


class TimesReversed(DomainError):
    code = "times_reversed"
    status = 400
    message = "L'heure de fin doit être après l'heure de début."


class PeriodOverlap(DomainError):
    code = "period_overlap"
    status = 409
    message = "Cette période chevauche une autre période de l'année : ajustez les dates."


class PeriodLabelTaken(DomainError):
    code = "period_label_taken"
    status = 409
    message = "Une période de cette année porte déjà ce nom."


class HolidayDuplicate(DomainError):
    code = "holiday_duplicate"
    status = 409
    message = "Ces congés existent déjà pour cette date."


class TimeSlotTaken(DomainError):
    code = "time_slot_taken"
    status = 409
    message = "Ce jour a déjà un créneau à cette position."


class TimeSlotOverlap(DomainError):
    code = "time_slot_overlap"
    status = 409
    message = "Ce créneau chevauche un autre créneau du même jour ou n'est pas dans l'ordre des créneaux."


class TimeSlotInUse(DomainError):
    code = "time_slot_in_use"
    status = 409
    message = "Des cours sont placés sur ce créneau : déplacez-les ou retirez-les avant de le supprimer."


class TargetRequired(DomainError):
    code = "target_required"
    status = 400
    message = "Choisissez une seule cible : un enseignant, une classe ou une salle."


class UnavailabilityDuplicate(DomainError):
    code = "unavailability_duplicate"
    status = 409
    message = "Cette indisponibilité est déjà enregistrée."


# ---- setting up the calendar: school years and week patterns ------------------------------------


class SchoolYearDatesReversed(DomainError):
    code = "school_year_dates_reversed"
    status = 400
    message = "Le dernier jour de l'année scolaire doit être après le premier."


class SchoolYearTooLong(DomainError):
    code = "school_year_too_long"
    status = 400
    message = (
        "Une année scolaire tient en 52 semaines au plus : les semaines A et B sont repérées par leur "
        "numéro dans l'année."
    )


class SchoolYearOverlap(DomainError):
    code = "school_year_overlap"
    status = 409
    message = "Cette année scolaire chevauche une autre année : ajustez les dates."


class SchoolYearLabelTaken(DomainError):
    code = "school_year_label_taken"
    status = 409
    message = "Une année scolaire porte déjà ce nom."


class SchoolYearContentOutside(DomainError):
    code = "school_year_content_outside"
    status = 409
    message = (
        "Des périodes ou des congés de cette année sortiraient de ses nouvelles dates : modifiez-les d'abord."
    )

    def __init__(self, labels: list[str]) -> None:
        self.labels = labels
        super().__init__(
            "Des périodes ou des congés de cette année sortiraient de ses nouvelles dates ("
            + ", ".join(labels)
            + ") : modifiez-les d'abord."
        )


class SchoolYearLast(DomainError):
    code = "school_year_last"
    status = 409
    message = (
        "L'établissement garde au moins une année scolaire : créez la suivante avant de supprimer celle-ci."
    )


class SchoolYearNotEmpty(DomainError):
    code = "school_year_not_empty"
    status = 409
    message = (
        "Cette année scolaire a encore des périodes ou des congés : supprimez-les avant de supprimer l'année."
    )


class IsoWeeksInvalid(DomainError):
    code = "iso_weeks_invalid"
    status = 400
    message = "Indiquez au moins une semaine, par son numéro de 1 à 53."


class WeekPatternCodeTaken(DomainError):
    code = "week_pattern_code_taken"
    status = 409
    message = "Un rythme de semaines porte déjà ce code : choisissez-en un autre."


class WeekPatternEveryWeek(DomainError):
    code = "week_pattern_every_week"
    status = 409
    message = "Le rythme « Toutes les semaines » ne se modifie pas et ne se supprime pas."


class WeekPatternCodeLocked(DomainError):
    code = "week_pattern_code_locked"
    status = 409
    message = (
        "Les semaines A et B gardent leur code : les fichiers importés et les autres logiciels s'y "
        "réfèrent. Modifiez leur nom ou leurs semaines."
    )


class WeekPatternAlternateKept(DomainError):
    code = "week_pattern_alternate_kept"
    status = 409
    message = "Les semaines A et B ne se suppriment pas : modifiez leurs semaines ou recalculez-les."


class WeekPatternClash(DomainError):
    code = "pattern_clash"
    status = 409
    message = "Avec ces semaines, des cours déjà placés se chevaucheraient."

    def __init__(self, conflicts: list[str]) -> None:
        self.conflicts = conflicts
        listed = " ; ".join(conflicts[:10])
        super().__init__(f"Avec ces semaines, des cours déjà placés se chevaucheraient : {listed}.")


class WeekPatternInUse(DomainError):
    code = "pattern_in_use"
    status = 409
    message = (
        "Des cours ou des séances placées suivent ce rythme : donnez-leur un autre rythme avant de le "
        "supprimer."
    )


class AlternateWeeksOverlap(DomainError):
    code = "alternate_weeks_overlap"
    status = 409
    message = "Une semaine ne peut pas être à la fois A et B : retirez-la d'abord de l'autre liste."

    def __init__(self, weeks: list[int]) -> None:
        self.weeks = weeks
        listed = ", ".join(str(week) for week in weeks)
        super().__init__(
            f"Une semaine ne peut pas être à la fois A et B (semaine{'s' if len(weeks) > 1 else ''} "
            f"{listed}) : retirez-la d'abord de l'autre liste."
        )


class AlternateWeeksEmpty(DomainError):
    code = "alternate_weeks_empty"
    status = 409
    message = (
        "Cette année scolaire n'a pas assez de semaines de cours pour alterner semaines A et B : "
        "vérifiez ses dates et ses congés."
    )
