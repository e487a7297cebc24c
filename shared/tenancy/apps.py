from django.apps import AppConfig


class TenancyConfig(AppConfig):
    name = "shared.tenancy"
    label = "tenancy"
