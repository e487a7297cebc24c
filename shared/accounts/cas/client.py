"""Every host (school hosts and the public host) logs in through our CAS server, as a CAS client.

`/connexion/` sends the browser to `<CAS>/login?service=<this host>/connexion/retour?next=…`; the CAS
session (its cookie lives on the public host) answers at once with a ticket when it exists, so one login
serves every school. `/connexion/retour` validates the ticket server-side with python-cas (CAS 3.0) and
opens this host's own session. The CAS server's single logout POSTs back to the same URL.
"""

from __future__ import annotations

import logging
from urllib.parse import urlencode

from cas import CASClientV3
from django.conf import settings
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.contrib.auth.decorators import login_not_required
from django.contrib.sessions.backends.base import SessionBase
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice
from lxml import etree

from shared.accounts.selectors import account_by_uid

logger = logging.getLogger(__name__)

RETURN_PATH = "/connexion/retour"
# The single-logout body comes from the network: no entities, no DTD, no network access.
_SAFE_XML = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
LOGIN_BACKEND = "django.contrib.auth.backends.ModelBackend"


def cas_server_url(request: HttpRequest) -> str:
    """MBN_CAS_SERVER_URL, else the first public host with this request's scheme and port."""
    if settings.MBN_CAS_SERVER_URL:
        return str(settings.MBN_CAS_SERVER_URL).rstrip("/") + "/"
    port = request.get_port()
    default_port = "443" if request.is_secure() else "80"
    suffix = "" if port == default_port else f":{port}"
    return f"{request.scheme}://{settings.MBN_PUBLIC_HOSTS[0]}{suffix}/cas/"


def _safe_next(request: HttpRequest, target: str | None) -> str:
    if (
        target
        and target.startswith("/")
        and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return target
    return "/"


def _service_url(request: HttpRequest, next_url: str) -> str:
    # Built the same way on the way out and on the way back: the ticket is bound to this exact string.
    return f"{request.scheme}://{request.get_host()}{RETURN_PATH}?{urlencode({'next': next_url})}"


def cas_client(request: HttpRequest, *, next_url: str) -> CASClientV3:
    return CASClientV3(
        service_url=_service_url(request, next_url),
        server_url=cas_server_url(request),
        verify_ssl_certificate=True,
    )


def _slo_key(ticket: str) -> str:
    return f"cas-slo:{ticket}"


@login_not_required
@never_cache
def login_redirect(request: HttpRequest) -> HttpResponse:
    """`/connexion/`: to the CAS server, which comes back to `/connexion/retour` with a ticket."""
    next_url = _safe_next(request, request.GET.get("next"))
    if request.user.is_authenticated:
        return HttpResponseRedirect(next_url)
    return HttpResponseRedirect(cas_client(request, next_url=next_url).get_login_url())


@csrf_exempt  # the CAS server's single-logout POST carries no CSRF token; it only ends sessions
@login_not_required
@never_cache
def login_return(request: HttpRequest) -> HttpResponse:
    """`/connexion/retour`: GET with a ticket opens this host's session; POST is the single logout."""
    if request.method == "POST":
        return _single_logout(request)
    next_url = _safe_next(request, request.GET.get("next"))
    ticket = request.GET.get("ticket", "")
    if not ticket:
        return HttpResponseRedirect(f"/connexion/?{urlencode({'next': next_url})}")
    uid, _attributes, _pgtiou = cas_client(request, next_url=next_url).verify_ticket(ticket)
    account = account_by_uid(uid=uid) if uid else None
    if account is None:
        logger.warning("cas.ticket_refused", extra={"host": request.get_host()})
        return render(request, "accounts/cas/login_failed.html", {"next": next_url}, status=403)
    auth_login(request, account, backend=LOGIN_BACKEND)
    if account.requires_second_factor:
        # The CAS server issues no ticket to such an account before its TOTP step: carry it over here.
        device = TOTPDevice.objects.filter(user=account, confirmed=True).first()
        if device is not None:
            otp_login(request, device)
    cache.set(_slo_key(ticket), request.session.session_key, timeout=settings.SESSION_COOKIE_AGE)
    return HttpResponseRedirect(next_url)


def _single_logout(request: HttpRequest) -> HttpResponse:
    logout_request = request.POST.get("logoutRequest", "")
    if not logout_request:
        return HttpResponse(status=400)
    try:
        root = etree.fromstring(logout_request.encode(), parser=_SAFE_XML)
    except etree.XMLSyntaxError:
        return HttpResponse(status=400)
    for index in root.iterfind(".//{urn:oasis:names:tc:SAML:2.0:protocol}SessionIndex"):
        ticket = (index.text or "").strip()
        session_key = cache.get(_slo_key(ticket)) if ticket else None
        if session_key:
            store: SessionBase = request.session.__class__(session_key=session_key)
            store.delete()
            cache.delete(_slo_key(ticket))
    return HttpResponse("ok", content_type="text/plain")


@login_not_required
@never_cache
def logout(request: HttpRequest) -> HttpResponse:
    """`/deconnexion/`: end this host's session, then the CAS session (which logs out every school)."""
    is_public_host = getattr(request, "tenant", None) is None
    if not is_public_host:
        # On the public host the session *is* the CAS session: the CAS logout below ends both and still
        # knows which services to notify.
        auth_logout(request)
    home = f"{request.scheme}://{request.get_host()}/"
    return HttpResponseRedirect(f"{cas_server_url(request)}logout?{urlencode({'service': home})}")
