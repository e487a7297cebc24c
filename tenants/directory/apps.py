from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "tenants.directory"
    label = "directory"

    def ready(self) -> None:
        from mbn import gdpr
        from tenants.directory import gdpr as directory_gdpr

        gdpr.register("directory", export=directory_gdpr.export, erase=directory_gdpr.erase)
