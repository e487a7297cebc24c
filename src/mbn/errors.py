"""Domain errors: a stable English code for clients, an HTTP status, a polite French message for people."""

from __future__ import annotations

from ninja import Schema


class DomainError(Exception):
    code: str = "domain_error"
    status: int = 400
    message: str = "La demande n'a pas pu être traitée."

    def __init__(self, message: str | None = None) -> None:
        if message is not None:
            self.message = message
        super().__init__(self.message)


class NotFound(DomainError):
    code = "not_found"
    status = 404
    message = "Cet élément est introuvable."


class Forbidden(DomainError):
    code = "forbidden"
    status = 403
    message = "Vous n'avez pas les droits nécessaires pour cette action."


class ErrorOut(Schema):
    code: str
    message: str
