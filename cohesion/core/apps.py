from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "cohesion.core"
    label = "core"
    verbose_name = "Core: places, people, roles and audit"
