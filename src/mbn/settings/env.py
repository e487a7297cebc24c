"""Environment variables, parsed strictly once: a bad value stops start-up and names the variable."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Literal

from django.core.exceptions import ImproperlyConfigured
from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parents[3]


class Env(BaseSettings):
    """Every setting that comes from the environment. README lists them; Helm sets them."""

    model_config = SettingsConfigDict(case_sensitive=True, extra="ignore")

    # pytest (>= 8.2) announces itself with PYTEST_VERSION: a test run never touches dev data or settings.
    MBN_ENV: Literal["dev", "test", "prod"] = "test" if "PYTEST_VERSION" in os.environ else "dev"
    MBN_HOME: Path = REPO_ROOT / ".mbn"
    DJANGO_SECRET_KEY: str | None = None
    DATABASE_URL: str | None = None
    REDIS_URL: str | None = None
    MBN_BASE_DOMAIN: str = "mbn.localhost"
    MBN_PUBLIC_HOSTS: str = ""
    SENTRY_DSN: str | None = None
    MBN_LOG_FORMAT: Literal["json", "console"] | None = None
    MBN_METRICS_TOKEN: str | None = None
    MBN_DEBUG: bool = False
    TENANT_MULTIPROCESSING_MAX_PROCESSES: int = Field(default=4, ge=1, le=64)
    MBN_CELERY_EAGER: bool = False
    MBN_CAS_SERVER_URL: str | None = None
    # EDT (Index Éducation) exports for ENTs: our name in the envelope's CLES/PARTENAIRE @NOM (agreed
    # with Index Éducation) and our RSA private key, as PEM text or as a file (not both).
    MBN_EDT_PARTNER_NAME: str = Field(default="MBN", pattern=r"\S")
    MBN_EDT_PRIVATE_KEY: str | None = None
    MBN_EDT_PRIVATE_KEY_FILE: Path | None = None

    @field_validator("DATABASE_URL")
    @classmethod
    def _postgres_url(cls, value: str | None) -> str | None:
        if value and not value.startswith(("postgres://", "postgresql://")):
            raise ValueError("must be a postgres:// or postgresql:// URL")
        return value or None

    @field_validator("REDIS_URL")
    @classmethod
    def _redis_url(cls, value: str | None) -> str | None:
        if value and not value.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("must be a redis://, rediss:// or unix:// URL")
        return value or None

    @field_validator("MBN_EDT_PRIVATE_KEY", "MBN_EDT_PRIVATE_KEY_FILE", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @model_validator(mode="after")
    def _one_edt_key(self) -> Env:
        if self.MBN_EDT_PRIVATE_KEY and self.MBN_EDT_PRIVATE_KEY_FILE:
            raise ValueError("set MBN_EDT_PRIVATE_KEY or MBN_EDT_PRIVATE_KEY_FILE, not both")
        return self

    @property
    def public_hosts(self) -> list[str]:
        hosts = [host.strip().lower() for host in self.MBN_PUBLIC_HOSTS.split(",") if host.strip()]
        return hosts or [self.MBN_BASE_DOMAIN]

    @property
    def is_prod(self) -> bool:
        return self.MBN_ENV == "prod"


@lru_cache(maxsize=1)
def load_env() -> Env:
    try:
        env = Env()
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, err['loc']))}: {err['msg']}" for err in exc.errors())
        raise ImproperlyConfigured(f"Invalid environment: {problems}") from exc
    if env.is_prod:
        missing = [
            name for name in ("DJANGO_SECRET_KEY", "DATABASE_URL", "REDIS_URL") if not getattr(env, name)
        ]
        if missing:
            raise ImproperlyConfigured(f"Required in prod: {', '.join(missing)}")
    return env
