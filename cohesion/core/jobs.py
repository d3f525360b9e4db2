"""Long jobs: a Job row records progress; the work itself runs as a Django task."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.db import transaction
from django.utils import timezone

from .models import Job, User

# Job kind -> where a finished job of that kind leads (its result page). Apps register theirs in
# AppConfig.ready(), so core needs no import of them.
_RESULT_URLS: dict[str, Callable[[Job], str | None]] = {}


def job_result_url_register(*, kind: str, resolver: Callable[[Job], str | None]) -> None:
    _RESULT_URLS[kind] = resolver


def job_result_url(job: Job) -> str | None:
    resolver = _RESULT_URLS.get(job.kind)
    return resolver(job) if resolver else None


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


@contextmanager
def job_fails_with(*, job_id: str | None, message: str) -> Iterator[None]:
    """If the block raises, mark the job failed with ``message`` (what the person can do next)
    and let the error go on, so the worker logs it and the admin is told."""
    try:
        yield
    except Exception:
        if job_id:
            job_fail(job_id=job_id, message=message)
        raise


def job_enqueue(*, job: Job, task: Any, **kwargs: Any) -> None:
    """Queue the task once the job row is committed, so the worker can always find it."""

    def _enqueue() -> None:
        result = task.enqueue(job_id=str(job.pk), **kwargs)
        Job.objects.filter(pk=job.pk).update(task_result_id=str(result.id))

    transaction.on_commit(_enqueue)
