from __future__ import annotations

from mbn.errors import DomainError


class WrongOwner(DomainError):
    code = "wrong_owner"
    status = 400
    message = (
        "Cet établissement ne peut pas relever de cette collectivité : les lycées relèvent de la Région, "
        "les collèges de leur département ou de la Collectivité européenne d'Alsace."
    )


class UnknownCollectivite(DomainError):
    code = "unknown_collectivite"
    status = 400
    message = "Cette collectivité est inconnue."
