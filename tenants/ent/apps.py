from django.apps import AppConfig


class EntConfig(AppConfig):
    name = "tenants.ent"
    label = "ent"

    def ready(self) -> None:
        from mbn import gdpr
        from tenants.ent import gdpr as ent_gdpr

        gdpr.register("ent", export=ent_gdpr.export, erase=ent_gdpr.erase)
