from __future__ import annotations

from django_tasks import task

from cohesion.core.jobs import job_fails_with, job_finish, job_progress


@task()
def import_reports_task(*, job_id: str, import_id: int) -> None:
    from .services import report_import_run

    report_import_run(job_id=job_id, import_id=import_id)


@task()
def earlywarning_task(*, job_id: str | None = None) -> None:
    """The nightly (or on-demand) early-warning run."""
    from .services import earlywarning_run

    if job_id:
        job_progress(job_id=job_id, done=0, total=1, message="Looking for unusual rises")
    with job_fails_with(
        job_id=job_id,
        message="The early warning could not run. Try again; if it fails again, tell the platform admin.",
    ):
        alerts = earlywarning_run(via="task")
    if job_id:
        job_finish(
            job_id=job_id,
            result={"alerts": len(alerts)},
            message=f"{len(alerts)} new alert{'s' if len(alerts) != 1 else ''}",
        )
