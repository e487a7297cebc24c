from __future__ import annotations

from mbn.errors import DomainError


class InvalidUai(DomainError):
    code = "invalid_uai"
    status = 400
    message = "Ce code UAI est invalide : 7 chiffres suivis d'une lettre de contrôle sont attendus."


class UnknownEstablishment(DomainError):
    code = "unknown_establishment"
    status = 404
    message = "Aucun établissement du Grand Est ne porte ce code UAI."


class SlugTaken(DomainError):
    code = "school_slug_taken"
    status = 409
    message = "Cette adresse d'établissement est déjà utilisée par un autre établissement."


class DomainTaken(DomainError):
    code = "domain_taken"
    status = 409
    message = "Ce nom de domaine est déjà attribué à un autre établissement."


class WaveCodeTaken(DomainError):
    code = "wave_code_taken"
    status = 409
    message = "Une vague porte déjà ce code : choisissez-en un autre."


class UnknownWave(DomainError):
    code = "unknown_wave"
    status = 404
    message = "Cette vague de déploiement est introuvable."


class OutsideCollectivite(DomainError):
    code = "outside_collectivite"
    status = 403
    message = "Cet établissement ne relève pas de votre collectivité."


class InvalidStatusChange(DomainError):
    code = "invalid_status_change"
    status = 409
    message = "Ce changement d'état n'est pas possible pour cet établissement dans son état actuel."


class SchemaCheckFailed(DomainError):
    code = "schema_check_failed"
    status = 500
    message = "La création de l'espace de l'établissement a échoué ; elle sera reprise."
