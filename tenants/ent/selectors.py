from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet
from django.urls import reverse

from tenants.directory.models import Person, Role
from tenants.ent.models import NewsAudience, NewsItem, Notification


@dataclass(frozen=True)
class PortalService:
    label: str
    url: str
    description: str


# (label, URL name, description, roles that see it: None for every member of the school)
_SERVICES: tuple[tuple[str, str, str, tuple[str, ...] | None], ...] = (
    ("Mon emploi du temps", "timetable:mine", "Cours de la semaine, semaines A et B, abonnement iCal", None),
    ("Annuaire", "directory:people", "Rechercher une personne ou une classe", None),
    ("Mon profil", "directory:profile", "Mes classes, mes enfants, mes fonctions", None),
    ("Mes données", "directory:my_data", "Consulter et télécharger mes données personnelles", None),
    (
        "Paramétrage de l'emploi du temps",
        "timetable:setup",
        "Salles, cours, calendrier, grille horaire, contraintes",
        (Role.DIRECTION, Role.SCHOOL_ADMIN),
    ),
    (
        "Génération de l'emploi du temps",
        "timetable:generation",
        "Calcul automatique, suivi en direct",
        (Role.DIRECTION, Role.SCHOOL_ADMIN),
    ),
    (
        "Import STS-Web, EDT, UDT",
        "timetable:import",
        "Structures, services et emploi du temps existant",
        (Role.DIRECTION, Role.SCHOOL_ADMIN),
    ),
    (
        "Journal de l'établissement",
        "directory:audit",
        "Qui a fait quoi, et quand",
        (Role.DIRECTION, Role.SCHOOL_ADMIN),
    ),
)


def portal_services_for(*, viewer: Person | None) -> list[PortalService]:
    """The services the portal offers this person: nothing to a visitor, each role its own."""
    if viewer is None:
        return []
    return [
        PortalService(label=label, url=reverse(name), description=description)
        for label, name, description, roles in _SERVICES
        if roles is None or viewer.has_role(*roles)
    ]


def news_list_for(*, viewer: Person | None) -> QuerySet[NewsItem]:
    """Public items for everyone; members of the school also see the members-only ones."""
    items = NewsItem.objects.select_related("author")
    if viewer is None:
        items = items.filter(audience=NewsAudience.PUBLIC)
    return items.order_by("-published_at", "-id")


def notification_list_for(*, viewer: Person) -> QuerySet[Notification]:
    """The viewer's own timeline, newest first."""
    return Notification.objects.filter(recipient=viewer).order_by("-created_at", "-id")


def notification_get_for(*, viewer: Person, notification_id: int) -> Notification:
    return notification_list_for(viewer=viewer).get(pk=notification_id)
