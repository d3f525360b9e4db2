from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "cohesion.api"
    label = "api"
    verbose_name = "JSON API"
