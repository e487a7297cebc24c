from django.apps import AppConfig


class TimetableConfig(AppConfig):
    name = "tenants.timetable"
    label = "timetable"
    verbose_name = "Emploi du temps"
