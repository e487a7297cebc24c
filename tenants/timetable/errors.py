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
