from django.apps import AppConfig


class EntConfig(AppConfig):
    name = "tenants.ent"
    label = "ent"
