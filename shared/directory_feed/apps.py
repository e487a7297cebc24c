from django.apps import AppConfig


class DirectoryFeedConfig(AppConfig):
    name = "shared.directory_feed"
    label = "directory_feed"
    verbose_name = "Annuaire académique (AAF)"
