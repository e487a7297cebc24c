"""Login: CAS server on the public host, CAS client on school hosts, lockout, second factor, mail links."""

from __future__ import annotations

from datetime import timedelta

from mbn.settings.core import MIDDLEWARE as _CORE_MIDDLEWARE
from mbn.settings.core import TEMPLATES
from mbn.settings.env import load_env
from mbn.settings.tenancy import SHARED_APPS as _TENANCY_SHARED_APPS
from mbn.settings.tenancy import TENANT_APPS

_env = load_env()

# Public-schema apps: CAS tickets and sessions, lockout attempts, TOTP devices.
SHARED_APPS = [
    *_TENANCY_SHARED_APPS,
    "cas_server",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
]
INSTALLED_APPS = list(SHARED_APPS) + [app for app in TENANT_APPS if app not in SHARED_APPS]


def _middleware() -> list[str]:
    middleware = list(_CORE_MIDDLEWARE)
    after_auth = middleware.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1
    middleware[after_auth:after_auth] = [
        "django_otp.middleware.OTPMiddleware",
        "shared.accounts.middleware.SecondFactorMiddleware",
    ]
    # Last: turns a locked-out login attempt into the French lockout page.
    middleware.append("axes.middleware.AxesMiddleware")
    return middleware


MIDDLEWARE = _middleware()
TEMPLATES[0]["OPTIONS"]["context_processors"] += [  # type: ignore[index]
    "shared.accounts.context_processors.my_schools",
    "tenants.directory.context_switch.my_children",
]

AUTHENTICATION_BACKENDS = [
    # First: refuses locked-out credentials before the password is even checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# --- CAS server (django-cas-server) on the public host -------------------------------------------------
# Where school hosts validate tickets. Unset: the first public host, same scheme and port as the request
# being served (dev on :8000 → http://mbn.localhost:8000/cas/; tests → the live server's port).
MBN_CAS_SERVER_URL = _env.MBN_CAS_SERVER_URL or ""
CAS_AUTH_CLASS = "shared.accounts.cas.auth.AccountAuth"
CAS_USER_CREDENTIAL_FORM = "shared.accounts.cas.forms.CredentialForm"
CAS_LOGIN_TEMPLATE = "accounts/cas/login.html"
CAS_WARN_TEMPLATE = "accounts/cas/warn.html"
CAS_LOGGED_TEMPLATE = "accounts/cas/logged.html"
CAS_LOGOUT_TEMPLATE = "accounts/cas/logout.html"
# interop-sso.md §2: a service ticket serves one validation, within 10 s for browser flows.
CAS_TICKET_VALIDITY = 10
CAS_TICKET_LEN = 64
CAS_SLO_TIMEOUT = 2
CAS_SLO_MAX_PARALLEL_REQUESTS = 10
# No calls to PyPI from a login page, no third-party CDN, no English banners.
CAS_NEW_VERSION_HTML_WARNING = False
CAS_NEW_VERSION_EMAIL_WARNING = False
CAS_SHOW_POWERED = False
CAS_SHOW_SERVICE_MESSAGES = False
CAS_INFO_MESSAGES: dict[str, object] = {}
CAS_INFO_MESSAGES_ORDER: list[str] = []
CAS_ENABLE_AJAX_AUTH = False
CAS_FEDERATE = False
# Dev and test only: *.localhost names resolve to loopback for server-side calls too (RFC 6761 §6.3),
# as Chromium already does, so ticket validation and single logout reach http://<host>.mbn.localhost.
MBN_LOOPBACK_LOCALHOST_NAMES = not _env.is_prod

# --- Lockout (django-axes) -------------------------------------------------------------------------------
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
# Per account, not per address: a whole school reaches us through one NAT address, and pupils mistyping
# must not lock out the school. (axes.W006 warns about exactly that choice.)
AXES_LOCKOUT_PARAMETERS = ["username"]
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/lockout.html"
AXES_VERBOSE = False
AXES_ENABLE_ADMIN = False

# --- Second factor (django-otp, TOTP) --------------------------------------------------------------------
OTP_TOTP_ISSUER = "Mon Bureau Numérique"

# --- Activation and password reset links ----------------------------------------------------------------
PASSWORD_RESET_TIMEOUT = 3 * 24 * 3600
