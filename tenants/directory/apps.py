from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "tenants.directory"
    label = "directory"
