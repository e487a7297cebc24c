from __future__ import annotations

from mbn.errors import DomainError


class CasServiceNotCas(DomainError):
    code = "cas_service_not_cas"
    status = 400
    message = "Ce service du catalogue n'est pas un service CAS."


class CasPatternInvalid(DomainError):
    code = "cas_pattern_invalid"
    status = 400
    message = (
        "Le motif d'adresse du service est invalide : il doit commencer par ^ et être une expression valide."
    )


class CasAttributeUnknown(DomainError):
    code = "cas_attribute_unknown"
    status = 400
    message = "Un des attributs demandés n'existe pas dans notre annuaire."


class AccountWithoutEmail(DomainError):
    code = "account_without_email"
    status = 400
    message = "Ce compte n'a pas d'adresse électronique : impossible d'envoyer le lien d'activation."


class AccountAlreadyActive(DomainError):
    code = "account_already_active"
    status = 409
    message = "Ce compte est déjà activé : utilisez « Mot de passe oublié »."
