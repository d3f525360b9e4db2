"""Long jobs: a Job row records progress; the work itself runs as a Django task."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from .models import Job, User


def job_create(*, kind: str, title: str, started_by: User | None, total: int = 0) -> Job:
    return Job.objects.create(kind=kind, title=title, started_by=started_by, total=total)


def job_progress(*, job_id: str, done: int, total: int | None = None, message: str = "") -> None:
    fields: dict[str, Any] = {"done": done, "status": Job.Status.RUNNING}
    if total is not None:
        fields["total"] = total
    if message:
        fields["message"] = message[:300]
    Job.objects.filter(pk=job_id).update(**fields)


def job_finish(*, job_id: str, result: dict[str, Any], message: str = "") -> None:
    Job.objects.filter(pk=job_id).update(
        status=Job.Status.DONE, result=result, message=message[:300], finished_at=timezone.now()
    )


def job_fail(*, job_id: str, message: str) -> None:
    Job.objects.filter(pk=job_id).update(
        status=Job.Status.FAILED, message=message[:300], finished_at=timezone.now()
    )


def job_enqueue(*, job: Job, task: Any, **kwargs: Any) -> None:
    """Queue the task once the job row is committed, so the worker can always find it."""

    def _enqueue() -> None:
        result = task.enqueue(job_id=str(job.pk), **kwargs)
        Job.objects.filter(pk=job.pk).update(task_result_id=str(result.id))

    transaction.on_commit(_enqueue)
