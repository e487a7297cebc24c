from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured

from mbn.settings.env import Env, load_env

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


def edt_private_key(env: Env) -> bytes | None:
    """PEM of our RSA key for EDT envelopes (MBN_EDT_PRIVATE_KEY or MBN_EDT_PRIVATE_KEY_FILE), checked."""
    if env.MBN_EDT_PRIVATE_KEY_FILE is not None:
        name = "MBN_EDT_PRIVATE_KEY_FILE"
        try:
            pem = env.MBN_EDT_PRIVATE_KEY_FILE.read_bytes()
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}: cannot read {env.MBN_EDT_PRIVATE_KEY_FILE}") from exc
    elif env.MBN_EDT_PRIVATE_KEY:
        name = "MBN_EDT_PRIVATE_KEY"
        # A one-line value (.env file, CI variable) may write the PEM's newlines as \n.
        pem = env.MBN_EDT_PRIVATE_KEY.strip().replace("\\n", "\n").encode()
    else:
        return None
    # The parsers' own check (pure module, no Django): imported only when a key is configured.
    from tenants.timetable.imports.edt_envelope import PrivateKeyError, private_key_load

    try:
        private_key_load(pem)
    except PrivateKeyError as exc:
        raise ImproperlyConfigured(f"{name}: {exc}") from exc
    return pem


# Index Éducation EDT exports for ENTs arrive encrypted for our partner name with our public key
# (handbook/interop-timetable.md §3). No key: envelopes are refused, decrypted files still import.
MBN_EDT_PARTNER_NAME = _env.MBN_EDT_PARTNER_NAME.strip()
MBN_EDT_PRIVATE_KEY = edt_private_key(_env)
