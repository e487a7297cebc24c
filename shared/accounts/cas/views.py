"""Our CAS server's pages around django-cas-server: the login view with lockout and second factor, the
logout view without open redirects, and the TOTP step (enrolment or verification)."""

from __future__ import annotations

import base64
from typing import Any
from urllib.parse import urlencode

import qrcode
import qrcode.image.svg
from cas_server import models as cas_models
from cas_server import views as cas_views
from django.contrib.auth import login as auth_login
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from shared.accounts.models import Account

PENDING_KEY = "mbn_second_factor_pending"
VERIFIED_KEY = "mbn_second_factor"
LOGIN_BACKEND = "django.contrib.auth.backends.ModelBackend"
# Query parameters of /cas/login carried through the second-factor step (renew is satisfied by it).
CARRIED_PARAMETERS = ("service", "gateway", "method")


def service_is_registered(service: str | None) -> bool:
    if not service:
        return False
    try:
        cas_models.ServicePattern.validate(service)
    except cas_models.ServicePattern.DoesNotExist:
        return False
    return True


def _service_refused(request: HttpRequest) -> HttpResponse:
    # Never a redirect to an unknown URL (open redirect) and never a ticket for it.
    return render(request, "accounts/cas/service_refused.html", status=403)


def open_cas_session(request: HttpRequest, *, account: Account, warn: bool, second_factor: bool) -> None:
    """What django-cas-server's `user_login` does, plus our Django login on the public host.

    Django's login first: it renews the session key, which the CAS user row is keyed on.
    """
    auth_login(request, account, backend=LOGIN_BACKEND)
    request.session.set_expiry(0)
    request.session["username"] = account.get_username()
    request.session["warn"] = warn
    request.session["authenticated"] = True
    request.session[VERIFIED_KEY] = second_factor
    user, _ = cas_models.User.objects.get_or_create(
        username=account.get_username(), session_key=request.session.session_key
    )
    user.last_login = timezone.now()
    user.save()


class CasLoginView(cas_views.LoginView):  # type: ignore[misc]  # untyped library base class
    """/cas/login: refuses unregistered services up front, sends accounts needing it to the TOTP step."""

    second_factor_due = False

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        service = request.GET.get("service")
        if service and not service_is_registered(service):
            return _service_refused(request)
        if self._session_lacks_second_factor(request):
            # Became a head (or admin) while logged in: the second factor is due before any ticket.
            request.session[PENDING_KEY] = {"username": request.session["username"], "warn": False}
            request.session["authenticated"] = False
            return self._to_second_factor(request.GET)
        return super().get(request, *args, **kwargs)  # type: ignore[no-any-return]

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        service = request.POST.get("service")
        if service and not service_is_registered(service):
            return _service_refused(request)
        response = super().post(request, *args, **kwargs)
        if self.second_factor_due:
            return self._to_second_factor(request.POST)
        return response  # type: ignore[no-any-return]

    def init_form(self, values: Any = None) -> None:
        super().init_form(values)
        self.form.request = self.request  # the credentials form authenticates through django-axes

    def user_login(self, username: str, warn: bool, warned: bool = True) -> None:
        account = Account.objects.get(username=username)
        if account.requires_second_factor:
            self.request.session[PENDING_KEY] = {"username": username, "warn": bool(warn)}
            self.second_factor_due = True
            return
        open_cas_session(self.request, account=account, warn=bool(warn), second_factor=False)
        self.renewed = True
        self.warned = warned
        self.user = cas_models.User.objects.get(
            username=username, session_key=self.request.session.session_key
        )

    @staticmethod
    def _session_lacks_second_factor(request: HttpRequest) -> bool:
        if not request.session.get("authenticated") or request.session.get(VERIFIED_KEY):
            return False
        account = Account.objects.filter(username=request.session.get("username")).first()
        return account is not None and account.requires_second_factor

    @staticmethod
    def _to_second_factor(values: Any) -> HttpResponse:
        carried = {name: values[name] for name in CARRIED_PARAMETERS if values.get(name)}
        return HttpResponseRedirect(f"/cas/double-authentification?{urlencode(carried)}")


class CasLogoutView(cas_views.LogoutView):  # type: ignore[misc]  # untyped library base class
    """/cas/logout with single logout; `service`/`url` redirect only to registered services."""

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        for name in ("service", "url"):
            target = request.GET.get(name)
            if target and not service_is_registered(target):
                return _service_refused(request)
        return super().get(request, *args, **kwargs)  # type: ignore[no-any-return]


def _qr_svg(uri: str) -> str:
    image = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    return image.to_string(encoding="unicode")  # type: ignore[no-any-return]


@login_not_required
@never_cache
@csrf_protect
def second_factor(request: HttpRequest) -> HttpResponse:
    """After the password: enrol a TOTP app (secret and QR code shown once) or type its current code."""
    pending = request.session.get(PENDING_KEY)
    carried = {name: request.GET[name] for name in CARRIED_PARAMETERS if request.GET.get(name)}
    if not pending:
        return HttpResponseRedirect(f"/cas/login?{urlencode(carried)}")
    account = Account.objects.get(username=pending["username"])
    device = TOTPDevice.objects.filter(user=account, confirmed=True).first()
    enrolling = device is None
    if device is None:
        device, _ = TOTPDevice.objects.get_or_create(
            user=account, confirmed=False, defaults={"name": "Application d'authentification"}
        )
    error = ""
    if request.method == "POST":
        token = request.POST.get("code", "").strip().replace(" ", "")
        allowed, _ = device.verify_is_allowed()
        if not token.isdigit() or len(token) != 6:
            error = "Le code doit comporter 6 chiffres."
        elif not allowed:
            error = "Trop d'essais : patientez quelques instants avant de recommencer."
        elif not device.verify_token(token):
            error = "Ce code n'est pas valable. Vérifiez l'heure de votre téléphone et réessayez."
        else:
            if enrolling:
                device.confirmed = True
                device.save(update_fields=["confirmed"])
            del request.session[PENDING_KEY]
            open_cas_session(request, account=account, warn=bool(pending.get("warn")), second_factor=True)
            otp_login(request, device)
            return HttpResponseRedirect(f"/cas/login?{urlencode(carried)}")
    context: dict[str, Any] = {"enrolling": enrolling, "error": error, "account": account}
    if enrolling:
        context["secret"] = base64.b32encode(device.bin_key).decode()
        context["qr_svg"] = _qr_svg(device.config_url)
    return render(request, "accounts/cas/second_factor.html", context, status=400 if error else 200)
