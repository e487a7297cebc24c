from __future__ import annotations

from mbn.settings.env import load_env

_env = load_env()

SHARED_APPS = [
    "django_tenants",
    "shared.tenancy",
    "shared.collectivites",
    "shared.catalogue",
    "shared.accounts",
    "shared.directory_feed",
    "mbn.audit",
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "ninja",
]
TENANT_APPS = [
    "django.contrib.contenttypes",
    "mbn.audit",
    "tenants.directory",
    "tenants.ent",
    "tenants.timetable",
]
INSTALLED_APPS = list(SHARED_APPS) + [app for app in TENANT_APPS if app not in SHARED_APPS]

TENANT_MODEL = "tenancy.School"
TENANT_DOMAIN_MODEL = "tenancy.Domain"
PUBLIC_SCHEMA_URLCONF = "mbn.urls_public"
# SET search_path only when the school changes, not on every cursor.
TENANT_LIMIT_SET_CALLS = True
TENANT_MULTIPROCESSING_MAX_PROCESSES = _env.TENANT_MULTIPROCESSING_MAX_PROCESSES
TENANT_CREATION_FAKES_MIGRATIONS = False

MBN_BASE_DOMAIN = _env.MBN_BASE_DOMAIN
MBN_PUBLIC_HOSTS = _env.public_hosts
MBN_TEMPLATE_SCHEMA = "modele"
# School-side services run once in a new school's schema (after the template script).
MBN_SCHOOL_SEEDERS = [
    "tenants.ent.services.news_welcome_publish",
    "tenants.timetable.services.school_calendar_seed",
]
# AAF directory feed: the school-side task the admin upload page enqueues (by dotted path, as the
# seeders above: the public side never imports school apps), the delay between "marked" and "removed"
# for people missing from a full export, and where uploaded archives wait for their task.
MBN_AAF_IMPORT_TASK = "tenants.directory.tasks.aaf_import_run_task"
MBN_AAF_DELETION_GRACE_DAYS = 30
# A full export that would remove more than this share of a school's active people is stopped before
# any removal: a truncated export looks exactly like a mass departure (interop-aaf.md).
MBN_AAF_MASS_CHANGE_RATIO = 0.05
MBN_AAF_UPLOAD_DIR = _env.MBN_HOME / "aaf-uploads"
