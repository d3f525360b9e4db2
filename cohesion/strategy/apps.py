from __future__ import annotations

from typing import TYPE_CHECKING

from django.apps import AppConfig

if TYPE_CHECKING:
    from cohesion.core.models import Job


class StrategyConfig(AppConfig):
    name = "cohesion.strategy"
    label = "strategy"
    verbose_name = "Strategy, priorities and measures"

    def ready(self) -> None:
        from cohesion.core.jobs import job_result_url_register

        job_result_url_register(kind="observation_import", resolver=_import_url)
        job_result_url_register(kind="progress_report", resolver=_report_url)


def _import_url(job: Job) -> str | None:
    from django.urls import reverse

    if not hasattr(job, "observation_import"):
        return None
    return reverse("staff:import_detail", kwargs={"pk": job.observation_import.pk})


def _report_url(job: Job) -> str | None:
    from django.urls import reverse

    report_id = job.result.get("report_id")
    return reverse("reports:download", kwargs={"pk": report_id}) if report_id else None
