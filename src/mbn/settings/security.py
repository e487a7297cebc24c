from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured

from mbn.settings.env import load_env

_env = load_env()


def _secret_key() -> str:
    if _env.DJANGO_SECRET_KEY:
        return _env.DJANGO_SECRET_KEY
    if _env.is_prod:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY is required in prod")
    # Dev and test: generated once and kept in .mbn/, never committed.
    from django.core.management.utils import get_random_secret_key

    path = _env.MBN_HOME / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(get_random_secret_key())
    return path.read_text().strip()


SECRET_KEY = _secret_key()

# School hosts are `<slug>.<base>`; the public hosts serve the collectivity admin and login.
ALLOWED_HOSTS = [f".{_env.MBN_BASE_DOMAIN}", *_env.public_hosts]
if _env.MBN_ENV != "prod":
    ALLOWED_HOSTS += ["localhost", "127.0.0.1", "testserver"]

# Host-only cookies: a session opened on one school's host is never sent to another's.
SESSION_COOKIE_DOMAIN = None
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = _env.is_prod
CSRF_COOKIE_SECURE = _env.is_prod
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if _env.is_prod else None
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
CSRF_TRUSTED_ORIGINS = [f"https://*.{_env.MBN_BASE_DOMAIN}", f"http://*.{_env.MBN_BASE_DOMAIN}:8000"] + [
    f"{scheme}://{host}{port}"
    for host in _env.public_hosts
    for scheme, port in (("https", ""), ("http", ":8000"))
]
