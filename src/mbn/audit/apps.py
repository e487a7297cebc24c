from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "mbn.audit"
    label = "audit"
    verbose_name = "Journal d'audit"
