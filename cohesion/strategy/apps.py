from django.apps import AppConfig


class StrategyConfig(AppConfig):
    name = "cohesion.strategy"
    label = "strategy"
    verbose_name = "Strategy, priorities and measures"
