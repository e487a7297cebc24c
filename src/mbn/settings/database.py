from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from mbn.settings.env import load_env


def database_from_url(url: str) -> dict[str, Any]:
    """Django DATABASES entry for a postgres URL, including pgserver's `?host=/socket/dir` form."""
    parts = urlsplit(url)
    query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    host = query.pop("host", None) or parts.hostname or ""
    return {
        "ENGINE": "django_tenants.postgresql_backend",
        "NAME": unquote(parts.path.lstrip("/")) or "postgres",
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": host,
        "PORT": str(parts.port or ""),
        # Bounded connection lifetime: each backend caches the catalog of every school it touched.
        "CONN_MAX_AGE": 300,
        "CONN_HEALTH_CHECKS": True,
        "OPTIONS": query,
        "TEST": {"NAME": f"test_{unquote(parts.path.lstrip('/')) or 'postgres'}"},
    }


def _database_url() -> str:
    env = load_env()
    if env.DATABASE_URL:
        return env.DATABASE_URL
    from mbn.devservices import embedded_postgres_url

    return embedded_postgres_url(env.MBN_HOME)


DATABASES = {"default": database_from_url(_database_url())}
DATABASE_ROUTERS = ("django_tenants.routers.TenantSyncRouter",)
