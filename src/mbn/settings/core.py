from __future__ import annotations

from mbn.settings.env import REPO_ROOT, load_env

_env = load_env()

DEBUG = _env.MBN_DEBUG
LANGUAGE_CODE = "fr-fr"
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

ROOT_URLCONF = "mbn.urls_school"
WSGI_APPLICATION = "mbn.wsgi.application"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.Account"
LOGIN_URL = "/connexion/"
LOGIN_REDIRECT_URL = "/"

MIDDLEWARE = [
    "mbn.observability.HealthMiddleware",
    "mbn.observability.MetricsMiddleware",
    "mbn.observability.RequestIdMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "mbn.tenancy.middleware.SchoolTenantMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "mbn.access.DenyByDefaultMiddleware",
    "mbn.audit.AuditContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "tenants.directory.middleware.SchoolMemberMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [REPO_ROOT / "frontend" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

STATIC_URL = "/static/"
STATIC_ROOT = _env.MBN_HOME / "static"
STATICFILES_DIRS = [REPO_ROOT / "frontend" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"
        if _env.is_prod
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = not _env.is_prod

PASSWORD_HASHERS = [
    "shared.accounts.hashers.MbnArgon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if _env.MBN_ENV == "test":
    # Argon2 at production cost would dominate the test suite; tests check behaviour, not hashing cost.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if _env.is_prod
    else "django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = "Mon Bureau Numérique <ne-pas-repondre@monbureaunumerique.fr>"

# RGPD: people who left a school are erased this many days after leaving (periodic purge).
MBN_GDPR_LEAVER_RETENTION_DAYS = 365
