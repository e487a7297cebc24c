"""Every constraint the timetable engine knows: stable code, French label, default weight.

The one table the UI and the documentation render. Codes are stable (clients, stored explanations
and tests depend on them): never rename one, add a new code instead.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ConstraintKind:
    code: str
    label: str  # short French label
    description: str  # one French sentence for the documentation page
    is_hard: bool
    default_weight: int | None = None  # soft constraints only: cost of one unit
    unit: str = ""  # what one unit of cost is, in French (soft constraints only)


LESSON_PLACEMENT = "lesson_placement"
TEACHER_CLASH = "teacher_clash"
GROUP_CLASH = "group_clash"
ROOM_CLASH = "room_clash"
ROOM_CAPACITY = "room_capacity"
TEACHER_UNAVAILABLE = "teacher_unavailable"
GROUP_UNAVAILABLE = "group_unavailable"
ROOM_UNAVAILABLE = "room_unavailable"
FIXED_LESSON = "fixed_lesson"
PINNED_LESSON = "pinned_lesson"
LUNCH_BREAK = "lunch_break"
TEACHER_MAX_HOURS = "teacher_max_hours_per_day"
GROUP_MAX_HOURS = "group_max_hours_per_day"

TEACHER_GAPS = "teacher_gaps"
STUDENT_GAPS = "student_gaps"
BALANCED_DAYS = "balanced_days"
SUBJECT_SPREAD = "subject_spread"
PREFERRED_SLOTS = "preferred_slots"
DOUBLE_SLOTS = "double_slots"

CONSTRAINTS: tuple[ConstraintKind, ...] = (
    ConstraintKind(
        LESSON_PLACEMENT,
        "Séance placée dans la grille",
        "Chaque séance de chaque cours a lieu une fois par semaine, sur des créneaux consécutifs "
        "d'une même journée, hors créneaux fermés.",
        is_hard=True,
    ),
    ConstraintKind(
        TEACHER_CLASH,
        "Un enseignant, un cours à la fois",
        "Un enseignant ne fait jamais deux cours en même temps (un cours de semaine A et un cours de "
        "semaine B peuvent partager un créneau).",
        is_hard=True,
    ),
    ConstraintKind(
        GROUP_CLASH,
        "Une classe, un cours à la fois",
        "Les élèves d'une classe ne suivent jamais deux cours en même temps ; seuls les groupes déclarés "
        "en parallèle (demi-groupes, groupes de LV2, spécialités d'une même barrette) le peuvent.",
        is_hard=True,
    ),
    ConstraintKind(
        ROOM_CLASH,
        "Une salle, un cours à la fois",
        "Une salle imposée ou verrouillée n'accueille qu'un cours à la fois.",
        is_hard=True,
    ),
    ConstraintKind(
        ROOM_CAPACITY,
        "Salle adaptée et assez grande",
        "Chaque cours a une salle du type demandé (laboratoire, gymnase…) pouvant accueillir tout le "
        "groupe ; à chaque créneau il y a assez de telles salles.",
        is_hard=True,
    ),
    ConstraintKind(
        TEACHER_UNAVAILABLE,
        "Indisponibilité d'un enseignant",
        "Aucun cours pendant les indisponibilités déclarées d'un enseignant.",
        is_hard=True,
    ),
    ConstraintKind(
        GROUP_UNAVAILABLE,
        "Indisponibilité d'une classe ou d'un groupe",
        "Aucun cours pendant les indisponibilités d'une classe (ni pour ses groupes) ou d'un groupe.",
        is_hard=True,
    ),
    ConstraintKind(
        ROOM_UNAVAILABLE,
        "Indisponibilité d'une salle",
        "Aucun cours dans une salle pendant ses indisponibilités.",
        is_hard=True,
    ),
    ConstraintKind(
        FIXED_LESSON,
        "Cours fixé",
        "Un cours fixé par l'établissement reste au jour, à l'heure et dans la salle indiqués.",
        is_hard=True,
    ),
    ConstraintKind(
        PINNED_LESSON,
        "Cours verrouillé",
        "Lors d'une régénération partielle, les cours verrouillés ne bougent pas.",
        is_hard=True,
    ),
    ConstraintKind(
        LUNCH_BREAK,
        "Pause méridienne",
        "Chaque classe a chaque jour au moins un créneau libre sur la plage du déjeuner.",
        is_hard=True,
    ),
    ConstraintKind(
        TEACHER_MAX_HOURS,
        "Heures par jour d'un enseignant",
        "Un enseignant ne dépasse pas son maximum d'heures de cours par jour.",
        is_hard=True,
    ),
    ConstraintKind(
        GROUP_MAX_HOURS,
        "Heures par jour d'une classe",
        "Une classe (ou un groupe) ne dépasse pas son maximum d'heures de cours par jour.",
        is_hard=True,
    ),
    ConstraintKind(
        TEACHER_GAPS,
        "Trous des enseignants",
        "Limiter les heures libres entre deux cours d'un enseignant dans la journée ; la première heure "
        "libre sur la plage du déjeuner ne compte pas.",
        is_hard=False,
        default_weight=3,
        unit="heure de trou",
    ),
    ConstraintKind(
        STUDENT_GAPS,
        "Trous des élèves",
        "Limiter les heures libres entre deux cours d'une classe dans la journée ; la première heure "
        "libre sur la plage du déjeuner ne compte pas.",
        is_hard=False,
        default_weight=6,
        unit="heure de trou",
    ),
    ConstraintKind(
        BALANCED_DAYS,
        "Journées équilibrées",
        "Répartir les heures d'une classe sur la semaine : chaque heure au-delà de la part du jour "
        "(au prorata des créneaux ouverts) compte, pour chaque semaine du cycle A/B.",
        is_hard=False,
        default_weight=2,
        unit="heure au-delà de la part du jour",
    ),
    ConstraintKind(
        SUBJECT_SPREAD,
        "Matière répartie sur la semaine",
        "Les séances d'un même cours ont lieu des jours différents (sauf cours en heures doublées).",
        is_hard=False,
        default_weight=4,
        unit="séance de plus le même jour",
    ),
    ConstraintKind(
        PREFERRED_SLOTS,
        "Créneaux souhaités",
        "Respecter les créneaux souhaités d'un cours et les créneaux à éviter d'un enseignant.",
        is_hard=False,
        default_weight=1,
        unit="séance ou heure hors souhait",
    ),
    ConstraintKind(
        DOUBLE_SLOTS,
        "Heures doublées",
        "Placer les séances d'un cours de travaux pratiques deux par deux, l'une après l'autre.",
        is_hard=False,
        default_weight=3,
        unit="paire de séances non accolées",
    ),
)

BY_CODE: dict[str, ConstraintKind] = {kind.code: kind for kind in CONSTRAINTS}
HARD_CODES: tuple[str, ...] = tuple(kind.code for kind in CONSTRAINTS if kind.is_hard)
SOFT_CODES: tuple[str, ...] = tuple(kind.code for kind in CONSTRAINTS if not kind.is_hard)


def label(code: str) -> str:
    return BY_CODE[code].label
