from __future__ import annotations

from mbn.settings.env import load_env

_env = load_env()

MBN_METRICS_TOKEN = _env.MBN_METRICS_TOKEN
_log_format = _env.MBN_LOG_FORMAT or ("json" if _env.is_prod else "console")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "context": {"()": "mbn.observability.LogContextFilter"},
    },
    "formatters": {
        "json": {"()": "mbn.observability.JsonFormatter"},
        "console": {"format": "%(asctime)s %(levelname)s [%(schema)s %(request_id)s] %(name)s %(message)s"},
    },
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "formatter": _log_format,
            "filters": ["context"],
        },
    },
    "root": {"handlers": ["stdout"], "level": "INFO"},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "pgserver": {"level": "WARNING"},
    },
}

if _env.SENTRY_DSN:
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=_env.SENTRY_DSN,
        environment=_env.MBN_ENV,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        # Nothing about pupils may reach Sentry: no PII, no request bodies.
        send_default_pii=False,
        max_request_body_size="never",
        traces_sample_rate=0.0,
    )
