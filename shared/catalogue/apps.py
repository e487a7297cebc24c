from django.apps import AppConfig


class CatalogueConfig(AppConfig):
    name = "shared.catalogue"
    label = "catalogue"
