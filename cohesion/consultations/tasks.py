from __future__ import annotations

from django_tasks import task

from . import services


@task()
def import_responses_task(*, job_id: str, import_id: int) -> None:
    services.response_import_run(job_id=job_id, import_id=import_id)


@task()
def theme_analysis_task(*, job_id: str, question_id: int, user_id: int | None) -> None:
    services.theme_analysis_run(job_id=job_id, question_id=question_id, user_id=user_id)


@task()
def code_frame_task(*, job_id: str, question_id: int, user_id: int | None) -> None:
    services.code_frame_run(job_id=job_id, question_id=question_id, user_id=user_id)


@task()
def report_pdf_task(*, job_id: str, consultation_id: int, user_id: int | None) -> None:
    services.report_pdf_run(job_id=job_id, consultation_id=consultation_id, user_id=user_id)
