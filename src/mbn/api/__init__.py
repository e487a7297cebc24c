"""NinjaAPI assembly: one API per host kind, one Router per app, one error handler."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, ValidationError

from mbn.errors import DomainError


def install_error_handlers(api: NinjaAPI) -> None:
    @api.exception_handler(DomainError)
    def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
        return api.create_response(request, {"code": exc.code, "message": exc.message}, status=exc.status)

    @api.exception_handler(ValidationError)
    def invalid_input(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        return api.create_response(
            request,
            {
                "code": "invalid_input",
                "message": "Certaines informations sont invalides.",
                "fields": exc.errors,
            },
            status=422,
        )

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        if request.user.is_authenticated:  # known, but not a member here or without the role
            return api.create_response(
                request,
                {"code": "forbidden", "message": "Vous n'avez pas les droits nécessaires pour cette action."},
                status=403,
            )
        return api.create_response(
            request, {"code": "not_authenticated", "message": "Veuillez vous connecter."}, status=401
        )
