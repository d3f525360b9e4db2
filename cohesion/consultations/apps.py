from __future__ import annotations

from typing import TYPE_CHECKING

from django.apps import AppConfig

if TYPE_CHECKING:
    from cohesion.core.models import Job


class ConsultationsConfig(AppConfig):
    name = "cohesion.consultations"
    label = "consultations"
    verbose_name = "Consultations"

    def ready(self) -> None:
        from cohesion.core.jobs import job_result_url_register

        job_result_url_register(kind="consultation_import", resolver=_import_url)
        job_result_url_register(kind="consultation_themes", resolver=_themes_url)
        job_result_url_register(kind="consultation_report", resolver=_report_url)


def _import_url(job: Job) -> str | None:
    from django.urls import reverse

    from .models import ResponseImport

    record = ResponseImport.objects.select_related("consultation").filter(job=job).first()
    if record is None:
        return None
    return reverse(
        "consultations_staff:import_detail",
        kwargs={"slug": record.consultation.slug, "pk": record.pk},
    )


def _themes_url(job: Job) -> str | None:
    from django.urls import reverse

    from .models import Question

    question_id = job.result.get("question_id")
    question = (
        Question.objects.select_related("consultation").filter(pk=question_id).first()
        if question_id
        else None
    )
    if question is None:
        return None
    return reverse(
        "consultations_staff:themes", kwargs={"slug": question.consultation.slug, "pk": question.pk}
    )


def _report_url(job: Job) -> str | None:
    from django.urls import reverse

    from .models import Consultation

    consultation_id = job.result.get("consultation_id")
    consultation = (
        Consultation.objects.filter(pk=consultation_id).first() if consultation_id else None
    )
    if consultation is None:
        return None
    return reverse("consultations_staff:detail", kwargs={"slug": consultation.slug})
