from __future__ import annotations

from mbn.errors import DomainError


class PersonNotFound(DomainError):
    code = "person_not_found"
    status = 404
    message = "Cette personne est introuvable ou vous n'avez pas accès à sa fiche."


class ClassNotFound(DomainError):
    code = "class_not_found"
    status = 404
    message = "Cette classe est introuvable ou vous n'y avez pas accès."
