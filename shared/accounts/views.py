"""Account pages on the public host: my schools, first-login activation, password reset."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.decorators import method_decorator

from shared.accounts.selectors import school_links_for


def my_schools(request: HttpRequest) -> HttpResponse:
    """Every school of the logged-in person, each a link to its host (one CAS login serves all)."""
    schools = school_links_for(viewer=request.user)  # type: ignore[arg-type]
    return render(request, "accounts/my_schools.html", {"schools": schools})


@method_decorator(login_not_required, name="dispatch")
class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset_form.html"
    email_template_name = "accounts/mail/password_reset_body.txt"
    subject_template_name = "accounts/mail/password_reset_subject.txt"
    success_url = "/compte/mot-de-passe/envoye/"


@method_decorator(login_not_required, name="dispatch")
class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


@method_decorator(login_not_required, name="dispatch")
class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Also the activation page: an account created without a password sets its first one here."""

    template_name = "accounts/password_reset_confirm.html"
    success_url = "/compte/mot-de-passe/termine/"
    activation = False

    def get_context_data(self, **kwargs: object) -> dict[str, object]:
        context = super().get_context_data(**kwargs)
        context["activation"] = self.activation
        return context


@method_decorator(login_not_required, name="dispatch")
class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"
