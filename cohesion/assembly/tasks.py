"""Background tasks of the civic lottery (Django Tasks API). Each reports progress to its Job."""

from __future__ import annotations

from django_tasks import task

from . import services


@task()
def letters_pdf_task(*, job_id: str, draw_id: int, register_url: str) -> None:
    services.letters_pdf_run(job_id=job_id, draw_id=draw_id, register_url=register_url)


@task()
def selection_run_task(*, job_id: str, run_id: int) -> None:
    services.selection_run_execute(job_id=job_id, run_id=run_id)


@task()
def assembly_retention_task() -> int:
    """Delete volunteers' contact details that are past their deletion date. Run it daily."""
    return services.contact_details_delete(via="task")
