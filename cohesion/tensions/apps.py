from django.apps import AppConfig


class TensionsConfig(AppConfig):
    name = "cohesion.tensions"
    label = "tensions"
    verbose_name = "Community tensions"

    def ready(self) -> None:
        from django.urls import reverse

        from cohesion.core.jobs import job_result_url_register
        from cohesion.core.models import Job

        def import_page(job: Job) -> str | None:
            record = getattr(job, "tension_import", None)
            return reverse("tensions:import_detail", kwargs={"pk": record.pk}) if record else None

        def alert_list(job: Job) -> str | None:
            return reverse("tensions:alert_list")

        job_result_url_register(kind="tension_import", resolver=import_page)
        job_result_url_register(kind="tension_earlywarning", resolver=alert_list)
