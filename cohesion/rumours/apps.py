from django.apps import AppConfig, apps


class RumoursConfig(AppConfig):
    name = "cohesion.rumours"
    label = "rumours"
    verbose_name = "Rumours and myth-busters"

    def ready(self) -> None:
        # Rumour sightings by ward and week feed the tension early warning as its "rumour" category.
        if apps.is_installed("cohesion.tensions"):
            from cohesion.tensions.services import signal_provider_register

            from .selectors import tension_signal

            signal_provider_register(name="rumours", provider=tension_signal)
