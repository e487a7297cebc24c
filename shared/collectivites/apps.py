from django.apps import AppConfig


class CollectivitesConfig(AppConfig):
    name = "shared.collectivites"
    label = "collectivites"
