from __future__ import annotations

from django_tasks import task

from .services import observation_import_run


@task()
def import_observations_task(*, job_id: str, import_id: int) -> None:
    observation_import_run(job_id=job_id, import_id=import_id)


@task()
def progress_report_pdf_task(*, job_id: str, user_id: int | None) -> None:
    from .reports import report_pdf_run

    report_pdf_run(job_id=job_id, user_id=user_id)
