from django.apps import AppConfig


class AssemblyConfig(AppConfig):
    name = "cohesion.assembly"
    label = "assembly"
    verbose_name = "Citizens' Assembly"
