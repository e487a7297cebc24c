from __future__ import annotations

from mbn.errors import DomainError


class NotAnArchive(DomainError):
    code = "aaf_not_an_archive"
    status = 400
    message = "Déposez une archive .zip contenant les fichiers XML de l'annuaire académique."


class NoEstablishmentAdministered(DomainError):
    code = "aaf_no_establishment"
    status = 403
    message = "Vous n'administrez aucun établissement : l'import de l'annuaire vous est fermé."
