from __future__ import annotations

from mbn.settings.env import load_env

_env = load_env()


def _redis_url() -> str:
    if _env.REDIS_URL:
        return _env.REDIS_URL
    from mbn.devservices import embedded_redis_url

    url = embedded_redis_url(_env.MBN_HOME)
    # Tests empty their cache; on the shared embedded server they get a database of their own.
    return f"{url}?db=1" if _env.MBN_ENV == "test" else url


REDIS_URL = _redis_url()

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        # Keys carry the schema: one school's cached data can never be read from another's.
        "KEY_FUNCTION": "django_tenants.cache.make_key",
        "REVERSE_KEY_FUNCTION": "django_tenants.cache.reverse_key",
        "KEY_PREFIX": f"mbn-{_env.MBN_ENV}",
    },
    # Hostname → school routes, looked up before any schema is chosen.
    "routing": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": f"mbn-{_env.MBN_ENV}-route",
    },
}

SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"


def celery_broker_url(url: str) -> str:
    """Celery (kombu) spells a unix-socket Redis `redis+socket://`; the cache spells it `unix://`."""
    return "redis+socket://" + url.removeprefix("unix://") if url.startswith("unix://") else url


CELERY_BROKER_URL = celery_broker_url(REDIS_URL)
# Results only for the tasks that ask for them (ignore_result=False), e.g. long work reporting progress.
CELERY_RESULT_BACKEND = CELERY_BROKER_URL
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = "default"
# Tests run tasks in-process; the worker path has its own test with a real broker.
CELERY_TASK_ALWAYS_EAGER = _env.MBN_CELERY_EAGER or _env.MBN_ENV == "test"
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = "Europe/Paris"
